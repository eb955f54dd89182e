/**
 * Cases where the real scanners behave differently from what a first reading suggests, through the built
 * CLI: an InSpec report in which every control was skipped (dev-sec cis-docker-benchmark inside a
 * container), cosign v3 refusing a new-format bundle from another signer ("no matching attestations",
 * exit 1), hadolint's one `checksums.sha256` from v2.15.0 on, and Trivy and Grype naming one image
 * differently.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { cosignTool } from '../../src/scanners/cosign.js'
import { hadolintTool } from '../../src/scanners/hadolint.js'
import { trivyTool } from '../../src/scanners/trivy.js'
import { currentPlatform } from '../../src/tools/platform.js'
import { runCli } from '../helpers/cli-runner.js'
import {
  checksumsFile,
  hadolintChecksumDocuments,
  makeTarGz,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { replayScannerScript } from '../helpers/replay-scanner.js'
import { grypeReport, trivyReport } from '../helpers/scanner-reports.js'
import { inspecReport } from '../scanners/inspec-fixtures.js'

let work: string
let server: ReleaseServer

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'csg-e2e-cases-'))
  server = await startReleaseServer()
})
afterAll(async () => {
  await server.close()
  await rm(work, { recursive: true, force: true })
})

describe('an InSpec report that checked nothing', () => {
  // What InSpec writes for dev-sec cis-docker-benchmark run against a container: every control has
  // `only_if('docker not found')` (controls/container_images.rb and the others) and is skipped.
  const skip = {
    status: 'skipped' as const,
    code_desc: 'No-op',
    skip_message: 'Skipped control due to only_if condition: docker not found',
  }

  it('is a scanner error (exit 3), and with --continue-on-scanner-error still says so', async () => {
    const report = join(work, 'all-skipped.json')
    await writeFile(
      report,
      inspecReport([
        {
          name: 'cis-docker-benchmark',
          controls: [
            { id: 'docker-4.1', impact: 1, results: [skip] },
            { id: 'docker-5.1', impact: 1, results: [skip] },
          ],
        },
      ]),
    )
    const failed = await runCli(['scan', '--report', `cinc-auditor:${report}`])
    expect(failed.exitCode).toBe(3)
    expect(failed.stdout + failed.stderr).toMatch(/checked nothing: every control was skipped \(2 of 2\)/)
    const tolerated = await runCli([
      'scan',
      '--report',
      `cinc-auditor:${report}`,
      '--continue-on-scanner-error',
    ])
    expect(tolerated.exitCode).toBe(0)
    expect(tolerated.stdout).toMatch(/FAILED: cinc-auditor report: .*checked nothing/)
  })

  it('counts skipped controls of a run that checked something', async () => {
    const report = join(work, 'some-skipped.json')
    await writeFile(
      report,
      inspecReport([
        {
          name: 'linux-baseline',
          controls: [
            { id: 'os-05', impact: 1, results: [{ status: 'failed', code_desc: 'login.defs mode' }] },
            { id: 'os-06', impact: 1, results: [{ status: 'passed', code_desc: 'suid' }] },
            { id: 'sysctl-01', impact: 1, results: [skip] },
          ],
        },
      ]),
    )
    const json = join(work, 'some-skipped-findings.json')
    const run = await runCli([
      'scan',
      '--report',
      `cinc-auditor:${report}`,
      '--fail-on',
      'none',
      '--json',
      json,
    ])
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(/1 of 3 controls skipped/)
    const doc = JSON.parse(await readFile(json, 'utf8')) as { findings: { ruleId: string }[] }
    expect(doc.findings.map((f) => f.ruleId)).toEqual(['os-05'])
  })
})

describe('cosign v3 and a new-format bundle from another signer', () => {
  it('is the "not signed by a trusted signer" finding, not a scanner error', async () => {
    const version = '3.0.9'
    const asset = cosignTool.asset(version, currentPlatform())!
    // cosign v3.1.1: verify.go verifies new-format bundles with cosign.VerifyImageAttestations; none
    // verifying is ErrNoMatchingAttestations (pkg/cosign/verify.go), which exit_code_lookup.go maps to
    // no code, so main.go's log.Fatalf prints it and exits 1.
    const script = replayScannerScript({
      callLog: null,
      exitCode: 1,
      stderr:
        '2026/12/02 10:00:00 error during command execution: no matching attestations: ' +
        'failed to verify signature: crypto/ecdsa: verification error\n',
    })
    const tag = cosignTool.tag(version)
    server.addAsset(cosignTool.repository, tag, asset.name, script)
    const checksums = cosignTool.checksums(version)
    if (checksums.kind !== 'checksums-file') throw new Error('expected a checksums file')
    server.addAsset(cosignTool.repository, tag, checksums.name, checksumsFile({ [asset.name]: script }))

    const digest = `sha256:${'a'.repeat(64)}`
    const layout = join(work, 'signed-oci')
    await writeImage(plantedImage(), {
      format: 'oci-dir',
      out: layout,
      repoTag: `ghcr.io/acme/app@${digest}`,
    })
    const json = join(work, 'cosign-findings.json')
    const run = await runCli(
      [
        'scan',
        `oci:${layout}:ghcr.io/acme/app@${digest}`,
        '--scanners',
        'cosign',
        '--cosign-version',
        version,
        '--cosign-key',
        'cosign.pub',
        '--cosign-severity',
        'high',
        '--tools-mirror',
        server.url,
        '--fail-on',
        'none',
        '--json',
        json,
      ],
      { env: { RUNNER_TOOL_CACHE: join(work, 'tool-cache') } },
    )
    expect([run.exitCode, run.exitCode === 0 ? '' : run.stdout + run.stderr]).toEqual([0, ''])
    const doc = JSON.parse(await readFile(json, 'utf8')) as {
      findings: { ruleId: string; severity: string }[]
    }
    expect(doc.findings.map((f) => [f.ruleId, f.severity])).toEqual([['csg/cosign-unsigned', 'high']])
  })
})

describe('hadolint from 2.15 on', () => {
  it.each([
    ['2.15.0', '2.15.0'],
    ['2.13.1', '2.13.1'],
    // `latest` resolved through the releases API to a release with the new checksum document.
    ['latest', '2.15.0'],
  ])(
    '%s installs against the checksum document its release workflow publishes',
    async (requested, version) => {
      const asset = hadolintTool.asset(version, currentPlatform())!
      const script = replayScannerScript({ callLog: null, report: '[]', reportToStdout: true })
      const tag = hadolintTool.tag(version)
      server.addAsset(hadolintTool.repository, tag, asset.name, script)
      server.setLatest(hadolintTool.repository, tag)
      // What hadolint's release.yml at that tag writes beside the binaries (release-server.ts).
      for (const [name, body] of Object.entries(hadolintChecksumDocuments(version, { [asset.name]: script })))
        server.addAsset(hadolintTool.repository, tag, name, body)
      const dockerfile = join(work, 'Dockerfile')
      await writeFile(dockerfile, 'FROM alpine:3.19\n')
      const image = join(work, 'app.tar')
      await writeImage(plantedImage(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
      const run = await runCli(
        [
          'scan',
          image,
          '--fail-on',
          'none',
          '--dockerfile',
          dockerfile,
          '--scanners',
          'hadolint',
          '--hadolint-version',
          requested,
          '--tools-mirror',
          server.url,
        ],
        {
          env: {
            RUNNER_TOOL_CACHE: join(work, `tool-cache-hadolint-${requested}`),
            GITHUB_API_URL: server.url,
          },
        },
      )
      expect([run.exitCode, run.exitCode === 0 ? '' : run.stdout + run.stderr]).toEqual([0, ''])
    },
  )
})

describe('reports that name one image differently', () => {
  const vuln = {
    cve: 'CVE-2024-1111',
    ghsa: 'GHSA-aaaa-bbbb-cccc',
    pkg: 'openssl',
    version: '3.1.0-r0',
    fixed: '3.1.4-r0',
    diffId: `sha256:${'1'.repeat(64)}`,
    trivySeverity: 'CRITICAL' as const,
    grypeSeverity: 'High' as const,
  }

  it.each([
    // `trivy image --input app.tar` names the artifact "app.tar"; `grype docker-archive:app.tar` keeps the scheme.
    ['an archive with and without its transport prefix', 'app.tar', 'docker-archive:app.tar', undefined],
    // Same image ID (Trivy Metadata.ImageID, Grype source.target.imageID) under two names.
    [
      'one image ID under two names',
      'acme/app:1.0',
      'docker:ghcr.io/acme/app:ci',
      `sha256:${'0'.repeat(64)}`,
    ],
  ])('%s: one image, the CVE merged across both', async (_name, trivyName, grypeName, trivyImageId) => {
    const trivy = JSON.parse(trivyReport(trivyName, [vuln])) as { Metadata: Record<string, unknown> }
    if (trivyImageId !== undefined) trivy.Metadata.ImageID = trivyImageId
    const trivyFile = join(work, 'merge-trivy.json')
    const grypeFile = join(work, 'merge-grype.json')
    await writeFile(trivyFile, JSON.stringify(trivy))
    await writeFile(grypeFile, grypeReport(grypeName, [vuln]))
    const json = join(work, 'merge.json')
    const run = await runCli([
      'scan',
      '--report',
      `trivy:${trivyFile}`,
      '--report',
      `grype:${grypeFile}`,
      '--fail-on',
      'none',
      '--json',
      json,
    ])
    expect(run.exitCode).toBe(0)
    const doc = JSON.parse(await readFile(json, 'utf8')) as {
      images: { target: string }[]
      findings: { ruleId: string; detectedBy: string[] }[]
    }
    expect(doc.images.map((i) => i.target)).toEqual([trivyName])
    expect(doc.findings.map((f) => [f.ruleId, f.detectedBy])).toEqual([['CVE-2024-1111', ['grype', 'trivy']]])
  })
})

describe('a .trivyignore.yaml as ignore-file', () => {
  it('suppresses with the statement as reason; an expired entry suppresses nothing and is reported', async () => {
    const vulns = ['CVE-2024-1111', 'CVE-2024-2222'].map((cve, i) => ({
      cve,
      ghsa: `GHSA-aaaa-bbbb-ccc${i}`,
      pkg: `pkg${i}`,
      version: '1.0',
      fixed: '1.1',
      diffId: `sha256:${'1'.repeat(64)}`,
      trivySeverity: 'HIGH' as const,
      grypeSeverity: 'High' as const,
    }))
    const report = join(work, 'ignore-trivy.json')
    await writeFile(report, trivyReport('app.tar', vulns))
    const ignore = join(work, '.trivyignore.yaml')
    await writeFile(
      ignore,
      [
        'vulnerabilities:',
        '  - id: CVE-2024-1111',
        '    statement: not reachable from the entrypoint',
        '  - id: CVE-2024-2222',
        '    expired_at: 2024-01-31',
        '',
      ].join('\n'),
    )
    const json = join(work, 'ignore.json')
    const run = await runCli([
      'scan',
      '--report',
      `trivy:${report}`,
      '--ignore-file',
      ignore,
      '--fail-on',
      'high',
      '--json',
      json,
    ])
    // CVE-2024-2222's entry expired: it fails the gate again.
    expect(run.exitCode).toBe(1)
    const doc = JSON.parse(await readFile(json, 'utf8')) as {
      findings: { ruleId: string; suppression?: { reason: string } }[]
    }
    // Failing findings first (the expired entry's CVE), then the suppressed one.
    expect(doc.findings.map((f) => [f.ruleId, f.suppression?.reason ?? null])).toEqual([
      ['CVE-2024-2222', null],
      ['CVE-2024-1111', 'not reachable from the entrypoint'],
    ])
    expect(run.stdout + run.stderr).toMatch(/CVE-2024-2222.*expired on 2024-01-31/)
  })
})

describe("Trivy's Java DB in the offline fallback", () => {
  it.each([
    ['no Java DB cached: --skip-db-update only', false],
    ['a Java DB cached: both skip flags', true],
  ])('%s, and the scan completes', async (_name, javaDbCached) => {
    const version = '0.69.2'
    const asset = trivyTool.asset(version, currentPlatform())!
    const state = join(work, `trivy-calls-${String(javaDbCached)}`)
    const callLog = join(work, `trivy-argv-${String(javaDbCached)}.jsonl`)
    const script = replayScannerScript({
      callLog,
      report: trivyReport('app.tar', []),
      outputFlags: ['--output'],
      // Trivy 0.70 refuses --skip-java-db-update without a Java DB (pkg/javadb/client.go).
      trivyJavaDb: true,
      firstCallsFail: {
        count: 1,
        stateFile: state,
        exitCode: 1,
        stderr:
          'FATAL\tFatal error\tinit error: DB error: failed to download vulnerability DB: ' +
          'GET https://mirror.gcr.io/v2/aquasec/trivy-db/manifests/2: TOOMANYREQUESTS: rate limited\n',
      },
    })
    const body = await makeTarGz([{ name: asset.executable, content: script }])
    const tag = trivyTool.tag(version)
    server.addAsset(trivyTool.repository, tag, asset.name, body)
    const checksums = trivyTool.checksums(version)
    if (checksums.kind !== 'checksums-file') throw new Error('expected a checksums file')
    server.addAsset(trivyTool.repository, tag, checksums.name, checksumsFile({ [asset.name]: body }))
    // A cache restored from an earlier run: the vulnerability DB, and the Java DB only in the second case.
    const cache = join(work, `trivy-cache-${String(javaDbCached)}`)
    await mkdir(join(cache, 'db'), { recursive: true })
    await writeFile(join(cache, 'db', 'metadata.json'), '{"Version":2}')
    if (javaDbCached) {
      await mkdir(join(cache, 'java-db'), { recursive: true })
      await writeFile(join(cache, 'java-db', 'metadata.json'), '{"Version":1}')
    }
    const image = join(work, 'app.tar')
    await writeImage(plantedImage(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
    const run = await runCli(
      ['scan', image, '--scanners', 'trivy', '--trivy-version', version, '--tools-mirror', server.url],
      {
        env: {
          RUNNER_TOOL_CACHE: join(work, `tool-cache-trivy-${String(javaDbCached)}`),
          TRIVY_CACHE_DIR: cache,
        },
      },
    )
    expect([run.exitCode, run.exitCode === 0 ? '' : run.stdout + run.stderr]).toEqual([0, ''])
    expect(run.stderr).toMatch(/cached database/)
    const calls = (await readFile(callLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { argv: string[] }).argv)
    expect(calls).toHaveLength(2)
    expect(calls[1]).toContain('--skip-db-update')
    expect(calls[1]!.includes('--skip-java-db-update')).toBe(javaDbCached)
  })
})
