/**
 * The README's first workflow on a real Debian base: a bookworm minbase root filesystem made by mmdebstrap
 * (cached under `.cache/mmdebstrap`, see scripts/lib/debian-rootfs.ts) loaded with `docker import` as
 * `debian:bookworm`, an app Dockerfile `FROM` it built by the classic builder and by BuildKit, then scanned
 * by name through the built CLI as the README's first workflow does (`docker build -t … .`, then
 * `scanners: builtin,trivy,grype`, `fail-on: high`), minus the network: Trivy and Grype are stand-ins served
 * from a loopback release host that open the archive they are given (replay-image-input.ts). The daemon image is exported once
 * (`docker save`, counted by a logging `docker` first on PATH) and shared by every scanner. Every finding
 * must land on the line that caused it, the base image's on the final FROM.
 *
 * Skipped (loudly) without the private engine (.ci/docker-up.sh), or where mmdebstrap cannot build the
 * root filesystem (the message says why); CSG_REQUIRE_DOCKER=1 makes a missing engine a failure and
 * CSG_REQUIRE_REAL_TOOLS=1 a missing root filesystem.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { constants } from 'node:fs'
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { debianRootfsTarball, mmdebstrapUnavailableReason } from '../../scripts/lib/debian-rootfs.js'
import { grypeTool } from '../../src/scanners/grype.js'
import { trivyTool } from '../../src/scanners/trivy.js'
import { currentPlatform } from '../../src/tools/platform.js'
import type { ToolSpec } from '../../src/tools/tool-spec.js'
import { runCli } from '../helpers/cli-runner.js'
import {
  BUILDERS,
  describeWithEngine,
  dockerCli,
  dockerOk,
  dockerUnavailableReason,
  testDockerHost,
} from '../helpers/docker-engine.js'
import {
  checksumsFile,
  makeTarGz,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { TRIVY_INPUT, type ImageInputBehaviour } from '../helpers/replay-image-input.js'
import { replayScannerScript, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const execFileAsync = promisify(execFile)
const tempDir = tempDirs()

const describeEngine = await describeWithEngine()
let rootfs: string | undefined
// Building the root filesystem takes minutes: only when there is an engine to use it.
const noRootfs = await (async (): Promise<string | undefined> => {
  if ((await dockerUnavailableReason()) !== undefined) return 'no Docker engine (see above)'
  const reason = await mmdebstrapUnavailableReason()
  if (reason !== undefined) return reason
  try {
    rootfs = await debianRootfsTarball({
      suite: 'bookworm',
      variant: 'minbase',
      cacheDir: join(process.env['CSG_FIXTURE_CACHE'] ?? resolve('.cache'), 'mmdebstrap'),
    })
    return undefined
  } catch (error) {
    return `mmdebstrap could not build a bookworm rootfs: ${String(error).slice(0, 500)}`
  }
})()
if (noRootfs !== undefined && describeEngine === describe) {
  if (process.env['CSG_REQUIRE_REAL_TOOLS'] === '1')
    throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but the Debian real-engine test cannot run: ${noRootfs}`)
  console.warn(`SKIPPED real Docker engine tests on Debian: ${noRootfs}`)
}
const describeDebian = noRootfs === undefined ? describeEngine : describe.skip

const BASE = 'debian:bookworm'
const TRIVY_VERSION = '0.69.3' // unpinned: the loopback checksum file is used
const GRYPE_VERSION = '0.90.0' // unpinned too

// The comment keeps FROM off line 1, where a finding with no location would also show.
const APP_DOCKERFILE = `# the app on Debian
FROM ${BASE}
ENV API_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
COPY app.env /app/.env
RUN useradd --system --uid 10001 app
USER app
EXPOSE 6379
`

/** The installed version of `pkg` in the root filesystem's dpkg database (read with tar, not our code). */
async function dpkgVersion(tarball: string, pkg: string): Promise<string> {
  const { stdout } = await execFileAsync('tar', ['-xOf', tarball, './var/lib/dpkg/status'], {
    maxBuffer: 64 * 1024 * 1024,
  })
  const stanza = stdout.split('\n\n').find((s) => s.startsWith(`Package: ${pkg}\n`))
  const version = /^Version: (.+)$/m.exec(stanza ?? '')?.[1]
  if (version === undefined) throw new Error(`${pkg} is not in ${tarball}`)
  return version
}

/**
 * Trivy's JSON report (pkg/types/report.go, SchemaVersion 2) of a Debian image: one libc6 vulnerability in
 * the base layer, with the image ID and diff ID left for the stand-in to fill from the archive it opens.
 */
function trivyDebianReport(libc6: string): string {
  return JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: '2026-12-07T04:00:00Z',
    ArtifactName: 'app',
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'debian', Name: '12.12' },
      ImageID: '__IMAGE_ID__',
      DiffIDs: ['__DIFF_ID_0__'],
    },
    Results: [
      {
        Target: 'app (debian 12.12)',
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: [
          {
            VulnerabilityID: 'CVE-2025-4802',
            PkgID: `libc6@${libc6}`,
            PkgName: 'libc6',
            PkgIdentifier: { PURL: `pkg:deb/debian/libc6@${libc6}?arch=amd64&distro=debian-12.12` },
            InstalledVersion: libc6,
            Status: 'affected',
            Layer: { DiffID: '__DIFF_ID_0__' },
            SeveritySource: 'debian',
            PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2025-4802',
            DataSource: {
              ID: 'debian',
              Name: 'Debian Security Tracker',
              URL: 'https://salsa.debian.org/security-tracker-team/security-tracker',
            },
            Title: 'glibc: static setuid binary dlopen may incorrectly search LD_LIBRARY_PATH',
            Description: 'A vulnerability in glibc.',
            Severity: 'HIGH',
            References: ['https://nvd.nist.gov/vuln/detail/CVE-2025-4802'],
          },
        ],
      },
    ],
  })
}

/**
 * Grype reads `docker-archive:PATH`, `oci-archive:PATH` and `oci-dir:PATH` (stereoscope's image sources;
 * the refusal wording is the stand-in's).
 */
const GRYPE_INPUT: ImageInputBehaviour = {
  accepts: ['docker-archive', 'oci-archive', 'oci-dir'],
  refusal: { stderr: 'could not fetch image %s\n', exitCode: 1 },
}

/** Grype's JSON report (`-o json`, grype/presenter/models) of the same libc6 vulnerability. */
function grypeDebianReport(libc6: string): string {
  return JSON.stringify({
    matches: [
      {
        vulnerability: {
          id: 'CVE-2025-4802',
          dataSource: 'https://security-tracker.debian.org/tracker/CVE-2025-4802',
          namespace: 'debian:distro:debian:12',
          severity: 'High',
          urls: [],
          description: 'A vulnerability in glibc.',
          cvss: [],
          fix: { versions: [], state: 'not-fixed' },
          advisories: [],
        },
        relatedVulnerabilities: [],
        matchDetails: [{ type: 'exact-direct-match', matcher: 'dpkg-matcher', searchedBy: {}, found: {} }],
        artifact: {
          id: 'libc6-id',
          name: 'libc6',
          version: libc6,
          type: 'deb',
          locations: [{ path: '/var/lib/dpkg/status', layerID: '__DIFF_ID_0__' }],
          language: '',
          licenses: [],
          cpes: [],
          purl: `pkg:deb/debian/libc6@${libc6}?arch=amd64&distro=debian-12`,
          upstreams: [{ name: 'glibc' }],
        },
      },
    ],
    source: { type: 'image', target: { userInput: 'app', imageID: '__IMAGE_ID__' } },
    distro: { name: 'debian', version: '12' },
    descriptor: { name: 'grype', version: GRYPE_VERSION },
  })
}

/** The first `docker` on PATH: the client the CLI would run. */
async function dockerOnPath(): Promise<string> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'docker')
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // next
    }
  }
  throw new Error('no docker on PATH')
}

interface FindingJson {
  ruleId: string
  title: string
  detectedBy: string[]
  location?: { startLine: number }
}

describeDebian.each(BUILDERS)('an app FROM a real Debian base ($builder builder)', ({ builder, env }) => {
  const host = testDockerHost() ?? ''
  const appTag = `csg-e2e-debian-app-${builder === 'classic' ? 'classic' : 'buildkit'}:ci`
  let dir = ''
  let server: ReleaseServer | undefined
  let importedBase = false

  async function publish(spec: ToolSpec, version: string, replay: Omit<ReplayScannerOptions, 'name'>) {
    const asset = spec.asset(version, currentPlatform())!
    const script = Buffer.from(replayScannerScript({ ...replay, callLog: null }))
    const body = await makeTarGz([{ name: asset.executable, content: script }])
    server!.addAsset(spec.repository, spec.tag(version), asset.name, body)
    const checksums = spec.checksums(version)
    if (checksums.kind !== 'checksums-file') throw new Error('expected a checksums file')
    server!.addAsset(
      spec.repository,
      spec.tag(version),
      checksums.name,
      checksumsFile({ [asset.name]: body }),
    )
  }

  beforeAll(async () => {
    dir = await tempDir('csg-e2e-debian-')
    // Another test on the shared engine may have imported it already: then it is theirs to remove.
    if ((await dockerCli(host, ['image', 'inspect', BASE])).exitCode !== 0) {
      await dockerOk(host, ['import', rootfs!, BASE])
      importedBase = true
    }
    await writeFile(join(dir, 'Dockerfile'), APP_DOCKERFILE)
    await writeFile(join(dir, 'app.env'), 'DB_PASSWORD=hunter2-Secret-Value\n')
    await dockerOk(host, ['build', '--network', 'none', '-q', '-t', appTag, '.'], { cwd: dir, env })
    server = await startReleaseServer()
    const libc6 = await dpkgVersion(rootfs!, 'libc6')
    await publish(trivyTool, TRIVY_VERSION, {
      report: trivyDebianReport(libc6),
      outputFlags: ['--output'],
      imageInput: TRIVY_INPUT,
    })
    await publish(grypeTool, GRYPE_VERSION, {
      report: grypeDebianReport(libc6),
      outputFlags: ['--file'],
      imageInput: GRYPE_INPUT,
    })
  }, 900_000)

  afterAll(async () => {
    await server?.close()
    await dockerCli(host, ['rmi', '-f', appTag])
    if (importedBase) await dockerCli(host, ['rmi', BASE])
  }, 300_000)

  it(`scans ${appTag} by name with one docker save for every scanner, each finding on its line`, async () => {
    // A `docker` that logs its arguments, then runs the real client.
    const bin = join(dir, 'bin')
    await mkdir(bin, { recursive: true })
    const calls = join(dir, 'docker-calls.txt')
    await writeFile(
      join(bin, 'docker'),
      `#!/bin/sh\necho "$*" >>${JSON.stringify(calls)}\nexec ${JSON.stringify(await dockerOnPath())} "$@"\n`,
    )
    await chmod(join(bin, 'docker'), 0o755)
    const json = join(dir, 'findings.json')
    const run = await runCli(
      [
        'scan',
        appTag,
        '--scanners',
        'builtin,trivy,grype',
        '--trivy-version',
        TRIVY_VERSION,
        '--grype-version',
        GRYPE_VERSION,
        '--tools-mirror',
        server!.url,
        '--fail-on',
        'high',
        '--json',
        json,
      ],
      {
        cwd: dir,
        env: {
          PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`,
          DOCKER_HOST: host,
          RUNNER_TEMP: dir,
          RUNNER_TOOL_CACHE: join(dir, 'tool-cache'),
        },
      },
    )
    // fail-on high: the GitHub token in ENV fails the gate.
    expect([run.exitCode, run.stderr]).toEqual([1, ''])
    const saves = (await readFile(calls, 'utf8')).split('\n').filter((line) => line.startsWith('save '))
    expect(saves).toHaveLength(1)
    const doc = JSON.parse(await readFile(json, 'utf8')) as { findings: FindingJson[] }
    const placed = doc.findings
      .map((f) => `${f.detectedBy.join('+')} ${f.ruleId} @${f.location?.startLine ?? '-'}`)
      .sort()
    expect(placed).toEqual([
      'builtin csg/no-healthcheck @2',
      'builtin csg/risky-port @7',
      'builtin csg/secret-file @4',
      'builtin csg/secret-in-env @3',
      'builtin csg/setuid-files @2', // su, passwd, mount, … came with the base image
      'grype+trivy CVE-2025-4802 @2', // libc6, in the base image's layer; one finding from both
    ])
  }, 600_000)
})
