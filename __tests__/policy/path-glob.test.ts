/**
 * Doublestar globs as `.trivyignore.yaml` `paths:` uses them (Trivy matches them with
 * github.com/bmatcuk/doublestar: `*` within a name, `?` one character but `/`, `**` across directories),
 * case by case with the expected answer written out.
 */
import { describe, expect, it } from '@jest/globals'
import { compilePathGlob, pathGlobMatches } from '../../src/policy/path-glob.js'

const matches = (glob: string, path: string): boolean => pathGlobMatches(compilePathGlob(glob), path)

describe('pathGlobMatches', () => {
  it.each<[string, string, boolean]>([
    ['app.jar', 'app.jar', true],
    ['app.jar', 'app.jarx', false],
    ['app.jar', 'app.ja', false],
    ['app.jar', 'xapp.jar', false],
    ['*.jar', 'app.jar', true],
    ['*.jar', '.jar', true],
    ['*.jar', 'lib/app.jar', false],
    ['a*b', 'ab', true],
    ['a*b', 'axxb', true],
    ['a*b', 'a/b', false],
    ['a*', 'a/b', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'a/c', false],
    ['a?c', 'abbc', false],
    ['?', 'a', true],
    ['?', '/', false],
    ['usr/**/METADATA', 'usr/METADATA', true],
    ['usr/**/METADATA', 'usr/lib/METADATA', true],
    ['usr/**/METADATA', 'usr/lib/python3/site-packages/x.dist-info/METADATA', true],
    ['usr/**/METADATA', 'usr/libMETADATA', false],
    ['usr/**/METADATA', 'usrx/METADATA', false],
    ['usr/**/METADATA', 'usr/lib/METADATA/x', false],
    ['**/x', 'x', true],
    ['**/x', 'a/b/x', true],
    ['**/x', 'ax', false],
    ['**/x', 'a/bx', false],
    ['**/**/x', 'a/b/c/x', true],
    ['**/**/x', 'x', true],
    ['**', 'a/b/c', true],
    ['**', '', true],
    ['a/**', 'a/b/c', true],
    ['a/**', 'a/', true],
    ['a/**', 'a', false],
    ['a**b', 'a/x/b', true],
    ['**.jar', 'x/y.jar', true],
    ['**.jar', 'x/y.war', false],
    ['a/**/b/*.txt', 'a/b/c.txt', true],
    ['a/**/b/*.txt', 'a/x/y/b/c.txt', true],
    ['a/**/b/*.txt', 'a/x/y/b/d/c.txt', false],
    ['/usr/bin/*', 'usr/bin/curl', true],
    ['usr/bin/*', '/usr/bin/curl', true],
    ['//usr/bin/*', '//usr/bin/curl', true],
    ['usr/bin/*', '//usr/bin/curl', true],
    ['//usr/bin/*', 'usr/bin/curl', true],
    ['  usr/bin/curl  ', 'usr/bin/curl', true],
    ['', '', true],
    ['', 'a', false],
    ['x', '', false],
  ])('%j against %j: %s', (glob, path, expected) => {
    expect(matches(glob, path)).toBe(expected)
  })

  it('matches a deep path against many doublestars without blowing up', () => {
    const glob = `${'**/'.repeat(40)}x`
    const deep = `${'d/'.repeat(2_000)}y`
    expect(matches(glob, deep)).toBe(false)
    expect(matches(glob, `${'d/'.repeat(2_000)}x`)).toBe(true)
  })
})
