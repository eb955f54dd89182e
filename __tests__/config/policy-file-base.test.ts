/** The policy file's ignore-base key and base-images section: what they read, and their errors. */
import { describe, expect, it } from '@jest/globals'
import { buildConfig } from '../../src/config/config.js'
import { buildPolicyConfig } from '../../src/config/policy-config.js'
import { DEFAULT_POLICY_FILE, parsePolicyFile } from '../../src/config/policy-file.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { thrownBy } from '../helpers/thrown.js'

const ORIGIN = DEFAULT_POLICY_FILE

function problems(text: string): string[] {
  return thrownBy(() => parsePolicyFile(text, ORIGIN), ConfigurationError).message.split('\n')
}

describe('policy file: ignore-base and base-images', () => {
  it('reads them, normalising the allow patterns', () => {
    const policy = parsePolicyFile(
      [
        'ignore-base: true',
        'base-images:',
        '  allow:',
        '    - alpine',
        '    - library/debian',
        '    - ghcr.io/acme/*',
        '  require-digest: true',
        '  severity: critical',
      ].join('\n'),
      ORIGIN,
    )
    expect(policy.ignoreBase).toBe(true)
    expect(policy.baseImages).toEqual({
      allow: ['docker.io/library/alpine', 'docker.io/library/debian', 'ghcr.io/acme/*'],
      requireDigest: true,
      severity: 'critical',
    })
  })

  it('defaults: require-digest false, severity high, no allow list (any repository)', () => {
    expect(parsePolicyFile('base-images:\n  require-digest: false\n', ORIGIN).baseImages).toEqual({
      requireDigest: false,
      severity: 'high',
    })
  })

  it.each([
    ['ignore-base: yes please', 'ignore-base must be true or false (got "yes please") (line 1)'],
    ['base-images: [alpine]', 'base-images must be a map (got a list) (line 1)'],
    [
      'base-images:\n  alow: [alpine]',
      'base-images.alow is not a known field (allow, require-digest, severity): did you mean allow? (line 2)',
    ],
    ['base-images:\n  allow: alpine', 'base-images.allow must be a list (got "alpine") (line 2)'],
    [
      'base-images:\n  allow: []',
      'base-images.allow must list at least one pattern (leave allow out to allow any repository) (line 2)',
    ],
    ['base-images:\n  allow: ["  "]', 'base-images.allow[0] must not be empty (line 2)'],
    [
      'base-images:\n  require-digest: "yes"',
      'base-images.require-digest must be true or false (got "yes") (line 2)',
    ],
    [
      'base-images:\n  severity: unknown',
      'base-images.severity must be one of critical, high, medium, low (got "unknown") (line 2)',
    ],
    [
      'base-images:\n  allow:\n    - ghcr.io/acme/*\n    - alpine:3.19',
      'base-images.allow[1] "alpine:3.19" names a tag or digest; patterns name registry/repository only (require-digest checks pinning) (line 4)',
    ],
  ])('%j → %s', (text, expected) => {
    expect(problems(text)).toEqual([`policy file ${ORIGIN}: ${expected}`])
  })
})

describe('buildPolicyConfig: ignore-base from the input or the policy file', () => {
  const files = (policy?: string) => ({
    workspace: '/ws',
    exists: (path: string) => policy !== undefined && path === `/ws/${ORIGIN}`,
    readFile: () => policy ?? '',
  })
  it.each([
    ['input on, no file', true, undefined, true],
    ['input off, no file', false, undefined, false],
    ['the file overrides the input', false, 'ignore-base: true\n', true],
    ['the file turns it off', true, 'ignore-base: false\n', false],
  ])('%s', (_name, input, file, expected) => {
    const policy = buildPolicyConfig({ failOn: 'high', ignoreBase: input }, files(file))
    expect(policy.ignoreBase).toBe(expected)
  })

  it('carries base-images with the policy file named for the fix text', () => {
    const policy = buildPolicyConfig({ failOn: 'high' }, files('base-images:\n  allow: [alpine]\n'))
    expect(policy.baseImages).toEqual({
      allow: ['docker.io/library/alpine'],
      requireDigest: false,
      severity: 'high',
      origin: ORIGIN,
    })
  })
})

describe('buildConfig: ignore-base input and findings reports', () => {
  const env = (files: Record<string, string> = {}) => ({
    workspace: '/repo',
    tempDir: '/runner/temp',
    exists: (path: string) => path in files,
    readFile: (path: string) => files[path] ?? '',
    defaultOutputs: 'none' as const,
  })

  it.each([
    [undefined, false],
    ['true', true],
    ['false', false],
  ])('ignore-base %j → %s', (value, expected) => {
    const inputs = { image: ['app:ci'], ...(value !== undefined ? { 'ignore-base': value } : {}) }
    expect(buildConfig(inputs, env()).policy.ignoreBase).toBe(expected)
  })

  it('ignore-base that is not a boolean is a configuration error', () => {
    expect(() => buildConfig({ image: ['app:ci'], 'ignore-base': 'yes' }, env())).toThrow(
      'input ignore-base: "yes" is not true or false',
    )
  })

  it('findings files name their own images: they combine with several images; other reports do not', () => {
    const files = { '/repo/legs/a.json': '{}', '/repo/trivy.json': '{}' }
    const config = buildConfig({ image: ['a:1', 'b:1'], reports: ['findings:legs/a.json'] }, env(files))
    expect(config.reports).toEqual([
      { format: 'findings', path: '/repo/legs/a.json', spec: 'findings:legs/a.json' },
    ])
    expect(() => buildConfig({ image: ['a:1', 'b:1'], reports: ['trivy:trivy.json'] }, env(files))).toThrow(
      'can be combined with one image only',
    )
  })
})
