/**
 * Base image names and allow patterns at their edges: padding, trailing slashes, runs of `*`, white
 * space, and which first component is a registry (distribution/reference splitDockerDomain: `.`, `:`,
 * `localhost` or upper-case letters), so a pattern and the names it must match normalise alike.
 */
import { describe, expect, it } from '@jest/globals'
import {
  isAllowedBase,
  normaliseAllowPattern,
  normaliseBaseImage,
} from '../../src/policy/base-image-names.js'

describe('normaliseBaseImage', () => {
  it.each<[string, unknown]>([
    ['  alpine:3.19  ', { name: 'docker.io/library/alpine', tag: '3.19' }],
    ['MyRegistry/team/app:1', { name: 'myregistry/team/app', tag: '1' }],
    ['alpine', { name: 'docker.io/library/alpine' }],
  ])('%j', (reference, expected) => {
    expect(normaliseBaseImage(reference)).toStrictEqual(expected)
  })
})

describe('normaliseAllowPattern', () => {
  it.each<[string, unknown]>([
    ['ghcr.io/acme//', { pattern: 'ghcr.io/acme' }],
    ['***', { pattern: '*' }],
    ['*/*', { pattern: '*/*' }],
    ['localhost/acme/*', { pattern: 'localhost/acme/*' }],
    ['MyRegistry/team/*', { pattern: 'myregistry/team/*' }],
    ['acme/*', { pattern: 'docker.io/acme/*' }],
    ['acme/Base', { pattern: 'docker.io/acme/base' }],
    [' aB/x', { pattern: 'ab/x' }],
    ['docker.io/acme/*', { pattern: 'docker.io/acme/*' }],
    ['registry:5000/*', { pattern: 'registry:5000/*' }],
    ['ghcr.io/acme team/*', { problem: '"ghcr.io/acme team/*" contains white space' }],
    ['ghcr.io/acme\tteam', { problem: '"ghcr.io/acme\tteam" contains white space' }],
  ])('%j', (pattern, expected) => {
    expect(normaliseAllowPattern(pattern)).toStrictEqual(expected)
  })

  it('matches the names normaliseBaseImage gives for the same spelling', () => {
    for (const [pattern, reference] of [
      ['MyRegistry/team/*', 'MyRegistry/team/app:1'],
      ['localhost/acme/*', 'localhost/acme/base:1'],
      ['acme/*', 'acme/base'],
      ['alpine', 'docker.io/alpine:3'],
    ] as const) {
      const normalised = normaliseAllowPattern(pattern) as { pattern: string }
      const name = normaliseBaseImage(reference)?.name ?? ''
      expect([pattern, isAllowedBase(name, [normalised.pattern])]).toEqual([pattern, true])
    }
  })
})
