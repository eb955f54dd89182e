/**
 * One image in three forms — docker-archive, OCI layout directory, OCI archive — scanned through the
 * built CLI by stand-ins that open the image as the real tools do (replay-image-input.ts): Trivy refuses
 * an OCI archive tar, OSV-Scanner and Dockle read docker-archives only. Each form must give the same
 * findings, on the same layers and Dockerfile lines.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PLANTED_DOCKERFILE, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type ImageFormat } from '../../scripts/lib/image-builder.js'
import { dockleTool } from '../../src/scanners/dockle.js'
import { osvScannerTool } from '../../src/scanners/osv-scanner.js'
import { trivyTool } from '../../src/scanners/trivy.js'
import { currentPlatform } from '../../src/tools/platform.js'
import type { ToolSpec } from '../../src/tools/tool-spec.js'
import { runCli, type CliRun } from '../helpers/cli-runner.js'
import {
  checksumsFile,
  makeTarGz,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { DOCKLE_INPUT, OSV_SCANNER_INPUT, TRIVY_INPUT } from '../helpers/replay-image-input.js'
import { replayScannerScript, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { trivyReport } from '../helpers/scanner-reports.js'

const platform = currentPlatform()
let work: string
let dockerfile: string
let server: ReleaseServer
const images: Partial<Record<ImageFormat, string>> = {}

async function publish(
  spec: ToolSpec,
  version: string,
  replay: Omit<ReplayScannerOptions, 'name'>,
): Promise<void> {
  const asset = spec.asset(version, platform)!
  const script = Buffer.from(replayScannerScript({ ...replay, callLog: null }))
  const body =
    asset.format === 'raw' ? script : await makeTarGz([{ name: asset.executable, content: script }])
  const tag = spec.tag(version)
  server.addAsset(spec.repository, tag, asset.name, body)
  const checksums = spec.checksums(version)
  if (checksums.kind !== 'checksums-file') throw new Error('expected a checksums file')
  server.addAsset(spec.repository, tag, checksums.name, checksumsFile({ [asset.name]: body }))
}

/** Trivy's report with the image's own ID and diff IDs left for the stand-in to fill in. */
function trivyTemplate(): string {
  const report = JSON.parse(
    trivyReport('app', [
      {
        cve: 'CVE-2024-1111',
        ghsa: 'GHSA-aaaa-bbbb-cccc',
        pkg: 'openssl',
        version: '3.1.0-r0',
        fixed: '3.1.4-r0',
        diffId: '__DIFF_ID_1__',
        trivySeverity: 'CRITICAL',
        grypeSeverity: 'High',
      },
      {
        cve: 'CVE-2024-3333',
        ghsa: 'GHSA-gggg-hhhh-iiii',
        pkg: 'libcurl',
        version: '8.5.0-r0',
        fixed: '8.6.0-r0',
        diffId: '__DIFF_ID_2__',
        trivySeverity: 'MEDIUM',
        grypeSeverity: 'Medium',
      },
    ]),
  ) as { Metadata: Record<string, unknown> }
  report.Metadata.ImageID = '__IMAGE_ID__'
  return JSON.stringify(report)
}

interface FindingJson {
  ruleId: string
  detectedBy: string[]
  package?: { name: string }
  layer?: { diffId: string }
  location?: { startLine: number }
}

async function scan(form: ImageFormat, scanners: string): Promise<{ run: CliRun; findings: FindingJson[] }> {
  const json = join(work, `${form}-${scanners.replace(/,/g, '-')}.json`)
  const toolCache = await mkdtemp(join(work, 'tool-cache-'))
  const run = await runCli(
    [
      'scan',
      images[form]!,
      '--scanners',
      scanners,
      '--trivy-version',
      '0.69.3',
      '--osv-scanner-version',
      '2.5.0',
      '--dockle-version',
      '0.4.13',
      '--tools-mirror',
      server.url,
      '--dockerfile',
      dockerfile,
      '--fail-on',
      'none',
      '--json',
      json,
      '--verbose',
    ],
    { env: { RUNNER_TOOL_CACHE: toolCache } },
  )
  const findings =
    run.exitCode === 0
      ? (JSON.parse(await readFile(json, 'utf8')) as { findings: FindingJson[] }).findings
      : []
  return { run, findings }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'csg-e2e-forms-'))
  dockerfile = join(work, 'Dockerfile')
  await writeFile(dockerfile, PLANTED_DOCKERFILE)
  const forms: [ImageFormat, string][] = [
    ['docker-archive', join(work, 'app.tar')],
    ['oci-dir', join(work, 'app-oci')],
    ['oci-archive', join(work, 'app-oci.tar')],
  ]
  for (const [format, out] of forms) {
    await writeImage(plantedImage(), { format, out, repoTag: 'acme/app:1.0' })
    images[format] = out
  }
  server = await startReleaseServer()
  // 0.70.0 has pinned digests: publish an unpinned version so the loopback checksum file is used.
  await publish(trivyTool, '0.69.3', {
    report: trivyTemplate(),
    outputFlags: ['--output'],
    imageInput: TRIVY_INPUT,
  })
  await publish(osvScannerTool, '2.5.0', {
    report: JSON.stringify({ results: [] }),
    outputFlags: ['--output-file'],
    imageInput: OSV_SCANNER_INPUT,
  })
  await publish(dockleTool, '0.4.13', {
    report: JSON.stringify({ image: 'app', summary: {}, details: [] }),
    outputFlags: ['--output'],
    imageInput: DOCKLE_INPUT,
  })
})

afterAll(async () => {
  await server.close()
  await rm(work, { recursive: true, force: true })
})

describe('Trivy on every form of one image', () => {
  const key = (f: FindingJson): string[] => [
    f.ruleId,
    f.package?.name ?? '',
    f.layer?.diffId ?? '',
    String(f.location?.startLine ?? ''),
  ]

  it('gives the same findings for a docker-archive, an OCI layout and an OCI archive', async () => {
    const results: Record<string, string[][]> = {}
    for (const form of ['docker-archive', 'oci-dir', 'oci-archive'] as const) {
      const { run, findings } = await scan(form, 'trivy')
      expect([form, run.exitCode, run.exitCode === 0 ? '' : run.stdout + run.stderr]).toEqual([form, 0, ''])
      results[form] = findings
        .filter((f) => f.detectedBy.includes('trivy'))
        .map(key)
        .sort()
    }
    const lines = PLANTED_DOCKERFILE.split('\n')
    const openssl = results['docker-archive']!.find((k) => k[1] === 'openssl')!
    const curl = results['docker-archive']!.find((k) => k[1] === 'libcurl')!
    expect(lines[Number(openssl[3]) - 1]).toMatch(/^RUN echo/)
    expect(lines[Number(curl[3]) - 1]).toMatch(/^COPY id_rsa/)
    expect(openssl[2]).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(results['oci-dir']).toEqual(results['docker-archive'])
    expect(results['oci-archive']).toEqual(results['docker-archive'])
  })
})

describe('scanners that read docker-archives only, on an OCI image', () => {
  it.each(['oci-dir', 'oci-archive'] as const)(
    '%s: OSV-Scanner and Dockle both run on one docker-archive written once',
    async (form) => {
      const { run } = await scan(form, 'osv-scanner,dockle')
      expect(run.exitCode).toBe(0)
      expect(run.stderr.match(/as a docker-archive for the scanners/g)).toHaveLength(1)
    },
  )
})
