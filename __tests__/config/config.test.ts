import { describe, expect, it } from '@jest/globals'
import {
  buildConfig,
  parseDuration,
  validateVersion,
  type ConfigEnvironment,
} from '../../src/config/config.js'
import type { Inputs } from '../../src/config/inputs.js'
import { ConfigurationError } from '../../src/util/errors.js'

function environment(
  files: Record<string, string> = {},
  overrides: Partial<ConfigEnvironment> = {},
): ConfigEnvironment {
  return {
    workspace: '/repo',
    tempDir: '/runner/temp',
    exists: (path) => path in files,
    readFile: (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: ${path}`)
      return text
    },
    defaultOutputs: 'temp-dir',
    ...overrides,
  }
}

const base: Inputs = { image: ['app:ci'] }

describe('buildConfig defaults', () => {
  it('takes the documented defaults', () => {
    const config = buildConfig(base, environment())
    expect(config.scanners).toEqual(['builtin', 'trivy'])
    expect(config.policy.failOn).toEqual({
      vulnerability: 'high',
      misconfiguration: 'high',
      secret: 'high',
      compliance: 'high',
    })
    expect(config.upload).toBe('auto')
    expect(config.waitForProcessing).toBe(true)
    expect(config.comment).toBe(false)
    expect(config.sarifRuns).toBe('image')
    expect(config.scanTimeoutMs).toBe(600_000)
    expect(config.sarifFile).toBe('/runner/temp/container-security-gate.sarif')
    expect(config.findingsFile).toBe('/runner/temp/container-security-gate-findings.json')
    expect(config.dockerfile).toBeUndefined()
    expect(config.policy.severitySource).toBe('highest')
  })

  it('finds Dockerfile in the workspace, and writes no files by default in the CLI', () => {
    const config = buildConfig(
      base,
      environment({ '/repo/Dockerfile': 'FROM x' }, { defaultOutputs: 'none' }),
    )
    expect(config.dockerfile).toBe('/repo/Dockerfile')
    expect(config.sarifFile).toBeUndefined()
    expect(config.findingsFile).toBeUndefined()
  })

  it('resolves relative paths against the workspace and keeps image order without duplicates', () => {
    const config = buildConfig(
      { image: ['b.tar', 'a.tar', 'b.tar'], 'sarif-file': 'out/x.sarif', dockerfile: 'docker/Dockerfile' },
      environment({ '/repo/docker/Dockerfile': 'FROM x' }),
    )
    expect(config.images).toEqual(['b.tar', 'a.tar'])
    expect(config.sarifFile).toBe('/repo/out/x.sarif')
    expect(config.dockerfile).toBe('/repo/docker/Dockerfile')
  })

  it('reads versions for every downloadable scanner and scanner options', () => {
    const config = buildConfig(
      {
        ...base,
        scanners: ['cosign', 'trivy'],
        'trivy-version': 'v0.70.0',
        'cosign-version': 'latest',
        'cosign-key': 'cosign.pub',
        'trivy-db-repository': 'mirror.example/trivy-db:2, ghcr.io/aquasecurity/trivy-db:2',
      },
      environment(),
    )
    expect(config.versions).toEqual({ trivy: 'v0.70.0', cosign: 'latest' })
    expect(config.scannerOptions.cosignKey).toBe('cosign.pub')
    expect(config.scannerOptions.trivyDbRepositories).toEqual([
      'mirror.example/trivy-db:2',
      'ghcr.io/aquasecurity/trivy-db:2',
    ])
  })
})

describe('buildConfig refuses bad input with one line naming the input', () => {
  it.each<[string, Inputs, Record<string, string>, RegExp]>([
    ['no image', { image: [] }, {}, /input image: no image given/],
    [
      'unknown scanner',
      { ...base, scanners: ['builtin', 'clair'] },
      {},
      /input scanners: unknown scanner "clair" \(accepted: builtin, trivy/,
    ],
    [
      'unknown severity',
      { ...base, 'fail-on': 'severe' },
      {},
      /input fail-on: unknown severity "severe" \(accepted: critical, high, medium, low, none\)/,
    ],
    [
      'missing dockerfile',
      { ...base, dockerfile: 'nope/Dockerfile' },
      {},
      /input dockerfile: nope\/Dockerfile does not exist/,
    ],
    [
      'bad upload',
      { ...base, upload: 'sometimes' },
      {},
      /input upload: "sometimes" is not one of auto, always, never/,
    ],
    ['bad boolean', { ...base, comment: 'yes' }, {}, /input comment: "yes" is not true or false/],
    [
      'bad duration',
      { ...base, 'scan-timeout': '10 minutes' },
      {},
      /input scan-timeout: "10 minutes" is not a duration/,
    ],
    ['zero duration', { ...base, 'scan-timeout': '0s' }, {}, /input scan-timeout/],
    [
      'bad version',
      { ...base, 'grype-version': 'newest' },
      {},
      /input grype-version: "newest" is not a version/,
    ],
    [
      'bad mirror',
      { ...base, 'tools-mirror': 'not a url' },
      {},
      /input tools-mirror: "not a url" is not a URL/,
    ],
    ['ftp mirror', { ...base, 'tools-mirror': 'ftp://mirror' }, {}, /must be an http\(s\) URL/],
    ['bad sarif-runs', { ...base, 'sarif-runs': 'tool' }, {}, /input sarif-runs/],
    ['unknown report format', { ...base, reports: ['clair:x.json'] }, {}, /unknown|clair/],
    ['report without path', { ...base, reports: ['trivy'] }, {}, /trivy/],
    [
      'missing report',
      { ...base, reports: ['trivy:missing.json'] },
      {},
      /input reports: report file missing.json does not exist/,
    ],
    [
      'reports with two images',
      { image: ['a:1', 'b:1'], reports: ['trivy:r.json'] },
      { '/repo/r.json': '{}' },
      /one image only/,
    ],
    ['cosign without a way to verify', { ...base, scanners: ['cosign'] }, {}, /cosign/],
    [
      'bad cosign severity',
      { ...base, scanners: ['cosign'], 'cosign-key': 'k.pub', 'cosign-severity': 'huge' },
      {},
      /cosign-severity/,
    ],
    [
      'bad docker-bench checks',
      { ...base, scanners: ['docker-bench'], 'docker-bench-checks': 'rm -rf /' },
      {},
      /docker-bench/,
    ],
    ['bad severity-source', { ...base, 'severity-source': 'clair' }, {}, /input severity-source: "clair"/],
    [
      'gate-on new without baseline',
      { ...base, 'gate-on': 'new' },
      {},
      /gate-on: "new" needs baseline-sarif/,
    ],
    ['bad gate-on', { ...base, 'gate-on': 'some' }, {}, /input gate-on: "some" is not all or new/],
    [
      'missing policy file',
      { ...base, 'policy-file': 'policy.yml' },
      {},
      /input policy-file: policy.yml does not exist/,
    ],
    [
      'missing ignore file',
      { ...base, 'ignore-file': '.trivyignore' },
      {},
      /input ignore-file: .trivyignore does not exist/,
    ],
    [
      'missing baseline',
      { ...base, 'baseline-sarif': 'base.sarif' },
      {},
      /input baseline-sarif: base.sarif does not exist/,
    ],
  ])('%s', (_name, inputs, files, message) => {
    const attempt = (): unknown => buildConfig(inputs, environment(files))
    expect(attempt).toThrow(ConfigurationError)
    expect(attempt).toThrow(message)
  })
})

describe('buildConfig with reports', () => {
  it('accepts reports without an image, and Windows paths after the format', () => {
    const config = buildConfig(
      { image: [], reports: ['trivy:r.json', 'SARIF:sub/x.sarif'] },
      environment({ '/repo/r.json': '{}', '/repo/sub/x.sarif': '{}' }),
    )
    expect(config.reports.map((r) => [r.format, r.path])).toEqual([
      ['trivy', '/repo/r.json'],
      ['sarif', '/repo/sub/x.sarif'],
    ])
  })
})

describe('the policy file and the inputs together', () => {
  const policy = (text: string): Record<string, string> => ({ '/repo/.github/container-security.yml': text })

  it('reads .github/container-security.yml when it exists; its fail-on overrides the input for the kinds it names', () => {
    const config = buildConfig(
      { ...base, 'fail-on': 'critical' },
      environment(policy('fail-on:\n  secret: low\nonly-fixed: true\n')),
    )
    expect(config.policy.policyFile).toBe('.github/container-security.yml')
    expect(config.policy.failOn).toEqual({
      vulnerability: 'critical',
      misconfiguration: 'critical',
      secret: 'low',
      compliance: 'critical',
    })
    expect(config.policy.onlyFixed).toBe(true)
  })

  it('reads ignore rules, a .trivyignore and VEX documents', () => {
    const vex = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'sec',
      timestamp: '2026-01-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2024-1' },
          products: [{ '@id': 'pkg:apk/alpine/openssl@3.1.0-r0' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    })
    const config = buildConfig(
      { ...base, 'ignore-file': '.trivyignore' },
      environment({
        ...policy(
          'ignore:\n  - id: CVE-2024-9\n    reason: accepted\n    expires: 2027-01-01\nvex:\n  - sec/vex.json\n',
        ),
        '/repo/.trivyignore': '# comment\nCVE-2024-7\n',
        '/repo/sec/vex.json': vex,
      }),
    )
    expect(config.policy.ignoreRules.map((r) => r.id)).toEqual(['CVE-2024-9', 'CVE-2024-7'])
    expect(config.policy.vex).toHaveLength(1)
  })

  it('names the key of a bad policy file', () => {
    expect(() => buildConfig(base, environment(policy('fail-on:\n  vulnerabilty: high\n')))).toThrow(
      /vulnerabilty/,
    )
    expect(() => buildConfig(base, environment(policy('ignore:\n  - id: CVE-1\n')))).toThrow(/reason/)
  })
})

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m15s', 135_000],
  ])('%s → %i ms', (text, ms) => expect(parseDuration('scan-timeout', text)).toBe(ms))

  it.each(['', '10', '-1m', '1d', 'm', '1.5h'])('refuses %j', (text) => {
    expect(() => parseDuration('scan-timeout', text)).toThrow(ConfigurationError)
  })
})

describe('validateVersion', () => {
  it.each(['latest', '0.70.0', 'v0.70.0', '1.2.3-rc.1', '2.14.0'])('accepts %s', (v) =>
    expect(validateVersion('x-version', v)).toBe(v),
  )
  it.each(['newest', '0.70.0; rm -rf /', '../../etc', '1.2.3 4'])('refuses %j', (v) => {
    expect(() => validateVersion('x-version', v)).toThrow(ConfigurationError)
  })
})
