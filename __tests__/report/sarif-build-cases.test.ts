/**
 * What buildSarif writes for each part of a finding and a scanner run, written out whole: result
 * properties, locations, suppressions, tool extensions, invocations, run properties, which
 * per-scanner runs exist, and the sarif-severity floor. The broader log checks (schema, GitHub's
 * rules, categories) are in sarif.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import type { Result, Run } from 'sarif'
import type { Finding } from '../../src/findings/finding.js'
import { buildSarif, type BuildSarifOptions } from '../../src/report/sarif.js'
import { applySarifFloor, meetsSarifFloor } from '../../src/report/sarif-floor.js'
import type { GateResult, ImageResult, ScannerRun } from '../../src/report/gate-result.js'
import {
  bareFinding,
  builtinFinding,
  gateResult,
  imageResult,
  scannerRun,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

const PER_IMAGE: BuildSarifOptions = { runPer: 'image' }
const PER_SCANNER: BuildSarifOptions = { runPer: 'scanner' }

/** A gate result holding `images` as given: no gate status is added to their findings. */
function resultOf(images: ImageResult[]): GateResult {
  return { ...gateResult([]), images }
}

function runsOf(images: ImageResult[], options: BuildSarifOptions = PER_IMAGE): Run[] {
  return buildSarif(resultOf(images), options).runs
}

function onlyResult(
  finding: Finding,
  options: BuildSarifOptions = PER_IMAGE,
  repository = 'library/alpine',
): Result {
  const [run] = runsOf([imageResult({ repository, findings: [finding], scanners: [] })], options)
  expect(run?.results).toHaveLength(1)
  return run!.results![0]!
}

/** A vulnerability with nothing optional set. */
function bareVulnerability(overrides: Partial<Finding> = {}): Finding {
  return bareFinding({ severity: 'medium', detectedBy: ['grype'], target: 'alpine:3.17', ...overrides })
}

describe('result properties', () => {
  it('holds only kind, severity and detectedBy for a finding with nothing optional', () => {
    expect(onlyResult(bareVulnerability()).properties).toEqual({
      kind: 'vulnerability',
      severity: 'medium',
      detectedBy: ['grype'],
    })
  })

  it('holds every identity and triage field of a full finding, and never evidence or history', () => {
    const finding = vulnerability({
      detectedBy: ['trivy', 'grype'],
      subject: '/usr/lib/libcrypto.so.3',
      evidence: 'secret=abc',
      kev: {
        cve: 'CVE-2023-0286',
        dateAdded: '2023-03-01',
        dueDate: '2023-03-22',
        knownRansomwareCampaignUse: 'Known',
      },
      epss: { cve: 'CVE-2023-0286', score: 0.42, percentile: 0.97, date: '2026-12-01', source: 'epss-file' },
      base: true,
      gate: { status: 'exempt', reason: 'only-fixed' },
      package: {
        name: 'libcrypto3',
        version: '3.0.7-r0',
        type: 'apk',
        purl: 'pkg:apk/alpine/libcrypto3@3.0.7-r0',
        path: '/lib/apk/db/installed',
      },
    })
    expect(onlyResult(finding).properties).toEqual({
      kind: 'vulnerability',
      severity: 'high',
      detectedBy: ['trivy', 'grype'],
      cvssScore: 7.4,
      aliases: ['GHSA-x4qr-2fvf-3mr5'],
      package: {
        name: 'libcrypto3',
        version: '3.0.7-r0',
        type: 'apk',
        purl: 'pkg:apk/alpine/libcrypto3@3.0.7-r0',
        path: '/lib/apk/db/installed',
      },
      fixState: 'fixed',
      fixedVersions: ['3.0.8-r0'],
      layerDiffId: 'sha256:8d3ac3489996423f53d6087c81180006263b79f206d3fdec9e66f0e27ceb8759',
      subject: '/usr/lib/libcrypto.so.3',
      tags: ['kev'],
      kev: {
        cve: 'CVE-2023-0286',
        dateAdded: '2023-03-01',
        dueDate: '2023-03-22',
        knownRansomwareCampaignUse: 'Known',
      },
      epss: { cve: 'CVE-2023-0286', score: 0.42, percentile: 0.97, date: '2026-12-01', source: 'epss-file' },
      base: true,
      gate: { status: 'exempt', reason: 'only-fixed' },
    })
  })

  it.each<[string, Partial<Finding>, Record<string, unknown>]>([
    ['a score that is not a number is left out', { score: Number.NaN }, {}],
    ['an infinite score is left out', { score: Number.POSITIVE_INFINITY }, {}],
    ['a zero score is kept', { score: 0 }, { cvssScore: 0 }],
    ['base false is left out', { base: false }, {}],
    [
      'a package without purl or path names only name, version and type',
      { package: { name: 'zlib', version: '1.3', type: 'apk' } },
      { package: { name: 'zlib', version: '1.3', type: 'apk' } },
    ],
    [
      'a fix with no versions keeps its state and an empty list',
      { fix: { state: 'not-fixed', versions: [] } },
      { fixState: 'not-fixed', fixedVersions: [] },
    ],
    [
      'an EPSS score without percentile or date has neither',
      { epss: { cve: 'CVE-2024-0001', score: 0.01, source: 'grype' } },
      { epss: { cve: 'CVE-2024-0001', score: 0.01, source: 'grype' } },
    ],
    [
      'an EPSS score that is not a number is left out',
      { epss: { cve: 'CVE-2024-0001', score: Number.NaN, source: 'grype' } },
      {},
    ],
    [
      'a suppressed gate status is copied',
      { gate: { status: 'suppressed', source: 'vex' } },
      { gate: { status: 'suppressed', source: 'vex' } },
    ],
  ])('%s', (_name, overrides, extra) => {
    expect(onlyResult(bareVulnerability(overrides)).properties).toEqual({
      kind: 'vulnerability',
      severity: 'medium',
      detectedBy: ['grype'],
      ...extra,
    })
  })

  it('keeps the first 20 aliases and fixed versions, each flattened to one line of at most 100 characters', () => {
    const aliases = Array.from({ length: 25 }, (_, i) => `ALIAS-${i + 1}`)
    aliases[0] = 'GHSA-\nline'
    aliases[1] = 'A'.repeat(120)
    const versions = Array.from({ length: 22 }, (_, i) => `1.${i}`)
    versions[0] = ' 2.0\t(backport) '
    const properties = onlyResult(
      bareVulnerability({ aliases, fix: { state: 'fixed', versions } }),
    ).properties!
    expect(properties.aliases).toEqual([
      'GHSA- line',
      `${'A'.repeat(99)}…`,
      ...Array.from({ length: 18 }, (_, i) => `ALIAS-${i + 3}`),
    ])
    expect(properties.fixedVersions).toEqual([
      '2.0 (backport)',
      ...Array.from({ length: 19 }, (_, i) => `1.${i + 1}`),
    ])
  })

  it('flattens package fields and the subject to one line', () => {
    const properties = onlyResult(
      bareVulnerability({
        subject: 'ENV\nTOKEN',
        package: {
          name: 'a\nb',
          version: '1\t2',
          type: 'n\npm',
          purl: 'pkg:npm/a\nb',
          path: '/app/\npackage.json',
        },
      }),
    ).properties!
    expect(properties.subject).toBe('ENV TOKEN')
    expect(properties.package).toEqual({
      name: 'a b',
      version: '1 2',
      type: 'n pm',
      purl: 'pkg:npm/a b',
      path: '/app/ package.json',
    })
  })
})

describe('result location', () => {
  it.each<[string, Finding, BuildSarifOptions, string, { startLine: number; endLine?: number }]>([
    [
      'an image finding sits on the image repository',
      bareVulnerability(),
      PER_IMAGE,
      'library/alpine',
      { startLine: 1 },
    ],
    [
      'a Dockerfile finding sits on its path and lines',
      builtinFinding({ location: { path: 'docker/Dockerfile', startLine: 3, endLine: 6 } }),
      PER_IMAGE,
      'docker/Dockerfile',
      { startLine: 3, endLine: 6 },
    ],
    [
      'dockerfileUri replaces the path attribution saw',
      builtinFinding({ location: { path: '/abs/Dockerfile', startLine: 2 } }),
      { runPer: 'image', dockerfileUri: 'build/Dockerfile' },
      'build/Dockerfile',
      { startLine: 2 },
    ],
    [
      'an end line equal to the start line is kept',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 4, endLine: 4 } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 4, endLine: 4 },
    ],
    [
      'an end line before the start line is dropped',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 4, endLine: 3 } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 4 },
    ],
    [
      'an end line that is not a number is dropped',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 4, endLine: Number.NaN } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 4 },
    ],
    [
      'fractional lines are cut down',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 2.9, endLine: 5.5 } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 2, endLine: 5 },
    ],
    [
      'a start line of 0 becomes 1',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 0 } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 1 },
    ],
    [
      'a start line below 1 becomes 1',
      builtinFinding({ location: { path: 'Dockerfile', startLine: 0.5, endLine: 2 } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 1, endLine: 2 },
    ],
    [
      'a start line that is not a number becomes 1',
      builtinFinding({ location: { path: 'Dockerfile', startLine: Number.NaN } }),
      PER_IMAGE,
      'Dockerfile',
      { startLine: 1 },
    ],
  ])('%s', (_name, finding, options, uri, region) => {
    expect(onlyResult(finding, options).locations).toEqual([
      { physicalLocation: { artifactLocation: { uri }, region } },
    ])
  })

  it.each([
    ['', 'image'],
    ['alpine', 'image'],
    ['localhost:5000/app', 'localhost%3A5000/app'],
  ])('an image finding of repository %j sits on %j', (repository, uri) => {
    expect(
      onlyResult(bareVulnerability(), PER_IMAGE, repository).locations?.[0]?.physicalLocation
        ?.artifactLocation,
    ).toEqual({ uri })
  })
})

describe('result suppressions', () => {
  it.each<[string, Finding['suppression'], string]>([
    [
      'with an expiry',
      { kind: 'ignore', reason: 'not reachable', expires: '2027-01-01' },
      'ignore: not reachable (until 2027-01-01)',
    ],
    [
      'without an expiry',
      { kind: 'vex', reason: 'vulnerable_code_not_present' },
      'vex: vulnerable_code_not_present',
    ],
    ['on several lines', { kind: 'baseline', reason: 'known\nbefore' }, 'baseline: known before'],
  ])('an external accepted suppression %s', (_name, suppression, justification) => {
    expect(onlyResult(bareVulnerability({ suppression })).suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification },
    ])
  })

  it('has no suppressions key without a suppression', () => {
    expect(onlyResult(bareVulnerability())).not.toHaveProperty('suppressions')
  })
})

describe('tool extensions', () => {
  it('names each scanner of the image once, with its version, status and origin', () => {
    const scanners: ScannerRun[] = [
      scannerRun({ scanner: 'trivy', name: 'Trivy', version: '0.58.1', origin: 'run' }),
      scannerRun({ scanner: 'trivy', name: 'Trivy again', version: '9', status: 'failed' }),
      scannerRun({ scanner: 'grype', name: '', version: undefined, origin: undefined, status: 'skipped' }),
      scannerRun({ scanner: 'osv', name: 'OSV\nScanner', version: 'v2.0.2', origin: 'report' }),
    ]
    const [run] = runsOf([imageResult({ scanners, findings: [] })])
    expect(run?.tool.extensions).toEqual([
      {
        name: 'trivy',
        fullName: 'Trivy 0.58.1',
        version: '0.58.1',
        properties: { status: 'ok', origin: 'run' },
      },
      { name: 'grype', fullName: 'grype', properties: { status: 'skipped' } },
      {
        name: 'osv',
        fullName: 'OSV Scanner v2.0.2',
        version: 'v2.0.2',
        properties: { status: 'ok', origin: 'report' },
      },
    ])
  })

  it('adds, in a per-image run, a bare entry for a scanner only a finding names', () => {
    const [run] = runsOf([
      imageResult({
        scanners: [scannerRun({ scanner: 'trivy', name: 'Trivy', version: '1', origin: undefined })],
        findings: [bareVulnerability({ detectedBy: ['trivy', 'snyk'] })],
      }),
    ])
    expect(run?.tool.extensions).toEqual([
      { name: 'trivy', fullName: 'Trivy 1', version: '1', properties: { status: 'ok' } },
      { name: 'snyk' },
    ])
  })

  it('has no extensions key when no scanner ran and no finding names one', () => {
    const [run] = runsOf([imageResult({ scanners: [], findings: [] })])
    expect(run?.tool).not.toHaveProperty('extensions')
  })
})

describe('invocations', () => {
  it('is successful with no notifications when every scanner ran', () => {
    const [run] = runsOf([imageResult({ scanners: [scannerRun({ status: 'ok' })] })])
    expect(run?.invocations).toEqual([{ executionSuccessful: true }])
  })

  it('is unsuccessful when a scanner failed, and notes every scanner that did not run', () => {
    const scanners: ScannerRun[] = [
      scannerRun({
        scanner: 'trivy',
        name: 'Trivy',
        target: 'app:1',
        status: 'failed',
        message: 'exit 2: no space left',
      }),
      scannerRun({ scanner: 'grype', name: 'Grype', target: 'app:1', status: 'skipped', message: undefined }),
      scannerRun({ scanner: 'osv', name: 'OSV-Scanner', target: 'app:1', status: 'ok' }),
    ]
    const [run] = runsOf([imageResult({ target: 'app:1', scanners })])
    expect(run?.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          { level: 'error', message: { text: 'Trivy failed on app:1: exit 2: no space left' } },
          { level: 'note', message: { text: 'Grype was skipped on app:1: no reason given' } },
        ],
      },
    ])
  })

  it('is successful when scanners were only skipped', () => {
    const [run] = runsOf([
      imageResult({
        scanners: [scannerRun({ name: 'Dockle', status: 'skipped', message: 'no image archive' })],
      }),
    ])
    expect(run?.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          { level: 'note', message: { text: 'Dockle was skipped on alpine:3.17: no image archive' } },
        ],
      },
    ])
  })
})

describe('run properties', () => {
  it('names the image as the user named it and its stable identity', () => {
    const [run] = runsOf([imageResult({ target: 'ghcr.io/acme/app:pr-7', repository: 'ghcr.io/acme/app' })])
    expect(run?.properties).toEqual({ image: 'ghcr.io/acme/app:pr-7', repository: 'ghcr.io/acme/app' })
  })

  it('uses the unnamed identity for a repository without a slash', () => {
    const [run] = runsOf([imageResult({ target: 'scan.tar', repository: 'scan' })])
    expect(run?.properties).toEqual({ image: 'scan.tar', repository: 'image' })
  })
})

describe('per-scanner runs', () => {
  const summaryOf = (runs: Run[]) =>
    runs.map((run) => ({
      category: run.automationDetails?.id,
      extensions: run.tool.extensions,
      results: (run.results ?? []).map((r) => r.ruleId),
    }))

  it('gives a failed scanner no run when it found nothing, and a run when it did', () => {
    const image = imageResult({
      scanners: [
        scannerRun({ scanner: 'trivy', name: 'Trivy', version: '1', origin: undefined, status: 'failed' }),
        scannerRun({ scanner: 'grype', name: 'Grype', version: '2', origin: undefined, status: 'failed' }),
      ],
      findings: [bareVulnerability({ detectedBy: ['grype'] })],
    })
    expect(summaryOf(runsOf([image], PER_SCANNER))).toEqual([
      {
        category: 'container-security-gate/library/alpine/grype/',
        extensions: [{ name: 'grype', fullName: 'Grype 2', version: '2', properties: { status: 'failed' } }],
        results: ['CVE-2024-0001'],
      },
    ])
  })

  it('keeps the run of a scanner that failed on one target and ran on another', () => {
    const image = imageResult({
      scanners: [
        scannerRun({
          scanner: 'trivy',
          name: 'Trivy',
          target: 'a',
          version: '1',
          origin: undefined,
          status: 'failed',
        }),
        scannerRun({
          scanner: 'trivy',
          name: 'Trivy',
          target: 'b',
          version: '1',
          origin: undefined,
          status: 'ok',
        }),
      ],
      findings: [],
    })
    const runs = runsOf([image], PER_SCANNER)
    expect(summaryOf(runs)).toEqual([
      {
        category: 'container-security-gate/library/alpine/trivy/',
        extensions: [{ name: 'trivy', fullName: 'Trivy 1', version: '1', properties: { status: 'failed' } }],
        results: [],
      },
    ])
    expect(runs[0]?.invocations?.[0]?.executionSuccessful).toBe(false)
  })

  it('gives a scanner only a finding names a run of its own, as if it ran, naming no other scanner', () => {
    const image = imageResult({
      scanners: [scannerRun({ scanner: 'trivy', name: 'Trivy', version: '1', origin: undefined })],
      findings: [
        bareVulnerability({ detectedBy: ['snyk', 'trivy'] }),
        bareVulnerability({ ruleId: 'X', detectedBy: [] }),
      ],
    })
    const runs = runsOf([image], PER_SCANNER)
    expect(summaryOf(runs)).toEqual([
      {
        category: 'container-security-gate/library/alpine/snyk/',
        extensions: [{ name: 'snyk', fullName: 'snyk', properties: { status: 'ok' } }],
        results: ['CVE-2024-0001'],
      },
      {
        category: 'container-security-gate/library/alpine/trivy/',
        extensions: [{ name: 'trivy', fullName: 'Trivy 1', version: '1', properties: { status: 'ok' } }],
        results: ['CVE-2024-0001'],
      },
      {
        category: 'container-security-gate/library/alpine/unattributed/',
        extensions: [{ name: 'unattributed', fullName: 'unattributed', properties: { status: 'ok' } }],
        results: ['X'],
      },
    ])
    expect(runs.map((r) => r.invocations)).toEqual([
      [{ executionSuccessful: true }],
      [{ executionSuccessful: true }],
      [{ executionSuccessful: true }],
    ])
  })
})

describe('sarif-severity floor', () => {
  const high = bareVulnerability({ ruleId: 'H', severity: 'high' })
  const low = bareVulnerability({ ruleId: 'L', severity: 'low' })

  it('returns the result itself with no note without a floor', () => {
    const result = resultOf([imageResult({ findings: [high, low] })])
    const floored = applySarifFloor(result, undefined)
    expect(floored.result).toBe(result)
    expect(floored.below).toBe(0)
    expect(floored.notes).toEqual([])
  })

  it('returns the result itself with no note when nothing is below the floor', () => {
    const result = resultOf([imageResult({ findings: [high] })])
    const floored = applySarifFloor(result, 'medium')
    expect(floored.result).toBe(result)
    expect(floored.below).toBe(0)
    expect(floored.notes).toEqual([])
  })

  it('drops what is below the floor, keeps untouched images as they are and says how many were left out', () => {
    const untouched = imageResult({ target: 'a', findings: [high] })
    const result = resultOf([untouched, imageResult({ target: 'b', findings: [low, high, low] })])
    const floored = applySarifFloor(result, 'medium')
    expect(floored.below).toBe(2)
    expect(floored.result.images[0]).toBe(untouched)
    expect(floored.result.images[1]?.findings.map((f) => f.ruleId)).toEqual(['H'])
    expect(result.images[1]?.findings.map((f) => f.ruleId)).toEqual(['L', 'H', 'L'])
    expect(floored.notes).toEqual([
      '2 finding(s) below sarif-severity medium were left out of the SARIF log and the annotations; ' +
        'they are in the findings file and counted above, and the gate judged them as usual.',
    ])
  })

  it.each<[Finding['severity'], Finding['severity'] | undefined, boolean]>([
    ['unknown', undefined, true],
    ['low', 'low', true],
    ['low', 'medium', false],
    ['critical', 'high', true],
    ['unknown', 'low', false],
  ])('a %s finding meets the floor %s: %s', (severity, floor, meets) => {
    expect(meetsSarifFloor(bareVulnerability({ severity }), floor)).toBe(meets)
  })
})
