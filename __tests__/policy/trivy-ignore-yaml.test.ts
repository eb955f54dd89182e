import { beforeEach, describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { applyIgnoreRules } from '../../src/policy/suppress.js'
import { compilePathGlob, pathGlobMatches } from '../../src/policy/path-glob.js'
import { parseIgnoreFile, parseTrivyIgnoreYaml } from '../../src/policy/trivy-ignore-yaml.js'
import { ConfigurationError } from '../../src/util/errors.js'

// After the .trivyignore.yaml example of Trivy's docs (docs/guide/configuration/filtering.md at v0.70.0),
// shapes as pkg/result/ignore.go at v0.70.0 reads them.
const YAML = `
vulnerabilities:
  - id: CVE-2022-40897
    paths:
      - "usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA"
    statement: Accept the risk
  - id: CVE-2023-2650
  - id: CVE-2023-3817
    purls:
      - "pkg:deb/debian/libssl1.1"
  - id: CVE-2023-29491
    expired_at: 2023-09-01
misconfigurations:
  - id: AVD-DS-0002
    statement: The image needs root privileges
secrets:
  - id: aws-access-key-id
    paths:
      - "foo/**/aws.secret"
licenses:
  - id: GPL-3.0
`

function finding(over: Partial<Finding>): Finding {
  return {
    kind: 'vulnerability',
    ruleId: 'CVE-0',
    aliases: [],
    title: 't',
    description: 'd',
    severity: 'high',
    detectedBy: ['trivy'],
    target: 'app.tar',
    references: [],
    ...over,
  }
}

describe('parseTrivyIgnoreYaml', () => {
  it('reads every section; statement is the reason, expired_at the expiry, paths and purls kept', () => {
    const rules = parseTrivyIgnoreYaml(YAML, '.trivyignore.yaml')
    expect(
      rules.map((r) => [r.id, r.kind, r.reason, r.expires ?? '', r.paths ?? [], r.purls?.length ?? 0]),
    ).toEqual([
      [
        'CVE-2022-40897',
        'vulnerability',
        'Accept the risk',
        '',
        ['usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA'],
        0,
      ],
      ['CVE-2023-2650', 'vulnerability', 'from .trivyignore.yaml', '', [], 0],
      ['CVE-2023-3817', 'vulnerability', 'from .trivyignore.yaml', '', [], 1],
      ['CVE-2023-29491', 'vulnerability', 'from .trivyignore.yaml', '2023-09-01', [], 0],
      ['AVD-DS-0002', 'misconfiguration', 'The image needs root privileges', '', [], 0],
      ['aws-access-key-id', 'secret', 'from .trivyignore.yaml', '', ['foo/**/aws.secret'], 0],
    ])
  })

  it.each([
    ['vulnerabilities:\n  - statement: no id\n', /each entry needs an "id"/],
    ['vulnerabilities:\n  - id: CVE-1\n    expired_at: someday\n', /expired_at "someday" is not a date/],
    ['vulnerabilities:\n  - id: CVE-1\n    purls: ["not-a-purl"]\n', /"not-a-purl" is not a package URL/],
    ['vulnerabilitis:\n  - id: CVE-1\n', /unknown section "vulnerabilitis"/],
    ['- CVE-1\n', /expected a mapping of sections/],
    ['vulnerabilities: [\n', /not valid YAML/],
  ])('refuses %j', (text, message) => {
    expect(() => parseTrivyIgnoreYaml(text, 'x.yaml')).toThrow(ConfigurationError)
    expect(() => parseTrivyIgnoreYaml(text, 'x.yaml')).toThrow(message)
  })

  it('picks the format by extension, as Trivy does', () => {
    expect(parseIgnoreFile('CVE-2023-1\n', '.trivyignore').map((r) => r.id)).toEqual(['CVE-2023-1'])
    expect(
      parseIgnoreFile('vulnerabilities:\n  - id: CVE-2023-1\n', 'ignore.yml').map((r) => r.kind),
    ).toEqual(['vulnerability'])
  })
})

describe('.trivyignore.yaml rules applied', () => {
  // Parsed per test (not while jest collects the tests), so a mutation run knows which tests reach which code.
  let rules: ReturnType<typeof parseTrivyIgnoreYaml>
  beforeEach(() => {
    rules = parseTrivyIgnoreYaml(YAML)
  })
  const today = new Date('2026-01-01T00:00:00Z')

  it.each<[string, Partial<Finding>, string | undefined]>([
    ['an id alone suppresses', { ruleId: 'CVE-2023-2650' }, 'from .trivyignore.yaml'],
    [
      'paths narrow: the listed file',
      {
        ruleId: 'CVE-2022-40897',
        package: {
          name: 'setuptools',
          version: '58.1.0',
          type: 'python-pkg',
          path: 'usr/local/lib/python3.9/site-packages/setuptools-58.1.0.dist-info/METADATA',
        },
      },
      'Accept the risk',
    ],
    [
      'paths narrow: another file is not suppressed',
      {
        ruleId: 'CVE-2022-40897',
        package: { name: 'setuptools', version: '58.1.0', type: 'python-pkg', path: 'opt/x/METADATA' },
      },
      undefined,
    ],
    [
      'purls narrow: the package',
      {
        ruleId: 'CVE-2023-3817',
        package: {
          name: 'libssl1.1',
          version: '1.1.1n-0',
          type: 'debian',
          purl: 'pkg:deb/debian/libssl1.1@1.1.1n-0',
        },
      },
      'from .trivyignore.yaml',
    ],
    [
      'purls narrow: another package is not suppressed',
      {
        ruleId: 'CVE-2023-3817',
        package: {
          name: 'openssl',
          version: '1.1.1n-0',
          type: 'debian',
          purl: 'pkg:deb/debian/openssl@1.1.1n-0',
        },
      },
      undefined,
    ],
    ['an expired entry suppresses nothing', { ruleId: 'CVE-2023-29491' }, undefined],
    ['a section matches only its kind', { ruleId: 'AVD-DS-0002', kind: 'vulnerability' }, undefined],
    [
      'a misconfiguration entry',
      { ruleId: 'DS002', aliases: ['AVD-DS-0002'], kind: 'misconfiguration' },
      'The image needs root privileges',
    ],
    [
      'a doublestar path',
      { ruleId: 'aws-access-key-id', kind: 'secret', location: { path: 'foo/a/b/aws.secret', startLine: 1 } },
      'from .trivyignore.yaml',
    ],
  ])('%s', (_name, over, reason) => {
    const outcome = applyIgnoreRules([finding(over)], rules, { today })
    expect(outcome.findings[0]?.suppression?.reason).toBe(reason)
  })

  it('reports the expired entry', () => {
    const outcome = applyIgnoreRules([], rules, { today })
    expect(outcome.expiredRules.map((r) => r.id)).toEqual(['CVE-2023-29491'])
  })
})

describe('path globs (paths:)', () => {
  it.each([
    ['usr/**/METADATA', 'usr/lib/a/METADATA', true],
    ['usr/**/METADATA', 'usr/METADATA', true],
    ['usr/**/METADATA', 'usr/libMETADATA', false],
    ['usr/**/METADATA', 'usr/lib/a/METADATA.bak', false],
    ['*.jar', 'lib/a.jar', false],
    ['*.jar', 'a.jar', true],
    ['**/*.jar', 'lib/a.jar', true],
    ['**/*.jar', 'a.jar', true],
    ['**/*.jar', 'lib/x/a.war', false],
    ['lib/?.jar', 'lib/a.jar', true],
    ['lib/?.jar', 'lib//.jar', false],
    ['lib/?.jar', 'lib/ab.jar', false],
    ['lib/a.jar', 'lib/aXjar', false],
    ['lib/a.jar', 'lib/a.jar', true],
    ['/lib/a.jar', '/lib/a.jar', true],
    ['opt/**', 'opt/a/b/c', true],
    ['opt/**', 'opt/', true],
    ['opt/**', 'op', false],
    ['a/**/b/**/c', 'a/x/b/y/z/c', true],
    ['a/**/b/**/c', 'a/b/c', true],
    ['a/**/b/**/c', 'a/x/y/c', false],
    ['a*b', 'a/b', false],
    ['a*b', 'axxb', true],
    ['', '', true],
    ['', 'a', false],
  ])('%j ~ %j → %s', (glob, path, matches) =>
    expect(pathGlobMatches(compilePathGlob(glob), path)).toBe(matches),
  )

  it('does not backtrack: nested doublestars against a deep path that does not match (the regex took hours)', () => {
    const glob = compilePathGlob(`${'**/'.repeat(40)}x`)
    const path = `${'a/'.repeat(4000)}y`
    expect(pathGlobMatches(glob, path)).toBe(false)
    expect(pathGlobMatches(glob, `${'a/'.repeat(4000)}x`)).toBe(true)
  })
})
