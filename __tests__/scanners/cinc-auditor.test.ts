import { describe, it, expect } from '@jest/globals'
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  CINC_AUDITOR_NO_DAEMON,
  CINC_AUDITOR_PLATFORMS,
  DEFAULT_INSPEC_PROFILE,
  cincAuditor,
  cincAuditorArgs,
  cincAuditorEnv,
  cincAuditorTool,
  omnibusLayout,
  resolveInspecProfile,
} from '../../src/scanners/cinc-auditor.js'
import type { OpenedImage } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { runCommand, type CommandRunner, type RunResult } from '../../src/util/exec.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { inspecJson } from './inspec-fixtures.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

describe('cincAuditorTool', () => {
  it.each<[Platform, string | undefined]>([
    ['linux-x64', 'cinc-auditor_6.8.24-1_amd64.deb'],
    ['linux-arm64', 'cinc-auditor_6.8.24-1_arm64.deb'],
    ['darwin-arm64', undefined],
    ['win32-x64', undefined],
  ])('%s → %s', (platform, name) => {
    const asset = cincAuditorTool.asset('v6.8.24', platform)
    expect(asset?.name).toBe(name)
    if (asset === undefined) return
    expect(asset).toMatchObject({ format: 'deb', executable: 'opt/cinc-auditor/embedded/bin/ruby' })
    expect(cincAuditorTool.downloadUrl?.('6.8.24', asset)).toBe(
      `https://downloads.cinc.sh/files/stable/cinc-auditor/6.8.24/ubuntu/24.04/${name!}`,
    )
  })

  it('is verified against the omnibus metadata beside the package and cannot resolve latest', () => {
    expect(cincAuditorTool.checksums('6.8.24')).toEqual({ kind: 'metadata-json', suffix: '.metadata.json' })
    expect(cincAuditorTool.latestUnsupported).toMatch(/downloads\.cinc\.sh/)
  })

  it.each<[Platform, boolean, string | undefined]>([
    ['linux-x64', true, undefined],
    ['linux-arm64', false, CINC_AUDITOR_NO_DAEMON],
    ['darwin-x64', true, CINC_AUDITOR_PLATFORMS],
  ])('unavailableReason on %s with daemon=%s', (platform, dockerAvailable, reason) => {
    expect(cincAuditor.unavailableReason?.({ env: {}, platform, dockerAvailable })).toBe(reason)
  })
})

describe('resolveInspecProfile', () => {
  it.each<[string | undefined, string]>([
    [undefined, DEFAULT_INSPEC_PROFILE],
    ['', DEFAULT_INSPEC_PROFILE],
    [' ./profiles/baseline ', './profiles/baseline'],
    ['https://github.com/dev-sec/linux-baseline', 'https://github.com/dev-sec/linux-baseline'],
    ['supermarket://dev-sec/linux-baseline', 'supermarket://dev-sec/linux-baseline'],
  ])('%j → %j', (input, profile) => {
    expect(resolveInspecProfile(input)).toBe(profile)
  })

  it.each(['--target=local://', '-t', 'profile\nwith newline'])('refuses %j', (input) => {
    expect(() => resolveInspecProfile(input)).toThrow(ConfigurationError)
  })
})

describe('cincAuditorArgs and cincAuditorEnv', () => {
  it('execs the profile against the container with the JSON reporter', () => {
    expect(
      cincAuditorArgs({
        binstub: '/t/bin/cinc-auditor',
        profile: 'p',
        containerId: 'c0ffee',
        reportFile: '/w/r.json',
      }),
    ).toEqual([
      '/t/bin/cinc-auditor',
      'exec',
      'p',
      '--target',
      'docker://c0ffee',
      '--reporter',
      'json:/w/r.json',
      '--no-create-lockfile',
      '--no-color',
    ])
  })

  it('points the loader, the load path and RubyGems into the unpacked tree', () => {
    const env = cincAuditorEnv(
      {
        embedded: '/c/opt/cinc-auditor/embedded',
        binstub: 'x',
        rubyVersion: '3.1.0',
        rubyArch: 'x86_64-linux',
        certFile: '/c/cert.pem',
      },
      '/usr/lib/extra',
    )
    expect(env.LD_LIBRARY_PATH).toBe('/c/opt/cinc-auditor/embedded/lib:/usr/lib/extra')
    expect(env.RUBYLIB?.split(':')).toEqual(
      expect.arrayContaining([
        '/c/opt/cinc-auditor/embedded/lib/ruby/3.1.0',
        '/c/opt/cinc-auditor/embedded/lib/ruby/3.1.0/x86_64-linux',
        '/c/opt/cinc-auditor/embedded/lib/ruby/site_ruby/3.1.0',
      ]),
    )
    expect(env).toMatchObject({
      GEM_HOME: '/c/opt/cinc-auditor/embedded/lib/ruby/gems/3.1.0',
      GEM_PATH: '/c/opt/cinc-auditor/embedded/lib/ruby/gems/3.1.0',
      APPBUNDLER_ALLOW_RVM: 'true',
      RUBYOPT: '',
      SSL_CERT_FILE: '/c/cert.pem',
      CHEF_LICENSE: 'accept-silent',
    })
    expect(env.RUBYLIB).not.toMatch(/(^|:)\/opt\//)
  })
})

/** An unpacked omnibus tree: the interpreter (a stand-in), the Ruby library dirs and the stub. */
async function omnibusTree(
  root: string,
  options: { stub?: 'file' | 'absolute-symlink' | 'none' } = {},
): Promise<string> {
  const install = join(root, 'opt', 'cinc-auditor')
  const embedded = join(install, 'embedded')
  await mkdir(join(embedded, 'bin'), { recursive: true })
  await mkdir(join(embedded, 'lib', 'ruby', '3.1.0', 'x86_64-linux'), { recursive: true })
  await mkdir(join(embedded, 'lib', 'ruby', 'gems', '3.1.0'), { recursive: true })
  await mkdir(join(embedded, 'ssl', 'certs'), { recursive: true })
  await writeFile(join(embedded, 'lib', 'ruby', '3.1.0', 'x86_64-linux', 'rbconfig.rb'), '# rbconfig\n')
  await writeFile(join(embedded, 'ssl', 'certs', 'cacert.pem'), '')
  await mkdir(join(install, 'bin'), { recursive: true })
  const stub = options.stub ?? 'absolute-symlink'
  await writeFile(join(embedded, 'bin', 'cinc-auditor'), '#!/opt/cinc-auditor/embedded/bin/ruby\n')
  if (stub === 'file')
    await writeFile(join(install, 'bin', 'cinc-auditor'), '#!/opt/cinc-auditor/embedded/bin/ruby\n')
  if (stub === 'absolute-symlink') {
    await symlink('/opt/cinc-auditor/embedded/bin/cinc-auditor', join(install, 'bin', 'cinc-auditor'))
  }
  return join(embedded, 'bin', 'ruby')
}

describe('omnibusLayout', () => {
  it('maps an absolute /opt symlink stub into the unpacked tree', async () => {
    const root = await tempDir('csg-omnibus-')
    const ruby = await omnibusTree(root)
    expect(await omnibusLayout(ruby)).toEqual({
      embedded: join(root, 'opt/cinc-auditor/embedded'),
      binstub: join(root, 'opt/cinc-auditor/embedded/bin/cinc-auditor'),
      rubyVersion: '3.1.0',
      rubyArch: 'x86_64-linux',
      certFile: join(root, 'opt/cinc-auditor/embedded/ssl/certs/cacert.pem'),
    })
  })

  it('uses a stub that is a file', async () => {
    const root = await tempDir('csg-omnibus-')
    const layout = await omnibusLayout(await omnibusTree(root, { stub: 'file' }))
    expect(layout.binstub).toBe(join(root, 'opt/cinc-auditor/bin/cinc-auditor'))
  })

  it('says what is missing from an incomplete tree', async () => {
    const root = await tempDir('csg-omnibus-')
    await mkdir(join(root, 'opt/cinc-auditor/embedded/bin'), { recursive: true })
    await expect(omnibusLayout(join(root, 'opt/cinc-auditor/embedded/bin/ruby'))).rejects.toThrow(
      /incomplete: no Ruby library/,
    )
  })
})

// ---------------------------------------------------------------------------------------------------
// scan()

const IMAGE_ID = `sha256:${'ab'.repeat(32)}`

function result(stdout: string, exitCode = 0, stderr = ''): RunResult {
  return { exitCode, signal: null, timedOut: false, stdout, stderr, durationMs: 1 }
}

function fakeDocker(): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = []
  const run: CommandRunner = async (command, args, opts) => {
    if (command !== 'docker') return runCommand(command, args, opts)
    calls.push([...args])
    if (args[0] === 'image')
      return args.at(-1) === IMAGE_ID ? result(`${IMAGE_ID}\n`) : result('', 1, 'No such image')
    if (args[0] === 'run') return result(`${'d'.repeat(64)}\n`)
    if (args[0] === 'rm') return result('ok\n')
    return result('', 1, 'unexpected')
  }
  return { run, calls }
}

/** The interpreter stand-in: maps `--reporter json:<file>` to the replay's `--output <file>`. */
async function writeRubyShim(ruby: string, replayPath: string): Promise<void> {
  await writeFile(
    ruby,
    `#!/usr/bin/env node
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const argv = process.argv.slice(2)
fs.appendFileSync(${JSON.stringify(`${ruby}.calls.jsonl`)}, JSON.stringify({ argv, env: { RUBYLIB: process.env.RUBYLIB, LD_LIBRARY_PATH: process.env.LD_LIBRARY_PATH } }) + '\\n')
const mapped = []
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--reporter' && argv[i + 1].startsWith('json:')) { mapped.push('--output', argv[i + 1].slice(5)); i++ } else mapped.push(argv[i])
}
const r = spawnSync(${JSON.stringify(replayPath)}, mapped, { stdio: 'inherit' })
process.exit(r.status === null ? 1 : r.status)
`,
  )
  await chmod(ruby, 0o755)
}

async function setup(replay: Omit<Parameters<typeof writeReplayScanner>[1], 'name'>, timeoutMs = 30_000) {
  const dir = await tempDir('csg-cinc-')
  const ruby = await omnibusTree(join(dir, 'tree'))
  const tool = await writeReplayScanner(join(dir, 'replay'), { name: 'replay', ...replay })
  await writeRubyShim(ruby, tool.path)
  const docker = fakeDocker()
  const scanCtx = testScanContext({
    image: { imageId: IMAGE_ID } as OpenedImage,
    workDir: dir,
    timeoutMs,
    tool: { path: ruby, version: '6.8.24' },
    run: docker.run,
    options: { inspecProfile: 'https://github.com/dev-sec/linux-baseline' },
  })
  const shimCalls = async () =>
    (await readFile(`${ruby}.calls.jsonl`, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> })
  return { ctx: scanCtx, docker, tool, ruby, shimCalls }
}

const removed = (calls: string[][]): string[][] => calls.filter((c) => c[0] === 'rm')

describe('cincAuditor.scan', () => {
  it.each([0, 100, 101])('treats exit %d as a completed run, and removes the container', async (exitCode) => {
    const { ctx: scanCtx, docker, shimCalls, ruby } = await setup({ report: inspecJson(), exitCode })
    const findings = await cincAuditor.scan(scanCtx)
    expect(findings.map((f) => f.ruleId)).toEqual(['cis-docker-benchmark-4.1', 'os-02'])
    const [call] = await shimCalls()
    const stub = join(dirname(dirname(ruby)), 'bin', 'cinc-auditor')
    expect(call?.argv.slice(0, 5)).toEqual([
      stub,
      'exec',
      'https://github.com/dev-sec/linux-baseline',
      '--target',
      `docker://${'d'.repeat(64)}`,
    ])
    expect(call?.env.RUBYLIB).toContain(join(dirname(dirname(ruby)), 'lib/ruby/3.1.0'))
    const run = docker.calls.find((c) => c[0] === 'run')!
    const name = run[run.indexOf('--name') + 1]!
    expect(name).toMatch(/^csg-cinc-auditor-[0-9a-f]{8}$/)
    expect(removed(docker.calls)).toEqual([['rm', '--force', '--volumes', name]])
  })

  it('turns exit 1 into a ScannerError with its meaning, and removes the container', async () => {
    const { ctx: scanCtx, docker } = await setup({ exitCode: 1, stderr: 'Cannot fetch profile: 404\n' })
    const error = await cincAuditor.scan(scanCtx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(
      /exited with code 1 \(usage or general error\)[\s\S]*Cannot fetch profile/,
    )
    expect(removed(docker.calls)).toHaveLength(1)
  })

  it('removes the container when the run times out', async () => {
    const { ctx: scanCtx, docker } = await setup({ report: inspecJson(), sleepMs: 10_000 }, 500)
    await expect(cincAuditor.scan(scanCtx)).rejects.toThrow(/did not finish within the scan timeout/)
    expect(removed(docker.calls)).toHaveLength(1)
  })

  it('fails on an unreadable report and still removes the container', async () => {
    const { ctx: scanCtx, docker, tool } = await setup({ report: '{"version": "6.8.24"}', exitCode: 100 })
    await expect(cincAuditor.scan(scanCtx)).rejects.toThrow(/neither "profiles"/)
    expect(await readCalls(tool.callLog)).toHaveLength(1)
    expect(removed(docker.calls)).toHaveLength(1)
  })
})
