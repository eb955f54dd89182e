import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Log, Result, Run } from 'sarif'
import { fingerprintOf } from '../../src/findings/fingerprint.js'
import { buildSarif, type BuildSarifOptions } from '../../src/report/sarif.js'
import { assertUniqueCategories } from '../../src/report/sarif-limits.js'
import type { GateResult } from '../../src/report/gate-result.js'
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../../src/version.js'
import {
  builtinFinding,
  gateResult,
  imageResult,
  mixedFindings,
  scannerRun,
  secretFinding,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'
import { runMultitoolGithubRules, validateSarifSchema } from '../helpers/sarif-check.js'

let dir: string
const written: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sarif-test-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Builds the log, checks it against the schema and the invariants GitHub needs, keeps it for the Multitool. */
async function build(result: GateResult, options: BuildSarifOptions): Promise<Log> {
  const log = buildSarif(result, options)
  expect(validateSarifSchema(log)).toEqual([])
  assertUniqueCategories(log)
  expectGithubShape(log)
  const file = join(dir, `log-${written.length}.sarif`)
  await writeFile(file, JSON.stringify(log, null, 2))
  written.push(file)
  return log
}

function expectGithubShape(log: Log): void {
  expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json')
  expect(log.version).toBe('2.1.0')
  for (const run of log.runs) {
    const rules = run.tool.driver.rules ?? []
    expect(run.automationDetails?.id).toMatch(/^[^/\s]+\/.+\/$/)
    for (const rule of rules) {
      expect(rule.shortDescription?.text).toBeTruthy()
      expect(rule.fullDescription?.text).toBeTruthy()
      expect(rule.help?.text).toBeTruthy()
      expect(rule.help?.markdown).toBeTruthy()
      expect(rule.name).toMatch(/^[A-Za-z][A-Za-z0-9]*$/)
      expect(rule.properties?.tags).toContain('security')
      expect((rule.properties?.tags ?? []).length).toBeLessThanOrEqual(10)
      expect(rule.properties?.precision).toMatch(/^(very-high|high|medium|low)$/)
    }
    for (const result of run.results ?? []) {
      expect(result.locations).toHaveLength(1)
      const physical = result.locations?.[0]?.physicalLocation
      const uri = physical?.artifactLocation?.uri ?? ''
      expect(uri).not.toMatch(/[:\s]/)
      expect(uri).not.toMatch(/^\//)
      expect(physical?.region?.startLine).toBeGreaterThanOrEqual(1)
      expect(result.partialFingerprints?.primaryLocationLineHash).toMatch(/^[0-9a-f]{64}:1$/)
      expect(result.message.text).not.toMatch(/\n/)
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId)
    }
  }
}

function resultsOf(run: Run | undefined): Result[] {
  return run?.results ?? []
}

function ruleOf(run: Run | undefined, id: string) {
  return run?.tool.driver.rules?.find((r) => r.id === id)
}

describe('buildSarif, one run per image', () => {
  it('describes the tool, the scanners and the category of the image', async () => {
    const log = await build(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    expect(log.runs).toHaveLength(1)
    const run = log.runs[0]!
    expect(run.tool.driver).toMatchObject({
      name: TOOL_NAME,
      version: TOOL_VERSION,
      informationUri: TOOL_URI,
    })
    expect(run.tool.extensions?.map((e) => [e.name, e.version])).toEqual([
      ['builtin', TOOL_VERSION],
      ['trivy', '0.58.1'],
      ['grype', '0.86.1'],
    ])
    expect(run.automationDetails?.id).toBe('container-security-gate/library/alpine/')
    expect(run.invocations?.[0]?.executionSuccessful).toBe(true)
  })

  it('shares one rule between the packages a CVE affects, at the highest severity', async () => {
    const log = await build(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    const run = log.runs[0]
    const rule = ruleOf(run, 'CVE-2023-0286')!
    expect(run?.tool.driver.rules?.filter((r) => r.id === 'CVE-2023-0286')).toHaveLength(1)
    // One package is high (7.4), the other critical (9.8): the rule takes the critical one's score.
    expect(rule.properties?.['security-severity']).toBe('9.8')
    expect(rule.properties?.precision).toBe('very-high')
    expect(rule.properties?.tags).toEqual(['security', 'vulnerability', 'grype', 'trivy'])
    expect(rule.help?.markdown).toContain('libcrypto3')
    expect(rule.help?.markdown).toContain('libssl3')
    expect(rule.help?.markdown).toContain('3.0.8-r0')
    expect(rule.help?.markdown).toContain(
      '[https://nvd.nist.gov/vuln/detail/CVE-2023-0286](https://nvd.nist.gov/vuln/detail/CVE-2023-0286)',
    )
    expect(rule.help?.markdown).toContain('CVSS score')
    const results = resultsOf(run).filter((r) => r.ruleId === 'CVE-2023-0286')
    expect(results.map((r) => r.level)).toEqual(['error', 'error'])
    expect(results.map((r) => r.message.text)).toEqual([
      'CVE-2023-0286 in libssl3 3.0.7-r0 (apk), fixed in 3.0.8-r0 — found by trivy, grype',
      'CVE-2023-0286 in libcrypto3 3.0.7-r0 (apk), fixed in 3.0.8-r0 — found by trivy, grype',
    ])
  })

  it.each([
    ['CVE-2022-48174', 'warning', '5.5'],
    ['CVE-2023-5678', 'note', '2.0'],
    ['GHSA-c2qf-rxjj-qqgw', 'note', undefined],
    ['CSG001', 'error', '8.0'],
    ['CSG010', 'error', '9.5'],
  ])('maps %s to level %s and security-severity %s', async (ruleId, level, securitySeverity) => {
    const log = await build(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    const run = log.runs[0]
    expect(resultsOf(run).find((r) => r.ruleId === ruleId)?.level).toBe(level)
    expect(ruleOf(run, ruleId)?.properties?.['security-severity']).toBe(securitySeverity)
  })

  it('uses the default for the severity when the CVSS score disagrees with it', async () => {
    const finding = vulnerability({ severity: 'critical', score: 7.5 })
    const log = await build(gateResult([imageResult({ findings: [finding] })]), { runPer: 'image' })
    expect(ruleOf(log.runs[0], finding.ruleId)?.properties?.['security-severity']).toBe('9.5')
  })

  it('places builtin findings on their Dockerfile line with the check help', async () => {
    const log = await build(gateResult([imageResult({ findings: [builtinFinding(), secretFinding()] })]), {
      runPer: 'image',
    })
    const run = log.runs[0]
    const secret = resultsOf(run).find((r) => r.ruleId === 'CSG010')!
    expect(secret.locations?.[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: 'Dockerfile' },
      region: { startLine: 4, endLine: 5 },
    })
    expect(ruleOf(run, 'CSG001')?.help).toEqual(builtinFinding().help)
    expect(ruleOf(run, 'CSG010')?.properties?.precision).toBe('medium')
    // The masked evidence is not copied into the log, let alone a raw value.
    expect(JSON.stringify(log)).not.toContain('wJal')
  })

  it('uses the dockerfile URI option and a stable image path otherwise', async () => {
    const findings = [
      builtinFinding({ location: { path: '/home/runner/work/app/app/docker/Dockerfile', startLine: 3 } }),
      vulnerability(),
    ]
    const log = await build(gateResult([imageResult({ findings })]), {
      runPer: 'image',
      dockerfileUri: 'docker/Dockerfile',
    })
    const uris = resultsOf(log.runs[0]).map((r) => [
      r.ruleId,
      r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
      r.locations?.[0]?.physicalLocation?.region?.startLine,
    ])
    // Both are high; the CVE's CVSS score puts it first.
    expect(uris).toEqual([
      ['CVE-2023-0286', 'library/alpine', 1],
      ['CSG001', 'docker/Dockerfile', 3],
    ])
  })

  it('makes relative, colon-free URIs from any repository or path', async () => {
    const findings = [
      vulnerability(),
      builtinFinding({ location: { path: './build/my Dockerfile:prod', startLine: 0, endLine: -3 } }),
    ]
    const image = imageResult({
      target: 'localhost:5000/team/app:ci',
      repository: 'localhost:5000/team/app',
      findings,
    })
    const log = await build(gateResult([image]), { runPer: 'image' })
    const locations = resultsOf(log.runs[0]).map((r) => r.locations?.[0]?.physicalLocation)
    expect(locations).toEqual([
      { artifactLocation: { uri: 'localhost%3A5000/team/app' }, region: { startLine: 1 } },
      { artifactLocation: { uri: 'build/my%20Dockerfile%3Aprod' }, region: { startLine: 1 } },
    ])
  })

  it('keeps suppressed findings, marked as externally suppressed', async () => {
    const log = await build(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    const suppressed = resultsOf(log.runs[0]).find((r) => r.ruleId === 'CVE-2023-5678')
    expect(suppressed?.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'ignore: Not reachable: we never call DH_generate_key (until 2027-01-01)',
      },
    ])
    expect(resultsOf(log.runs[0])).toHaveLength(mixedFindings().length)
  })

  it('records package, layer, detectors and fix state in result properties', async () => {
    const log = await build(gateResult([imageResult({ findings: [vulnerability()] })]), { runPer: 'image' })
    expect(resultsOf(log.runs[0])[0]?.properties).toMatchObject({
      package: { name: 'libcrypto3', version: '3.0.7-r0', type: 'apk' },
      layerDiffId: 'sha256:8d3ac3489996423f53d6087c81180006263b79f206d3fdec9e66f0e27ceb8759',
      detectedBy: ['trivy', 'grype'],
      fixState: 'fixed',
      fixedVersions: ['3.0.8-r0'],
    })
    expect(JSON.stringify(log)).not.toContain('ADD file:1234')
  })

  it('gives two images two runs with different categories', async () => {
    const nginx = imageResult({
      target: 'ghcr.io/acme/web:1.2.3',
      repository: 'ghcr.io/acme/web',
      findings: [vulnerability({ target: 'ghcr.io/acme/web:1.2.3' })],
    })
    const log = await build(gateResult([imageResult({ findings: mixedFindings() }), nginx]), {
      runPer: 'image',
    })
    expect(log.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/library/alpine/',
      'container-security-gate/ghcr.io/acme/web/',
    ])
  })

  it('tells apart two tags of one repository by their order, never by the tag (#11)', async () => {
    const a = imageResult({ target: 'alpine:3.18', findings: [vulnerability({ target: 'alpine:3.18' })] })
    const b = imageResult({ target: 'docker.io/library/alpine:3.19@sha256:abcd', findings: [] })
    const ab = await build(gateResult([a, b]), { runPer: 'image' })
    expect(ab.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/library/alpine/',
      'container-security-gate/library/alpine~2/',
    ])
  })

  it('still gives distinct categories to the same image named twice', async () => {
    const log = await build(gateResult([imageResult(), imageResult()]), { runPer: 'image' })
    expect(log.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/library/alpine/',
      'container-security-gate/library/alpine~2/',
    ])
  })

  it('takes the matrix and the category input into the category of every run', async () => {
    const image = imageResult({ findings: [vulnerability()] })
    const leg = await build(gateResult([image]), {
      runPer: 'scanner',
      categories: { matrix: { variant: 'alpine' } },
    })
    expect(leg.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/variant:alpine/library/alpine/builtin/',
      'container-security-gate/variant:alpine/library/alpine/grype/',
      'container-security-gate/variant:alpine/library/alpine/trivy/',
    ])
    const named = await build(gateResult([image]), { runPer: 'image', categories: { category: 'web' } })
    expect(named.runs.map((r) => r.automationDetails?.id)).toEqual(['web/library/alpine/'])
  })

  it('reports a failed scanner in the invocation', async () => {
    const image = imageResult({
      findings: [builtinFinding()],
      scanners: [
        scannerRun({ scanner: 'builtin', name: 'Built-in checks' }),
        scannerRun({ status: 'failed', message: 'exit code 2: database download failed' }),
      ],
    })
    const log = await build(gateResult([image]), { runPer: 'image' })
    expect(log.runs[0]?.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'Trivy failed on alpine:3.17: exit code 2: database download failed' },
          },
        ],
      },
    ])
  })

  it('writes an empty run for an image without findings, so fixed alerts close', async () => {
    const log = await build(gateResult([imageResult()]), { runPer: 'image' })
    expect(log.runs).toHaveLength(1)
    expect(log.runs[0]?.results).toEqual([])
    expect(log.runs[0]?.tool.driver.rules).toEqual([])
  })
})

describe('buildSarif, one run per scanner', () => {
  it('gives each scanner of each image its run, with the findings it detected', async () => {
    const image = imageResult({ findings: mixedFindings() })
    const log = await build(gateResult([image]), { runPer: 'scanner' })
    expect(log.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/library/alpine/builtin/',
      'container-security-gate/library/alpine/grype/',
      'container-security-gate/library/alpine/trivy/',
    ])
    for (const run of log.runs) {
      expect(run.tool.driver.name).toBe(TOOL_NAME)
      expect(run.tool.extensions).toHaveLength(1)
      const scanner = run.tool.extensions?.[0]?.name ?? ''
      const expected = image.findings.filter((f) => f.detectedBy.includes(scanner)).length
      expect(resultsOf(run)).toHaveLength(expected)
    }
    // The CVE both trivy and grype found is in both runs, with the same fingerprint.
    const fingerprints = log.runs
      .slice(1)
      .map((run) => resultsOf(run).find((r) => r.ruleId === 'CVE-2023-0286')?.partialFingerprints)
    expect(fingerprints[0]).toEqual(fingerprints[1])
  })

  it('writes no run for a failed scanner, so its open alerts are not closed', async () => {
    const image = imageResult({
      findings: [builtinFinding()],
      scanners: [
        scannerRun({ scanner: 'builtin', name: 'Built-in checks' }),
        scannerRun({ status: 'failed', message: 'timeout' }),
        scannerRun({ scanner: 'grype', name: 'Grype', status: 'skipped', message: 'not installed' }),
      ],
    })
    const log = await build(gateResult([image]), { runPer: 'scanner' })
    expect(log.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/library/alpine/builtin/',
    ])
  })

  it('loses no finding that names no scanner', async () => {
    const image = imageResult({ findings: [vulnerability({ detectedBy: [] }), builtinFinding()] })
    const log = await build(gateResult([image]), { runPer: 'scanner' })
    const runs = log.runs.map((r) => [r.automationDetails?.id, r.results?.length])
    expect(runs).toContainEqual(['container-security-gate/library/alpine/unattributed/', 1])
    expect(log.runs.reduce((n, r) => n + (r.results?.length ?? 0), 0)).toBe(2)
  })

  it('keeps categories unique for two tags of one repository', async () => {
    const a = imageResult({ target: 'alpine:3.18', findings: [vulnerability({ target: 'alpine:3.18' })] })
    const b = imageResult({ target: 'alpine:3.19', findings: [vulnerability({ target: 'alpine:3.19' })] })
    const log = await build(gateResult([a, b]), { runPer: 'scanner' })
    expect(log.runs).toHaveLength(6)
    expect(new Set(log.runs.map((r) => r.automationDetails?.id)).size).toBe(6)
  })
})

describe('fingerprints', () => {
  it('are identical when the same input is built twice', () => {
    const result = gateResult([imageResult({ findings: mixedFindings() })])
    expect(JSON.stringify(buildSarif(result, { runPer: 'image' }))).toBe(
      JSON.stringify(buildSarif(result, { runPer: 'image' })),
    )
  })

  it('do not change with the package version, the tag or the digest', () => {
    const before = gateResult([
      imageResult({ target: 'alpine:3.17', findings: [vulnerability({ target: 'alpine:3.17' })] }),
    ])
    const after = gateResult([
      imageResult({
        target: 'alpine:3.18@sha256:1111',
        imageId: 'sha256:2222',
        findings: [
          vulnerability({
            target: 'alpine:3.18@sha256:1111',
            package: { name: 'libcrypto3', version: '3.1.0-r0', type: 'apk' },
            layer: { diffId: 'sha256:3333' },
          }),
        ],
      }),
    ])
    const fingerprint = (result: GateResult) =>
      buildSarif(result, { runPer: 'image' }).runs[0]?.results?.[0]?.partialFingerprints
        ?.primaryLocationLineHash
    expect(fingerprint(after)).toBe(fingerprint(before))
    expect(fingerprint(before)).toBe(fingerprintOf(vulnerability(), 'library/alpine'))
  })

  it('differ between packages and between repositories', () => {
    const other = vulnerability({ package: { name: 'libssl3', version: '3.0.7-r0', type: 'apk' } })
    expect(fingerprintOf(other, 'library/alpine')).not.toBe(fingerprintOf(vulnerability(), 'library/alpine'))
    expect(fingerprintOf(vulnerability(), 'library/debian')).not.toBe(
      fingerprintOf(vulnerability(), 'library/alpine'),
    )
  })

  it('keep rule ids free of versions and digests', () => {
    const log = buildSarif(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    for (const rule of log.runs[0]?.tool.driver.rules ?? []) {
      expect(rule.id).not.toMatch(/sha256|3\.0\.7/)
    }
  })
})

describe('hostile text', () => {
  it('keeps a crafted title on one line and out of the help markdown links', async () => {
    const finding = vulnerability({
      ruleId: 'CVE-2099-0001',
      title: 'evil <script>alert(1)</script> [x](javascript:alert(1))\nsecond line',
      description: '| pipe | and\r\nnewlines',
      references: ['javascript:alert(1)', 'https://example.com/a b'],
    })
    const log = await build(gateResult([imageResult({ findings: [finding] })]), { runPer: 'image' })
    const rule = ruleOf(log.runs[0], 'CVE-2099-0001')!
    expect(rule.shortDescription?.text).not.toContain('\n')
    expect(rule.help?.markdown).not.toContain('<script>')
    expect(rule.help?.markdown).not.toContain('](javascript:')
    expect(rule.helpUri).toBe('https://example.com/a%20b')
  })
})

describe('GitHub ingestion rules', () => {
  it('report no error on any log built above (SARIF Multitool, Gh;Sarif)', async () => {
    expect(written.length).toBeGreaterThan(10)
    // A log GitHub would reject rides along in the same (slow) call, to prove the check can fail.
    const broken = buildSarif(gateResult([imageResult({ findings: [vulnerability()] })]), { runPer: 'image' })
    delete broken.runs[0]?.results?.[0]?.locations
    const brokenFile = join(dir, 'broken.sarif')
    await writeFile(brokenFile, JSON.stringify(broken))
    const findings = await runMultitoolGithubRules([...written, brokenFile])
    const errors = findings.filter((f) => f.level === 'error')
    expect(errors.filter((f) => f.file !== brokenFile)).toEqual([])
    expect(errors.filter((f) => f.file === brokenFile).map((f) => f.ruleId)).toContain('GH1015')
  }, 300_000)
})
