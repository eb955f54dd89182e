/**
 * `registry:` images against the REAL CNCF distribution registry (Debian's docker-registry) with htpasswd
 * auth on loopback, images pushed by skopeo (a two-platform index and a single image), pulled and scanned
 * by the built CLI and the action without a Docker daemon. Registered as skipped (with a warning) when
 * docker-registry, skopeo or htpasswd are missing, unless CSG_REQUIRE_REAL_TOOLS=1, where that fails.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmod, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeImage, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { writeMultiPlatformImage, type MultiPlatformImage } from '../../scripts/lib/multi-platform-image.js'
import { trivyTool } from '../../src/scanners/trivy.js'
import { currentPlatform } from '../../src/tools/platform.js'
import { runAction } from '../helpers/action-runner.js'
import { runCli, type CliRun } from '../helpers/cli-runner.js'
import {
  checksumsFile,
  makeTarGz,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'
import { TRIVY_INPUT } from '../helpers/replay-image-input.js'
import { replayScannerScript } from '../helpers/replay-scanner.js'
import { trivyReport } from '../helpers/scanner-reports.js'
import { missingRegistryTools, startRealRegistry, type RealRegistry } from '../helpers/real-registry.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const missing = await missingRegistryTools()
if (missing.length > 0 && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but registry tools are missing: ${missing.join(', ')}`)
}
if (missing.length > 0) console.warn(`skipping the real-registry tests: ${missing.join(', ')} not installed`)
const describeReal = missing.length === 0 ? describe : describe.skip
// These tests pick the runner's default platform: the images are built for amd64 and arm64.
const runnerArch = process.arch === 'arm64' ? 'arm64' : 'amd64'
const otherArch = runnerArch === 'amd64' ? 'arm64' : 'amd64'

const tempDir = tempDirs()

/** Non-root with a HEALTHCHECK: no builtin finding. */
const clean: ImageSpec = {
  config: { User: '1000:1000', Healthcheck: { Test: ['CMD', '/bin/true'] } },
  steps: [
    { createdBy: 'COPY app /app', entries: [{ path: 'app/run', content: 'clean\n' }] },
    { createdBy: 'COPY lib /lib', entries: [{ path: 'lib/clean', content: 'clean lib\n' }] },
  ],
}
/** Runs as root: a high csg/root-user finding. */
const rooted: ImageSpec = {
  config: { Healthcheck: { Test: ['CMD', '/bin/true'] } },
  steps: [
    { createdBy: 'COPY app /app', entries: [{ path: 'app/run', content: 'root\n' }] },
    { createdBy: 'COPY lib /lib', entries: [{ path: 'lib/root', content: 'root lib\n' }] },
  ],
}

describeReal('registry: images from a real registry', () => {
  let registry: RealRegistry
  let multi: MultiPlatformImage
  let started: RealRegistry | undefined
  let work = ''
  let indexDigest = ''
  let noDockerConfig = ''

  beforeAll(async () => {
    registry = await startRealRegistry()
    started = registry
    work = await tempDir('csg-registry-e2e-')
    multi = await writeMultiPlatformImage(
      [
        { architecture: runnerArch, spec: clean },
        { architecture: otherArch, spec: rooted },
      ],
      { format: 'oci-dir', out: join(work, 'multi'), repoTag: 'v1', attestations: true },
    )
    await registry.push(join(work, 'multi'), 'v1', 'acme/multi:v1', { all: true })
    indexDigest = await registry.digest('acme/multi:v1')
    await writeImage(rooted, { format: 'oci-dir', out: join(work, 'single'), repoTag: 'v2' })
    await registry.push(join(work, 'single'), 'v2', 'acme/single:v2')
    noDockerConfig = join(work, 'no-docker-config')
    await mkdir(noDockerConfig)
  }, 120_000)

  afterAll(async () => {
    await started?.stop()
  })

  const creds = (): string[] => [
    '--registry-username',
    registry.user,
    '--registry-password',
    registry.password,
  ]
  const scan = async (
    args: string[],
    env: Record<string, string> = {},
  ): Promise<CliRun & { out: string }> => {
    const out = await tempDir('csg-registry-out-')
    const run = await runCli(
      [
        'scan',
        ...args,
        '--verbose',
        '--scanners',
        'builtin',
        '--json',
        join(out, 'f.json'),
        '--sarif',
        join(out, 'r.sarif'),
      ],
      { env: { DOCKER_CONFIG: noDockerConfig, TMPDIR: out, ...env } },
    )
    return { ...run, out }
  }
  const categories = async (out: string): Promise<string[]> => {
    const sarif = JSON.parse(await readFile(join(out, 'r.sarif'), 'utf8')) as {
      runs: { automationDetails: { id: string } }[]
    }
    return sarif.runs.map((r) => r.automationDetails.id)
  }
  const findings = async (out: string): Promise<{ ruleId: string; target: string }[]> => {
    const json = JSON.parse(await readFile(join(out, 'f.json'), 'utf8')) as {
      findings: { ruleId: string; target: string }[]
    }
    return json.findings.map((f) => ({ ruleId: f.ruleId, target: f.target }))
  }
  /** What the pull left in the run's temp dir: nothing but the outputs. */
  const leftovers = async (out: string): Promise<string[]> =>
    (await readdir(out)).filter((n) => n !== 'f.json' && n !== 'r.sarif')

  it('pulls and scans by tag: the runner platform of a two-platform index', async () => {
    const image = `registry:${registry.host}/acme/multi:v1`
    const run = await scan([image, ...creds()])
    expect(run.stderr).toContain(
      `pulling ${registry.host}/acme/multi:v1 from its registry (credentials from registry-username/registry-password)`,
    )
    expect(run.exitCode).toBe(0)
    expect(await findings(run.out)).toEqual([])
    expect(await categories(run.out)).toEqual([
      `container-security-gate/127.0.0.1-${registry.host.split(':')[1]}/acme/multi/`,
    ])
    expect(await leftovers(run.out)).toEqual([])
  })

  it('pulls and scans by digest', async () => {
    const image = `registry:${registry.host}/acme/multi@${indexDigest}`
    const run = await scan([image, ...creds()])
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain(`pulled ${registry.host}/acme/multi@${indexDigest} (linux/${runnerArch})`)
  })

  it('scans one platform picked with --platform', async () => {
    const image = `registry:${registry.host}/acme/multi:v1`
    const run = await scan([image, ...creds(), '--platform', `linux/${otherArch}`])
    expect(run.exitCode).toBe(1)
    const port = registry.host.split(':')[1]!
    expect(await findings(run.out)).toEqual([
      { ruleId: 'csg/root-user', target: `${image} (linux/${otherArch})` },
    ])
    expect(await categories(run.out)).toEqual([
      `container-security-gate/127.0.0.1-${port}/acme/multi@linux-${otherArch}/`,
    ])
  })

  it('scans every platform as a run of its own with --platform all', async () => {
    const image = `registry:${registry.host}/acme/multi:v1`
    const run = await scan([image, ...creds(), '--platform', 'all'])
    expect(run.exitCode).toBe(1)
    const port = registry.host.split(':')[1]!
    expect((await categories(run.out)).sort()).toEqual([
      `container-security-gate/127.0.0.1-${port}/acme/multi@linux-amd64/`,
      `container-security-gate/127.0.0.1-${port}/acme/multi@linux-arm64/`,
    ])
    expect(await findings(run.out)).toEqual([
      { ruleId: 'csg/root-user', target: `${image} (linux/${otherArch})` },
    ])
    expect(run.stdout).toContain(`${image} (linux/amd64): `)
    expect(run.stdout).toContain(`${image} (linux/arm64): `)
    expect(await leftovers(run.out)).toEqual([])
  })

  it('hands Trivy the pulled layout of the platform picked (no second pull)', async () => {
    const server: ReleaseServer = await startReleaseServer()
    try {
      // The stand-in opens its --input as Trivy 0.70 does and fills the diff IDs from the layers it read.
      const version = '0.69.3'
      const asset = trivyTool.asset(version, currentPlatform())!
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
        ]),
      ) as { Metadata: Record<string, unknown> }
      report.Metadata.ImageID = '__IMAGE_ID__'
      const script = Buffer.from(
        replayScannerScript({
          report: JSON.stringify(report),
          outputFlags: ['--output'],
          imageInput: TRIVY_INPUT,
          callLog: null,
        }),
      )
      const body = await makeTarGz([{ name: asset.executable, content: script }])
      server.addAsset(trivyTool.repository, trivyTool.tag(version), asset.name, body)
      server.addAsset(
        trivyTool.repository,
        trivyTool.tag(version),
        'trivy_0.69.3_checksums.txt',
        checksumsFile({ [asset.name]: body }),
      )
      const toolCache = await tempDir('csg-registry-tools-')
      const image = `registry:${registry.host}/acme/multi:v1`
      const out = await tempDir('csg-registry-out-')
      const run = await runCli(
        [
          'scan',
          image,
          ...creds(),
          '--platform',
          `linux/${otherArch}`,
          '--scanners',
          'trivy',
          '--trivy-version',
          version,
          '--tools-mirror',
          server.url,
          '--fail-on',
          'none',
          '--json',
          join(out, 'f.json'),
          '--verbose',
        ],
        { env: { DOCKER_CONFIG: noDockerConfig, RUNNER_TOOL_CACHE: toolCache, TMPDIR: out } },
      )
      expect([run.exitCode, run.exitCode === 0 ? '' : run.stderr]).toEqual([0, ''])
      const json = JSON.parse(await readFile(join(out, 'f.json'), 'utf8')) as {
        findings: { ruleId: string; target: string; layer?: { diffId: string } }[]
      }
      const other = multi.images[1]!
      expect(json.findings.map((f) => [f.ruleId, f.target, f.layer?.diffId])).toEqual([
        ['CVE-2024-1111', `${image} (linux/${otherArch})`, other.layers[1]!.diffId],
      ])
      expect(run.stderr.match(/pulling /g)).toHaveLength(1)
    } finally {
      await server.close()
    }
  })

  it('names the platforms an index has when the one asked for is missing (exit 3)', async () => {
    const run = await scan([
      `registry:${registry.host}/acme/multi:v1`,
      ...creds(),
      '--platform',
      'linux/s390x',
    ])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(
      `${registry.host}/acme/multi@${indexDigest} has no linux/s390x image (platforms: linux/${runnerArch}, linux/${otherArch})`,
    )
  })

  it('checks the platform of a single-platform image', async () => {
    const image = `registry:${registry.host}/acme/single:v2`
    const ok = await scan([image, ...creds()])
    expect(ok.exitCode).toBe(1)
    expect(await findings(ok.out)).toEqual([{ ruleId: 'csg/root-user', target: image }])
    const wrong = await scan([image, ...creds(), '--platform', 'linux/s390x'])
    expect(wrong.exitCode).toBe(3)
    expect(wrong.stderr).toContain('has no linux/s390x image (platforms: linux/amd64)')
  })

  it('fails clearly without credentials (exit 3)', async () => {
    const run = await scan([`registry:${registry.host}/acme/multi:v1`])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(
      `registry ${registry.host} denied access to ${registry.host}/acme/multi (HTTP 401): no credentials were found`,
    )
    expect(run.stderr).toContain('docker/login-action')
  })

  it('fails clearly with wrong credentials and never prints the password (exit 3)', async () => {
    const password = 'Wrong-Pa55word-xyz'
    const run = await scan([
      `registry:${registry.host}/acme/multi:v1`,
      '--registry-username',
      registry.user,
      '--registry-password',
      password,
    ])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('the credentials from registry-username/registry-password were refused')
    expect(run.stdout + run.stderr).not.toContain(password)
  })

  it('reads credentials from $DOCKER_CONFIG/config.json auths', async () => {
    const dir = await tempDir('csg-docker-config-')
    const auth = Buffer.from(`${registry.user}:${registry.password}`).toString('base64')
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }))
    const run = await scan([`registry:${registry.host}/acme/multi:v1`], { DOCKER_CONFIG: dir })
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain(`(credentials from ${join(dir, 'config.json')} (auths))`)
    expect(run.stdout + run.stderr).not.toContain(registry.password)
    expect(run.stdout + run.stderr).not.toContain(auth)
  })

  it('reads credentials from a credential helper (credsStore) run with the server on stdin', async () => {
    const dir = await tempDir('csg-docker-helper-')
    const bin = join(dir, 'bin')
    await mkdir(bin)
    // docker-credential-helpers protocol: `get`, the server URL on stdin, JSON on stdout.
    const helper = join(bin, 'docker-credential-test')
    await writeFile(
      helper,
      [
        '#!/bin/sh',
        '[ "$1" = get ] || exit 2',
        'read -r server',
        `[ "$server" = "${registry.host}" ] || { echo "credentials not found in native keychain"; exit 1; }`,
        `printf '{"ServerURL":"%s","Username":"${registry.user}","Secret":"${registry.password}"}' "$server"`,
        '',
      ].join('\n'),
    )
    await chmod(helper, 0o755)
    await writeFile(join(dir, 'config.json'), JSON.stringify({ credsStore: 'test' }))
    const run = await scan([`registry:${registry.host}/acme/multi:v1`], {
      DOCKER_CONFIG: dir,
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
    })
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toContain('(credentials from credential helper docker-credential-test)')
    expect(run.stdout + run.stderr).not.toContain(registry.password)
  })

  it('the action pulls every platform, masks the password and writes a summary section per platform', async () => {
    const image = `registry:${registry.host}/acme/multi:v1`
    const run = await runAction({
      inputs: {
        image,
        scanners: 'builtin',
        platform: 'all',
        'registry-username': registry.user,
        'registry-password': registry.password,
        upload: 'never',
      },
      env: { DOCKER_CONFIG: noDockerConfig },
      timeoutMs: 120_000,
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(`::add-mask::${registry.password}`)
    const withoutMask = run.stdout.replace(`::add-mask::${registry.password}`, '')
    expect(withoutMask + run.stderr + run.summary).not.toContain(registry.password)
    expect(run.summary).toContain(`${image} (linux/amd64)`)
    expect(run.summary).toContain(`${image} (linux/arm64)`)
    const sarif = JSON.parse(await readFile(run.outputs['sarif-file'] ?? '', 'utf8')) as {
      runs: { automationDetails: { id: string } }[]
    }
    const port = registry.host.split(':')[1]!
    expect(sarif.runs.map((r) => r.automationDetails.id).sort()).toEqual([
      `container-security-gate/127.0.0.1-${port}/acme/multi@linux-amd64/`,
      `container-security-gate/127.0.0.1-${port}/acme/multi@linux-arm64/`,
    ])
    expect((await readdir(run.runnerTemp)).filter((n) => n.startsWith('registry-'))).toEqual([])
  })
})

describeReal('registry: images from a real registry with token auth', () => {
  let registry: RealRegistry
  let started: RealRegistry | undefined
  let work = ''

  beforeAll(async () => {
    registry = await startRealRegistry({ auth: 'token' })
    started = registry
    work = await tempDir('csg-registry-token-')
    await writeImage(rooted, { format: 'oci-dir', out: join(work, 'single'), repoTag: 'v2' })
    await registry.push(join(work, 'single'), 'v2', 'team/app:v2')
    await mkdir(join(work, 'no-docker-config'))
  }, 120_000)

  afterAll(async () => {
    await started?.stop()
  })

  it('follows the Bearer challenge to the token service with the credentials, then pulls', async () => {
    const out = await tempDir('csg-registry-out-')
    const image = `registry:${registry.host}/team/app:v2`
    const env = { env: { DOCKER_CONFIG: join(work, 'no-docker-config'), TMPDIR: out } }
    const args = [
      'scan',
      image,
      '--scanners',
      'builtin',
      '--json',
      join(out, 'f.json'),
      '--registry-username',
      registry.user,
    ]
    const run = await runCli([...args, '--registry-password', registry.password], env)
    expect([run.exitCode, run.exitCode === 1 ? '' : run.stderr]).toEqual([1, ''])
    const json = JSON.parse(await readFile(join(out, 'f.json'), 'utf8')) as { findings: { ruleId: string }[] }
    expect(json.findings.map((f) => f.ruleId)).toEqual(['csg/root-user'])
    const wrong = await runCli([...args, '--registry-password', 'Not-The-Password-9'], env)
    expect(wrong.exitCode).toBe(3)
    expect(wrong.stderr).toContain(
      `registry ${registry.host} denied access to ${registry.host}/team/app (HTTP 401 from the token service 127.0.0.1:`,
    )
    expect(wrong.stdout + wrong.stderr).not.toContain('Not-The-Password-9')
  })
})
