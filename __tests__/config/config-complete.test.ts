/**
 * buildConfig as a whole: every field of the Config for the defaults and for every input set at once
 * (strict equality, so a field set to undefined instead of left out also fails), and the exact message of
 * each refused value. The values are written out from the README's input table, not computed.
 */
import { describe, expect, it } from '@jest/globals'
import {
  buildConfig,
  parseBoolean,
  parseDuration,
  validateVersion,
  type ConfigEnvironment,
} from '../../src/config/config.js'
import type { Inputs } from '../../src/config/inputs.js'
import { ConfigurationError } from '../../src/util/errors.js'

const BASELINE = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'container-security-gate' } },
      results: [
        {
          ruleId: 'CVE-2024-1234',
          message: { text: 'm' },
          partialFingerprints: { primaryLocationLineHash: 'abc:1' },
        },
      ],
    },
  ],
})

function environment(
  files: Record<string, string> = {},
  overrides: Partial<ConfigEnvironment> = {},
): ConfigEnvironment {
  return {
    workspace: '/repo',
    tempDir: '/runner/temp/',
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

describe('buildConfig, every field', () => {
  it('gives the documented defaults and nothing else', () => {
    expect(buildConfig({ image: ['app:ci'] }, environment())).toStrictEqual({
      images: ['app:ci'],
      platforms: { kind: 'default' },
      registry: { insecureRegistries: [] },
      scanners: ['builtin', 'trivy'],
      policy: {
        failOn: { vulnerability: 'high', misconfiguration: 'high', secret: 'high', compliance: 'high' },
        onlyFixed: false,
        ignoreBase: false,
        gateOn: 'all',
        severitySource: 'highest',
        ignoreRules: [],
        vex: [],
        failOnKev: false,
      },
      exploitData: { kev: { kind: 'not-requested' } },
      reports: [],
      upload: 'auto',
      waitForProcessing: true,
      comment: false,
      sarifRuns: 'image',
      continueOnScannerError: false,
      scanTimeoutMs: 600_000,
      versions: {},
      scannerOptions: {},
      sbomFormat: 'cyclonedx-json',
      dependencySnapshot: false,
      workspace: '/repo',
      tempDir: '/runner/temp',
      sarifFile: '/runner/temp/container-security-gate.sarif',
      findingsFile: '/runner/temp/container-security-gate-findings.json',
    })
  })

  it('reads every input, trimmed and normalised', () => {
    const inputs: Inputs = {
      image: [' app:ci ', 'app:ci', ''],
      scanners: ['Trivy', 'grype', 'trivy'],
      'fail-on': ' Critical ',
      'only-fixed': 'true',
      'ignore-base': 'TRUE',
      'gate-on': 'new',
      'baseline-sarif': 'base.sarif',
      'severity-source': 'trivy',
      'fail-on-kev': 'True',
      'fail-on-epss': '0.5',
      kev: 'on',
      'sarif-file': ' out.sarif ',
      'findings-file': '/abs/findings.json',
      'sbom-file': ' sbom.json ',
      'sbom-format': 'spdx-json',
      'dependency-snapshot': 'true',
      token: ' t0k ',
      'sarif-severity': ' High ',
      'tools-mirror': 'https://mirror.example/github//',
      'insecure-registries': [' reg.lan:5000 ', ''],
      'registry-username': ' bot ',
      'registry-password': ' p w ',
      category: '//container/app//',
      matrix: '{"os":"linux"}',
      'scan-timeout': '1h30m',
      'wait-for-processing': 'False',
      comment: 'TRUE',
      'continue-on-scanner-error': 'True',
      upload: ' Never ',
      'sarif-runs': 'scanner',
      'trivy-version': ' v0.70.0 ',
      'grype-version': 'latest',
      'cosign-key': ' cosign.pub ',
      'docker-bench-checks': '   ',
      'trivy-db-repository': 'mirror.example/trivy-db:2',
    }
    const config = buildConfig(
      inputs,
      environment({ '/repo/base.sarif': BASELINE }, { defaultOutputs: 'none', kevDownloadsByDefault: true }),
    )
    expect(config).toStrictEqual({
      images: ['app:ci'],
      platforms: { kind: 'default' },
      registry: { insecureRegistries: ['reg.lan:5000'], username: 'bot', password: ' p w ' },
      scanners: ['trivy', 'grype'],
      policy: {
        failOn: {
          vulnerability: 'critical',
          misconfiguration: 'critical',
          secret: 'critical',
          compliance: 'critical',
        },
        onlyFixed: true,
        ignoreBase: true,
        gateOn: 'new',
        severitySource: 'trivy',
        ignoreRules: [],
        vex: [],
        failOnKev: true,
        failOnEpss: 0.5,
        baseline: new Set(['abc:1']),
      },
      exploitData: { kev: { kind: 'download' } },
      reports: [],
      upload: 'never',
      waitForProcessing: false,
      comment: true,
      sarifRuns: 'scanner',
      continueOnScannerError: true,
      scanTimeoutMs: 5_400_000,
      versions: { trivy: 'v0.70.0', grype: 'latest' },
      scannerOptions: { cosignKey: 'cosign.pub', trivyDbRepositories: ['mirror.example/trivy-db:2'] },
      sbomFormat: 'spdx-json',
      dependencySnapshot: true,
      workspace: '/repo',
      tempDir: '/runner/temp',
      category: 'container/app',
      matrix: { os: 'linux' },
      sarifFile: '/repo/out.sarif',
      findingsFile: '/abs/findings.json',
      sbomFile: '/repo/sbom.json',
      token: 't0k',
      sarifSeverity: 'high',
      toolsMirror: 'https://mirror.example/github',
    })
  })

  it('leaves out what is empty: no outputs in the CLI, empty token, sbom, mirror, category and matrix', () => {
    const config = buildConfig(
      {
        image: ['app:ci'],
        token: '  ',
        'sbom-file': ' ',
        'tools-mirror': ' ',
        'sarif-severity': ' ',
        category: ' / ',
        matrix: 'null',
        'registry-username': '  ',
        'registry-password': '',
      },
      environment({}, { defaultOutputs: 'none' }),
    )
    for (const key of [
      'sarifFile',
      'findingsFile',
      'sbomFile',
      'token',
      'toolsMirror',
      'sarifSeverity',
      'category',
      'matrix',
      'dockerfile',
    ]) {
      expect(Object.keys(config)).not.toContain(key)
    }
    expect(config.registry).toStrictEqual({ insecureRegistries: [] })
  })

  it('combines several findings files with several images, but other reports with one image only', () => {
    const files = { '/repo/a.json': '{}', '/repo/t.json': '{}' }
    const config = buildConfig({ image: ['a:1', 'b:1'], reports: ['findings:a.json'] }, environment(files))
    expect(config.reports).toStrictEqual([
      { format: 'findings', path: '/repo/a.json', spec: 'findings:a.json' },
    ])
    expect(() =>
      buildConfig(
        { image: ['a:1', 'b:1', 'c:1'], reports: ['findings:a.json', 'trivy:t.json'] },
        environment(files),
      ),
    ).toThrow(
      'input reports: imported reports are attributed to the scanned image, so they can be combined with one image only (got 3 images)',
    )
    expect(
      buildConfig({ image: ['a:1'], reports: ['trivy:t.json'] }, environment(files)).reports,
    ).toStrictEqual([{ format: 'trivy', path: '/repo/t.json', spec: 'trivy:t.json' }])
  })
})

describe('buildConfig refuses with the exact message', () => {
  const image = ['app:ci']
  it.each<[Inputs, string]>([
    [
      { image, 'sarif-severity': 'unknown' },
      'input sarif-severity: "unknown" is not a severity (critical, high, medium or low; empty for all)',
    ],
    [
      { image, 'sarif-severity': ' severe ' },
      'input sarif-severity: " severe " is not a severity (critical, high, medium or low; empty for all)',
    ],
    [{ image, 'gate-on': 'some' }, 'input gate-on: "some" is not all or new'],
    [{ image, 'sarif-runs': 'tool' }, 'input sarif-runs: "tool" is not image or scanner'],
    [{ image, kev: 'maybe' }, 'input kev: "maybe" is not one of auto, on, off'],
    [
      { image, 'fail-on': 'severe' },
      'input fail-on: unknown severity "severe" (accepted: critical, high, medium, low, none)',
    ],
    [
      { image, 'trivy-version': '0.x' },
      'input trivy-version: "0.x" is not a version (e.g. 0.58.1, v0.58.1, latest)',
    ],
    [
      { image, 'scan-timeout': '10mx' },
      'input scan-timeout: "10mx" is not a duration (e.g. 90s, 10m, 1h, 1h30m)',
    ],
    [
      { image, 'tools-mirror': 'mirror.example' },
      'input tools-mirror: "mirror.example" is not a URL (e.g. https://mirror.example.com/github)',
    ],
    [
      { image, 'tools-mirror': 'ftp://mirror.example/x' },
      'input tools-mirror: "ftp://mirror.example/x" must be an http(s) URL',
    ],
    [
      { image, 'tools-mirror': 'file:///srv/mirror' },
      'input tools-mirror: "file:///srv/mirror" must be an http(s) URL',
    ],
    [
      { image, category: 'my app' },
      'input category: "my app" may hold only printable characters without spaces (it names a code-scanning category)',
    ],
    [
      { image, matrix: '{os: linux}' },
      'input matrix: not JSON ("{os: linux}"); leave it at its default ${{ toJson(matrix) }}',
    ],
    [
      { image, matrix: '["linux"]' },
      'input matrix: not a JSON object; leave it at its default ${{ toJson(matrix) }}',
    ],
    [
      { image, matrix: '"linux"' },
      'input matrix: not a JSON object; leave it at its default ${{ toJson(matrix) }}',
    ],
    [
      { image, 'registry-username': 'bot', 'registry-password': '' },
      'inputs registry-username and registry-password: set both or neither',
    ],
    [
      { image, 'registry-username': ' ', 'registry-password': 'secret-value' },
      'inputs registry-username and registry-password: set both or neither',
    ],
  ])('%j', (inputs, message) => {
    let thrown: unknown
    try {
      buildConfig(inputs, environment())
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigurationError)
    expect((thrown as Error).message).toBe(message)
  })

  it('accepts http and https mirrors', () => {
    expect(
      buildConfig({ image, 'tools-mirror': 'http://10.0.0.1:8080/gh/' }, environment()).toolsMirror,
    ).toBe('http://10.0.0.1:8080/gh')
  })

  it('accepts each severity as the sarif-severity floor', () => {
    const floors = ['critical', 'HIGH', 'Medium', 'low'].map(
      (value) => buildConfig({ image, 'sarif-severity': value }, environment()).sarifSeverity,
    )
    expect(floors).toStrictEqual(['critical', 'high', 'medium', 'low'])
  })
})

describe('input words', () => {
  it.each<[string | undefined, boolean, boolean]>([
    ['true', false, true],
    ['True', false, true],
    ['TRUE', false, true],
    [' true ', false, true],
    ['false', true, false],
    ['False', true, false],
    ['FALSE', true, false],
    [undefined, true, true],
    ['', false, false],
    ['  ', true, true],
  ])('boolean %j (default %j) is %j', (value, fallback, expected) => {
    expect(parseBoolean('comment', value, fallback)).toBe(expected)
  })

  it.each(['yes', 'tRue', '1', 'on'])('boolean %j is refused', (value) => {
    expect(() => parseBoolean('comment', value, false)).toThrow(
      `input comment: "${value}" is not true or false`,
    )
  })

  it.each<[string, number]>([
    ['90s', 90_000],
    ['10m', 600_000],
    ['12h', 43_200_000],
    ['1h30m', 5_400_000],
    ['1h2m3s', 3_723_000],
    [' 2M ', 120_000],
  ])('duration %j is %j ms', (value, ms) => {
    expect(parseDuration('scan-timeout', value)).toBe(ms)
  })

  it.each(['', '0s', '90', '10m5', 'm', 'x10m', '1.5h'])('duration %j is refused', (value) => {
    expect(() => parseDuration('scan-timeout', value)).toThrow(
      `input scan-timeout: "${value}" is not a duration (e.g. 90s, 10m, 1h, 1h30m)`,
    )
  })

  it.each(['latest', '0.58.1', 'v0.58.1', '10.20.30', '1', '1.2.3.4', '1.2.3-rc.1', '2.0.0+build.7'])(
    'version %j is accepted',
    (value) => {
      expect(validateVersion('trivy-version', value)).toBe(value)
    },
  )

  it.each(['Latest', 'v', '1.2.3.4.5', 'x1.2', '1.2.3 ', '1.2.3-', '1..2'])(
    'version %j is refused',
    (value) => {
      expect(() => validateVersion('trivy-version', value)).toThrow(
        `input trivy-version: "${value}" is not a version (e.g. 0.58.1, v0.58.1, latest)`,
      )
    },
  )
})
