/**
 * OSV-Scanner, Dockle, hadolint, Snyk and cosign installed through the built CLI from a loopback release
 * host under their real upstream asset names and checksum sources (checksum lists or per-asset .sha256
 * files), each a small executable replaying a report in the scanner's real format; plus the requirement
 * checks that stop Docker Bench and Cinc Auditor where no Docker daemon runs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PLANTED_DOCKERFILE, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { cosignTool } from '../../src/scanners/cosign.js'
import { dockleTool } from '../../src/scanners/dockle.js'
import { hadolintTool } from '../../src/scanners/hadolint.js'
import { osvScannerTool } from '../../src/scanners/osv-scanner.js'
import { snykTool } from '../../src/scanners/snyk.js'
import { currentPlatform } from '../../src/tools/platform.js'
import type { ToolSpec } from '../../src/tools/tool-spec.js'
import { runCli } from '../helpers/cli-runner.js'
import {
  checksumsFile,
  makeTarGz,
  makeZip,
  sha256Hex,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { replayScannerScript, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const platform = currentPlatform()
let work: string
let image: string
let dockerfile: string
let server: ReleaseServer

/** Serves `spec`'s asset for `version` holding a replaying executable, with its checksum source. */
async function publish(
  spec: ToolSpec,
  version: string,
  replay: Omit<ReplayScannerOptions, 'name'>,
): Promise<void> {
  const asset = spec.asset(version, platform)!
  const script = Buffer.from(replayScannerScript({ ...replay, callLog: null }))
  const body =
    asset.format === 'raw'
      ? script
      : asset.format === 'zip'
        ? makeZip([{ name: asset.executable, content: script }])
        : await makeTarGz([{ name: asset.executable, content: script }])
  const tag = spec.tag(version)
  server.addAsset(spec.repository, tag, asset.name, body)
  const checksums = spec.checksums(version)
  if (checksums.kind === 'checksums-file')
    server.addAsset(spec.repository, tag, checksums.name, checksumsFile({ [asset.name]: body }))
  else if (checksums.kind === 'per-asset')
    server.addAsset(
      spec.repository,
      tag,
      `${asset.name}${checksums.suffix}`,
      `${sha256Hex(body)} *${asset.name}\n`,
    )
  else throw new Error(`unexpected checksum source ${checksums.kind}`)
}

const OSV_REPORT = JSON.stringify({
  results: [
    {
      source: { path: '/tmp/app.tar', type: 'image' },
      packages: [
        {
          package: { name: 'openssl', version: '3.1.0-r0', ecosystem: 'Alpine:v3.19' },
          vulnerabilities: [
            {
              id: 'ALPINE-CVE-2024-1111',
              aliases: ['CVE-2024-1111'],
              summary: 'openssl: a problem',
              affected: [
                {
                  package: { ecosystem: 'Alpine:v3.19', name: 'openssl' },
                  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.1.4-r0' }] }],
                },
              ],
              severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
            },
          ],
          groups: [
            {
              ids: ['ALPINE-CVE-2024-1111'],
              aliases: ['ALPINE-CVE-2024-1111', 'CVE-2024-1111'],
              max_severity: '7.5',
            },
          ],
        },
      ],
    },
  ],
})

const DOCKLE_REPORT = JSON.stringify({
  image: 'app.tar',
  summary: { fatal: 1, warn: 1, info: 0, skip: 0, pass: 14 },
  details: [
    {
      code: 'CIS-DI-0001',
      title: 'Create a user for the container',
      level: 'WARN',
      alerts: ['Last user should not be root'],
    },
    {
      code: 'CIS-DI-0010',
      title: 'Do not store credential in environment variables/files',
      level: 'FATAL',
      alerts: ['Suspicious ENV key found : DB_PASSWORD'],
    },
  ],
})

const HADOLINT_REPORT = JSON.stringify([
  {
    line: 1,
    code: 'DL3007',
    message: 'Using latest is prone to errors',
    column: 1,
    file: 'Dockerfile',
    level: 'warning',
  },
  {
    line: 7,
    code: 'DL3020',
    message: 'Use COPY instead of ADD for files and folders',
    column: 1,
    file: 'Dockerfile',
    level: 'error',
  },
])

const SNYK_REPORT = JSON.stringify({
  ok: false,
  vulnerabilities: [
    {
      id: 'SNYK-ALPINE319-OPENSSL-6191692',
      title: 'Out-of-bounds Read',
      severity: 'high',
      packageName: 'openssl',
      version: '3.1.0-r0',
      identifiers: { CVE: ['CVE-2024-1111'], CWE: ['CWE-125'] },
      from: ['docker-image|app.tar@latest', 'openssl@3.1.0-r0'],
      fixedIn: ['3.1.4-r0'],
      cvssScore: 7.5,
      references: [{ title: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2024-1111' }],
    },
  ],
  packageManager: 'apk',
  dependencyCount: 12,
  uniqueCount: 1,
  projectName: 'docker-image|app.tar',
  path: 'app.tar',
  docker: { baseImage: 'alpine:3.19' },
})

interface FindingJson {
  ruleId: string
  severity: string
  detectedBy: string[]
  aliases: string[]
  package?: { name: string }
  location?: { startLine: number }
}

async function scan(
  scanners: string,
  extra: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number | null; stderr: string; findings: FindingJson[] }> {
  const json = join(work, `${scanners.replace(/,/g, '-')}.json`)
  const toolCache = await tempDir('csg-more-cache-')
  const run = await runCli(
    [
      'scan',
      image,
      '--scanners',
      scanners,
      '--tools-mirror',
      server.url,
      '--dockerfile',
      dockerfile,
      '--fail-on',
      'none',
      '--json',
      json,
      ...extra,
    ],
    {
      env: { RUNNER_TOOL_CACHE: toolCache, ...env },
    },
  )
  const findings =
    run.exitCode === 0
      ? (JSON.parse(await readFile(json, 'utf8')) as { findings: FindingJson[] }).findings
      : []
  return { exitCode: run.exitCode, stderr: run.stderr + (run.exitCode === 0 ? '' : '\n'), findings }
}

beforeAll(async () => {
  work = await tempDir('csg-e2e-more-')
  image = join(work, 'app.tar')
  dockerfile = join(work, 'Dockerfile')
  await writeFile(dockerfile, PLANTED_DOCKERFILE)
  await writeImage(plantedImage(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
  server = await startReleaseServer()
  await publish(osvScannerTool, '2.5.0', { report: OSV_REPORT, outputFlags: ['--output-file'], exitCode: 1 })
  await publish(dockleTool, '0.4.13', { report: DOCKLE_REPORT, outputFlags: ['--output'] })
  await publish(hadolintTool, '2.13.1', { report: HADOLINT_REPORT, reportToStdout: true })
  await publish(snykTool, '1.1300.0', {
    report: SNYK_REPORT,
    outputFlags: ['--json-file-output'],
    exitCode: 1,
  })
  await publish(cosignTool, '3.0.0', { exitCode: 0 })
})
afterAll(async () => server.close())

describe('scanners installed from a release host and run through the CLI', () => {
  it('osv-scanner: exit 1 ("vulnerabilities found") is a completed scan; one finding per group and package', async () => {
    const r = await scan('osv-scanner', ['--osv-scanner-version', '2.5.0'])
    expect(r.stderr.trim()).toBe('')
    expect(r.exitCode).toBe(0)
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.package?.name])).toEqual([
      ['CVE-2024-1111', 'high', 'openssl'],
    ])
  })

  it('dockle: FATAL → high, WARN → medium', async () => {
    const r = await scan('dockle', ['--dockle-version', '0.4.13'])
    expect(r.exitCode).toBe(0)
    expect(r.findings.map((f) => [f.ruleId, f.severity]).sort()).toEqual([
      ['CIS-DI-0001', 'medium'],
      ['CIS-DI-0010', 'high'],
    ])
  })

  it('hadolint: findings on their Dockerfile lines', async () => {
    const r = await scan('hadolint', ['--hadolint-version', '2.13.1'])
    expect(r.exitCode).toBe(0)
    expect(r.findings.map((f) => [f.ruleId, f.location?.startLine]).sort()).toEqual([
      ['DL3007', 1],
      ['DL3020', 7],
    ])
  })

  it('snyk with SNYK_TOKEN: exit 1 is a completed scan, merged with osv-scanner on the CVE', async () => {
    const r = await scan(
      'osv-scanner,snyk',
      ['--osv-scanner-version', '2.5.0', '--snyk-version', '1.1300.0'],
      { SNYK_TOKEN: 'snyk-test-token-value' },
    )
    expect(r.exitCode).toBe(0)
    const openssl = r.findings.filter((f) => f.package?.name === 'openssl')
    expect(openssl).toHaveLength(1)
    expect(openssl[0]!.detectedBy).toEqual(['osv-scanner', 'snyk'])
    expect(openssl[0]!.aliases).toContain('SNYK-ALPINE319-OPENSSL-6191692')
  })

  it('snyk without SNYK_TOKEN: an error that says why, and the scan is not called clean (exit 3)', async () => {
    const r = await scan('snyk', ['--snyk-version', '1.1300.0'])
    expect(r.exitCode).toBe(3)
  })

  it('cosign: an image with no registry digest is an unverifiable-signature finding of the configured severity', async () => {
    const r = await scan('cosign', [
      '--cosign-version',
      '3.0.0',
      '--cosign-key',
      'cosign.pub',
      '--cosign-severity',
      'medium',
    ])
    expect(r.exitCode).toBe(0)
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['csg/cosign-unverifiable', 'medium']])
  })

  it.each(['docker-bench', 'cinc-auditor'])(
    '%s where no Docker daemon runs: exit 3, or skipped with --continue-on-scanner-error',
    async (id) => {
      const noDocker = { PATH: '/nonexistent' }
      const failed = await runCli(['scan', image, '--scanners', id], { env: noDocker })
      expect(failed.exitCode).toBe(3)
      expect(failed.stdout + failed.stderr).toMatch(/Docker daemon/)
      const skipped = await runCli(
        ['scan', image, '--scanners', `builtin,${id}`, '--continue-on-scanner-error', '--fail-on', 'none'],
        { env: noDocker },
      )
      expect(skipped.exitCode).toBe(0)
      expect(skipped.stdout).toMatch(/skipped/i)
    },
  )
})

describe('container-security-gate install --dry-run', () => {
  it.each([
    [
      'linux-x64',
      {
        trivy: 'trivy_0.70.0_Linux-64bit.tar.gz',
        grype: 'grype_0.111.0_linux_amd64.tar.gz',
        'osv-scanner': 'osv-scanner_linux_amd64',
        dockle: 'dockle_0.4.14_Linux-64bit.tar.gz',
        hadolint: 'hadolint-linux-x86_64',
        snyk: 'snyk-linux',
        cosign: 'cosign-linux-amd64',
      },
    ],
    [
      'linux-arm64',
      {
        trivy: 'trivy_0.70.0_Linux-ARM64.tar.gz',
        grype: 'grype_0.111.0_linux_arm64.tar.gz',
        'osv-scanner': 'osv-scanner_linux_arm64',
        dockle: 'dockle_0.4.14_Linux-ARM64.tar.gz',
        hadolint: 'hadolint-linux-arm64',
        snyk: 'snyk-linux-arm64',
        cosign: 'cosign-linux-arm64',
      },
    ],
    [
      'darwin-arm64',
      {
        trivy: 'trivy_0.70.0_macOS-ARM64.tar.gz',
        grype: 'grype_0.111.0_darwin_arm64.tar.gz',
        'osv-scanner': 'osv-scanner_darwin_arm64',
        dockle: 'dockle_0.4.14_macOS-ARM64.tar.gz',
        hadolint: 'hadolint-macos-arm64',
        snyk: 'snyk-macos-arm64',
        cosign: 'cosign-darwin-arm64',
      },
    ],
    [
      'win32-x64',
      {
        trivy: 'trivy_0.70.0_windows-64bit.zip',
        grype: 'grype_0.111.0_windows_amd64.zip',
        'osv-scanner': 'osv-scanner_windows_amd64.exe',
        hadolint: 'hadolint-windows-x86_64.exe',
        snyk: 'snyk-win.exe',
        cosign: 'cosign-windows-amd64.exe',
      },
    ],
  ])("%s names each scanner's real upstream asset", async (platformName, assets) => {
    const r = await runCli([
      'install',
      '--dry-run',
      '--scanners',
      Object.keys(assets).join(','),
      '--platform',
      platformName,
    ])
    expect(r.exitCode).toBe(0)
    for (const [id, asset] of Object.entries(assets))
      expect(r.stdout).toMatch(
        new RegExp(`^${id} .*\\n  asset: +https://github\\.com/.*/${asset.replace(/\./g, '\\.')}$`, 'm'),
      )
  })

  it('refuses a platform a scanner does not publish with a clear line (exit 3)', async () => {
    const r = await runCli(['install', '--dry-run', '--scanners', 'dockle', '--platform', 'win32-x64'])
    expect(r.exitCode).toBe(3)
    expect(r.stderr).toMatch(/dockle does not publish a win32-x64 build/)
  })

  it('refuses an unknown platform (exit 2)', async () => {
    const r = await runCli(['install', '--dry-run', '--scanners', 'trivy', '--platform', 'plan9-mips'])
    expect(r.exitCode).toBe(2)
  })
})
