/**
 * Scanners installed and run for real through the built CLI: Trivy and Grype releases served under
 * their upstream asset names from a loopback host (`--tools-mirror`), each archive holding a small
 * executable that replays a report in the scanner's real format. Install → verify → run → parse →
 * merge → attribute → gate, a second run that downloads nothing, and every install and run fault.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PLANTED_DOCKERFILE, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type BuiltImage } from '../../scripts/lib/image-builder.js'
import { grypeTool } from '../../src/scanners/grype.js'
import { trivyTool } from '../../src/scanners/trivy.js'
import { currentPlatform } from '../../src/tools/platform.js'
import type { ToolSpec } from '../../src/tools/tool-spec.js'
import { runAction } from '../helpers/action-runner.js'
import { runCli, type CliRun } from '../helpers/cli-runner.js'
import {
  checksumsFile,
  makeTarGz,
  makeZip,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { replayScannerScript, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { grypeReport, trivyReport, type ReportVulnerability } from '../helpers/scanner-reports.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

interface FindingJson {
  ruleId: string
  aliases: string[]
  detectedBy: string[]
  severity: string
  package?: { name: string }
  location?: { startLine: number }
}

const TRIVY_VERSION = '0.65.0'
const GRYPE_VERSION = '0.90.0'
const platform = currentPlatform()

let work: string
let image: string
let dockerfile: string
let built: BuiltImage
let server: ReleaseServer
let vulns: ReportVulnerability[]

async function publish(
  spec: ToolSpec,
  version: string,
  replay: Omit<ReplayScannerOptions, 'name'>,
  options: { corruptChecksum?: boolean } = {},
): Promise<string> {
  const asset = spec.asset(version, platform)!
  const script = replayScannerScript({ ...replay, callLog: null })
  const body =
    asset.format === 'zip'
      ? makeZip([{ name: asset.executable, content: script }])
      : await makeTarGz([{ name: asset.executable, content: script }])
  const tag = spec.tag(version)
  const path = server.addAsset(spec.repository, tag, asset.name, body)
  const checksums = spec.checksums(version)
  if (checksums.kind === 'checksums-file') {
    const listed = options.corruptChecksum ? Buffer.concat([body, Buffer.from('tampered')]) : body
    server.addAsset(spec.repository, tag, checksums.name, checksumsFile({ [asset.name]: listed }))
  }
  return path
}

async function publishBoth(
  overrides: { trivy?: Partial<ReplayScannerOptions>; grype?: Partial<ReplayScannerOptions> } = {},
): Promise<void> {
  await publish(trivyTool, TRIVY_VERSION, {
    report: trivyReport('acme/app:1.0', vulns),
    outputFlags: ['--output'],
    ...overrides.trivy,
  })
  await publish(grypeTool, GRYPE_VERSION, {
    report: grypeReport('acme/app:1.0', vulns.slice(0, 2)),
    outputFlags: ['--file'],
    ...overrides.grype,
  })
}

function scan(toolCache: string, extra: string[] = [], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(
    [
      'scan',
      image,
      '--scanners',
      'builtin,trivy,grype',
      '--trivy-version',
      TRIVY_VERSION,
      '--grype-version',
      GRYPE_VERSION,
      '--tools-mirror',
      server.url,
      '--dockerfile',
      dockerfile,
      '--fail-on',
      'critical',
      ...extra,
    ],
    { env: { RUNNER_TOOL_CACHE: toolCache, ...env } },
  )
}

beforeAll(async () => {
  work = await tempDir('csg-e2e-scanners-')
  image = join(work, 'app.tar')
  dockerfile = join(work, 'Dockerfile')
  await writeFile(dockerfile, PLANTED_DOCKERFILE)
  built = await writeImage(plantedImage(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
  const layer = (i: number): string => built.layers[i]!.diffId
  vulns = [
    {
      cve: 'CVE-2024-1111',
      ghsa: 'GHSA-aaaa-bbbb-cccc',
      pkg: 'openssl',
      version: '3.1.0-r0',
      fixed: '3.1.4-r0',
      diffId: layer(1),
      trivySeverity: 'CRITICAL',
      grypeSeverity: 'High',
    },
    {
      cve: 'CVE-2024-2222',
      ghsa: 'GHSA-dddd-eeee-ffff',
      pkg: 'busybox',
      version: '1.36.1-r0',
      fixed: '1.36.1-r2',
      diffId: layer(0),
      trivySeverity: 'HIGH',
      grypeSeverity: 'High',
    },
    {
      cve: 'CVE-2024-3333',
      ghsa: 'GHSA-gggg-hhhh-iiii',
      pkg: 'libcurl',
      version: '8.5.0-r0',
      fixed: '8.6.0-r0',
      diffId: layer(2),
      trivySeverity: 'MEDIUM',
      grypeSeverity: 'Medium',
    },
  ]
  server = await startReleaseServer()
})

afterAll(async () => server.close())

describe('Trivy and Grype installed from a release host and run', () => {
  let toolCache: string
  let first: CliRun
  let doc: { verdict: { result: string }; findings: FindingJson[] }

  beforeAll(async () => {
    await publishBoth()
    toolCache = await tempDir('csg-tool-cache-')
    server.clearRequests()
    const json = join(work, 'findings.json')
    first = await scan(toolCache, ['--json', json])
    doc = JSON.parse(await readFile(json, 'utf8'))
  })

  it('installs from the mirror under the upstream asset names, verifying the checksum files', () => {
    const paths = server.requests.map((r) => r.path)
    expect(paths).toContain(
      `/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/${trivyTool.asset(TRIVY_VERSION, platform)!.name}`,
    )
    expect(paths).toContain(
      `/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_checksums.txt`,
    )
    expect(paths).toContain(
      `/anchore/grype/releases/download/v${GRYPE_VERSION}/${grypeTool.asset(GRYPE_VERSION, platform)!.name}`,
    )
    expect(paths).toContain(
      `/anchore/grype/releases/download/v${GRYPE_VERSION}/grype_${GRYPE_VERSION}_checksums.txt`,
    )
  })

  it('fails the gate on the critical vulnerability (exit 1)', () => {
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(1)
    expect(doc.verdict.result).toBe('fail')
  })

  it('merges the CVE from Trivy with the GHSA from Grype into one finding crediting both', () => {
    const openssl = doc.findings.filter((f) => f.package?.name === 'openssl')
    expect(openssl).toHaveLength(1)
    expect(openssl[0]!.ruleId).toBe('CVE-2024-1111')
    expect(openssl[0]!.aliases).toContain('GHSA-aaaa-bbbb-cccc')
    expect(openssl[0]!.detectedBy).toEqual(['grype', 'trivy'])
    expect(openssl[0]!.severity).toBe('critical') // severity-source highest
    const curl = doc.findings.filter((f) => f.package?.name === 'libcurl')
    expect(curl.map((f) => f.detectedBy)).toEqual([['trivy']])
  })

  it('puts each vulnerability on the Dockerfile line whose layer brought it in', () => {
    const line = (pkg: string): number | undefined =>
      doc.findings.find((f) => f.package?.name === pkg)?.location?.startLine
    const lines = PLANTED_DOCKERFILE.split('\n')
    expect(lines[line('openssl')! - 1]).toMatch(/^RUN echo/)
    expect(lines[line('libcurl')! - 1]).toMatch(/^COPY id_rsa/)
    expect(lines[line('busybox')! - 1]).toMatch(/^FROM /)
  })

  it('keeps stdout pure JSON with --format json while it installs scanners', async () => {
    const run = await scan(await tempDir('csg-tool-cache-'), ['--format', 'json'])
    expect(run.stdout).not.toMatch(/::debug::|\[command\]/)
    expect(JSON.parse(run.stdout).version).toBe(1)
  })

  it('keeps stdout one JSON document while tar lists what it extracts (RUNNER_DEBUG=1: tar -v)', async () => {
    const run = await scan(await tempDir('csg-tool-cache-'), ['--format', 'json'], {
      RUNNER_DEBUG: '1',
    })
    expect(JSON.parse(run.stdout).version).toBe(1)
    // tar's listing went to stderr instead.
    expect(run.stderr).toMatch(/^trivy$/m)
  })

  it('caches the scanners: a second run downloads nothing', async () => {
    server.clearRequests()
    const second = await scan(toolCache)
    expect(second.exitCode).toBe(1)
    expect(server.requests).toEqual([])
  })
})

describe('install and run faults', () => {
  const freshCache = (): Promise<string> => tempDir('csg-tool-cache-')
  const trivyAssetPath = (): string =>
    server.assetPath(
      trivyTool.repository,
      trivyTool.tag(TRIVY_VERSION),
      trivyTool.asset(TRIVY_VERSION, platform)!.name,
    )

  it('a version that is not a version → exit 2 naming the input', async () => {
    const run = await runCli(['scan', image, '--scanners', 'trivy', '--trivy-version', 'newest'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/trivy-version: "newest" is not a version/)
  })

  it('a checksum mismatch → exit 3, and nothing is cached', async () => {
    await publish(trivyTool, TRIVY_VERSION, { report: trivyReport('x', []) }, { corruptChecksum: true })
    const cache = await freshCache()
    const run = await scan(cache, ['--scanners', 'trivy'])
    expect(run.exitCode).toBe(3)
    expect(run.stdout + run.stderr).toMatch(/checksum mismatch/i)
    expect(existsSync(join(cache, 'trivy')) ? await readdir(join(cache, 'trivy')) : []).toEqual([])
  })

  it('a 404 for the asset → exit 3 naming the URL', async () => {
    await publishBoth()
    server.alwaysFault(trivyAssetPath(), { status: 404 })
    try {
      const run = await scan(await freshCache(), ['--scanners', 'trivy'])
      expect(run.exitCode).toBe(3)
      expect(run.stdout + run.stderr).toContain(`${server.url}${trivyAssetPath()}`)
    } finally {
      server.alwaysFault(trivyAssetPath(), undefined)
    }
  })

  it('a release host answering 500 twice, then 200 → retried, and the scan completes', async () => {
    await publishBoth()
    server.fault(trivyAssetPath(), { status: 500 }, { status: 500 })
    const run = await scan(await freshCache(), ['--scanners', 'trivy'])
    expect(run.exitCode).toBe(1)
    expect(server.requestsTo(trivyAssetPath()).length).toBeGreaterThanOrEqual(3)
  })

  it('a truncated archive → exit 3', async () => {
    await publishBoth()
    server.fault(
      trivyAssetPath(),
      { truncateAfterBytes: 40 },
      { truncateAfterBytes: 40 },
      { truncateAfterBytes: 40 },
      { truncateAfterBytes: 40 },
    )
    const run = await scan(await freshCache(), ['--scanners', 'trivy'])
    expect(run.exitCode).toBe(3)
    expect(run.stdout + run.stderr).toMatch(/trivy/i)
  })

  it('a scanner that exits with an error → exit 3 with its stderr tail, not "vulnerabilities found"', async () => {
    await publishBoth({
      trivy: {
        exitCode: 1,
        stderr: 'FATAL\tinit error: unable to open database: disk I/O error\n',
        report: undefined,
      },
    })
    const run = await scan(await freshCache(), ['--scanners', 'trivy'])
    expect(run.exitCode).toBe(3)
    expect(run.stdout + run.stderr).toContain('unable to open database: disk I/O error')
  })

  it('a scanner that hangs past --scan-timeout → killed, exit 3', async () => {
    await publishBoth({ trivy: { sleepMs: 60_000 } })
    const started = Date.now()
    const run = await scan(await freshCache(), ['--scanners', 'trivy', '--scan-timeout', '3s'])
    expect(run.exitCode).toBe(3)
    expect(run.stdout + run.stderr).toMatch(/did not finish within the scan timeout \(3s\)/)
    expect(Date.now() - started).toBeLessThan(50_000)
  })

  it('a report that is not valid JSON → exit 3 naming the scanner', async () => {
    await publishBoth({ trivy: { report: '{"SchemaVersion": 2, "Results": [' } })
    const run = await scan(await freshCache(), ['--scanners', 'trivy'])
    expect(run.exitCode).toBe(3)
    expect(run.stdout + run.stderr).toMatch(/trivy/)
    expect(run.stdout + run.stderr).toMatch(/JSON/i)
  })
})

describe('the built action with Trivy and Grype', () => {
  it('installs, verifies, runs, parses and caches; a second run makes no download', async () => {
    await publishBoth()
    const toolCache = await tempDir('csg-action-tool-cache-')
    const inputs = {
      image,
      scanners: 'builtin,trivy,grype',
      'trivy-version': TRIVY_VERSION,
      'grype-version': GRYPE_VERSION,
      'tools-mirror': server.url,
      'fail-on': 'critical',
      upload: 'never',
      dockerfile,
    }
    server.clearRequests()
    const first = await runAction({ inputs, env: { RUNNER_TOOL_CACHE: toolCache } })
    expect(first.exitCode).toBe(1)
    expect(first.outputs['result']).toBe('fail')
    expect(server.requests.length).toBeGreaterThanOrEqual(4)
    const sarif = JSON.parse(await readFile(first.outputs['sarif-file']!, 'utf8'))
    const extensions = sarif.runs[0].tool.extensions.map((e: { name: string }) => e.name.toLowerCase())
    expect(extensions).toEqual(expect.arrayContaining(['trivy', 'grype']))
    server.clearRequests()
    const second = await runAction({ inputs, env: { RUNNER_TOOL_CACHE: toolCache } })
    expect(second.outputs['result']).toBe('fail')
    expect(server.requests).toEqual([])
  })
})
