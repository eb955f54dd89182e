import { describe, it, expect } from '@jest/globals'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DOCKER_BENCH_LINUX_ONLY,
  DOCKER_BENCH_NO_DAEMON,
  dockerBench,
  dockerBenchArgs,
  dockerBenchTool,
  needsRuntimeContainer,
  parseDockerBenchChecks,
} from '../../src/scanners/docker-bench.js'
import { parseDockerBenchReport, readDockerBenchLog } from '../../src/scanners/docker-bench-report.js'
import type { ImageSource, OpenedImage } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { runCommand, type CommandRunner, type RunResult } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { daemonSource, testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

// ---------------------------------------------------------------------------------------------------
// A log written byte for byte the way functions/output_lib.sh prints it (printf, no escaping).

interface BenchResult {
  id: string
  desc: string
  result: 'PASS' | 'WARN' | 'INFO' | 'NOTE'
  details?: string
  items?: string[]
  remediation?: string
  impact?: string
}

interface BenchSection {
  id: string
  desc: string
  results: BenchResult[]
}

function benchLog(
  sections: BenchSection[],
  options: { blankAfterStart?: boolean; sectionless?: boolean } = {},
): string {
  let out = `{\n  "dockerbenchsecurity": "1.6.1",\n  "start": 1700000000,${options.blankAfterStart ? '\n  ' : ''}\n  "tests": [`
  let sectionSep = ''
  for (const section of sections) {
    let sep = ''
    if (!options.sectionless) {
      out += `${sectionSep}\n    {\n      "id": "${section.id}",\n      "desc": "${section.desc}",\n      "results": [`
      sectionSep = ','
    } else sep = sectionSep
    for (const r of section.results) {
      out += `${sep}\n        {\n          "id": "${r.id}",\n          "desc": "${r.desc}",\n          `
      sep = ','
      if (options.sectionless) sectionSep = ','
      if (r.items !== undefined) {
        const items = `[\n            ${r.items.map((i) => `"${i}"`).join(',')}\n          ]`
        out += `"result": "${r.result}",\n          "details": "${r.details ?? ''}: ${r.items.join(' ')}",\n          "items": ${items}`
      } else if (r.details !== undefined) {
        out += `"result": "${r.result}",\n          "details": "${r.details}"`
      } else out += `"result": "${r.result}"`
      if (r.remediation !== undefined && r.result !== 'PASS') {
        out += `,\n          "remediation": "${r.remediation}"`
        if (r.impact !== undefined) out += `,\n          "remediation-impact": "${r.impact}"`
      }
      out += '\n        }'
    }
    if (!options.sectionless) out += '\n      ]\n    }'
  }
  return `${out}\n  ],\n  "checks": 9,\n  "score": -1,\n  "end": 1700000100\n}`
}

const IMAGES: BenchSection = {
  id: '4',
  desc: 'Container Images',
  results: [
    {
      id: '4.1',
      desc: 'Ensure that a user for the container has been created (Automated)',
      result: 'WARN',
      details: 'running as root',
      items: ['abcdef123456'],
      remediation: 'Add a USER instruction to the Dockerfile.',
      impact: 'None.',
    },
    { id: '4.2', desc: 'Ensure that containers use only trusted base images (Manual)', result: 'NOTE' },
    { id: '4.3', desc: 'Ensure unnecessary packages are not installed (Manual)', result: 'INFO' },
    {
      id: '4.6',
      desc: 'Ensure that HEALTHCHECK instructions have been added to container images (Automated)',
      result: 'WARN',
      details: 'Images w/o HEALTHCHECK',
      items: ['[app:ci]'],
      remediation: 'Add a HEALTHCHECK instruction.',
    },
    { id: '4.9', desc: 'Ensure that COPY is used instead of ADD in Dockerfiles (Manual)', result: 'PASS' },
  ],
}

const RUNTIME: BenchSection = {
  id: '5',
  desc: 'Container Runtime',
  results: [
    { id: '5.1', desc: 'Ensure swarm mode is not Enabled, if not needed (Automated)', result: 'PASS' },
    {
      id: '5.10',
      desc: 'Ensure that the memory usage for containers is limited (Automated)',
      result: 'WARN',
      details: 'Containers with no memory limits',
      items: ['csg-docker-bench-abcdef123456-0a1b2c3d'],
      remediation: 'Run the container with --memory.',
      impact: 'Containers may starve the host.',
    },
    {
      id: '5.28',
      desc: 'Ensure that the PIDs cgroup limit is used (Automated)',
      result: 'WARN',
      details: 'No limit',
    },
  ],
}

const WARN_IDS = ['docker-bench/4.1', 'docker-bench/4.6', 'docker-bench/5.10', 'docker-bench/5.28']
const ctx = { target: 'app:ci', origin: 'docker-bench.log.json' }

function caught(fn: () => unknown): ScannerError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('docker-bench')
    return error as ScannerError
  }
  throw new Error('expected a ScannerError')
}

describe('dockerBenchTool', () => {
  it.each<[Platform, boolean]>([
    ['linux-x64', true],
    ['linux-arm64', true],
    ['darwin-arm64', false],
    ['win32-x64', false],
  ])('%s has a source archive: %s', (platform, has) => {
    const asset = dockerBenchTool.asset('1.6.1', platform)
    if (!has) return expect(asset).toBeUndefined()
    expect(asset).toEqual({
      name: 'docker-bench-security-1.6.1.tar.gz',
      format: 'tar.gz',
      executable: 'docker-bench-security-1.6.1/docker-bench-security.sh',
    })
  })

  it('downloads the tag source archive and checks its files against the release file list', () => {
    const asset = dockerBenchTool.asset('v1.6.1', 'linux-x64')!
    expect(dockerBenchTool.downloadUrl?.('1.6.1', asset)).toBe(
      'https://github.com/docker/docker-bench-security/archive/refs/tags/v1.6.1.tar.gz',
    )
    const source = dockerBenchTool.checksums('1.6.1')
    expect(source).toMatchObject({
      kind: 'file-list',
      name: 'docker-bench-security.sha256',
      root: 'docker-bench-security-1.6.1',
    })
    if (source.kind !== 'file-list') throw new Error('unreachable')
    expect(
      ['docker-bench-security.sh', 'functions/output_lib.sh', 'tests/4_container_images.sh'].every((p) =>
        source.mustBeListed.test(p),
      ),
    ).toBe(true)
    expect(['README.md', 'img/benchmark_log.png', 'docs/x.sh'].some((p) => source.mustBeListed.test(p))).toBe(
      false,
    )
  })

  it.each<[Platform, boolean, string | undefined]>([
    ['linux-x64', true, undefined],
    ['linux-x64', false, DOCKER_BENCH_NO_DAEMON],
    ['darwin-arm64', true, DOCKER_BENCH_LINUX_ONLY],
  ])('unavailableReason on %s with daemon=%s', (platform, dockerAvailable, reason) => {
    expect(dockerBench.unavailableReason?.({ env: {}, platform, dockerAvailable })).toBe(reason)
  })
})

describe('parseDockerBenchChecks', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, ['container_images', 'container_runtime']],
    ['  ', ['container_images', 'container_runtime']],
    ['container_images', ['container_images']],
    ['4.1, 5.10\ncheck_5_28', ['check_4_1', 'check_5_10', 'check_5_28']],
    ['4,5,4', ['container_images', 'container_runtime']],
    ['CIS_LEVEL1 community_checks', ['cis_level1', 'community_checks']],
    ['check_running_containers,check_c_1_1', ['check_running_containers', 'check_c_1_1']],
  ])('%j → %j', (text, checks) => {
    expect(parseDockerBenchChecks(text)).toEqual(checks)
  })

  // `constructor` and `__proto__` were found on Object.prototype and returned as checks (a function).
  it.each(['container-images', 'rm -rf /', '4.x', 'check_5;ls', '$(id)', '-e', 'constructor', '__proto__'])(
    'refuses %j',
    (text) => {
      expect(() => parseDockerBenchChecks(text)).toThrow(ConfigurationError)
      expect(() => parseDockerBenchChecks(text)).toThrow(/docker-bench-checks/)
    },
  )

  it.each<[string[], boolean]>([
    [['container_images'], false],
    [['container_runtime'], true],
    [['check_5_10'], true],
    [['check_4_1', 'check_5'], true],
    [['check_50_1'], false],
    [['all'], true],
  ])('%j needs a runtime container: %s', (checks, needed) => {
    expect(needsRuntimeContainer(checks)).toBe(needed)
  })
})

describe('dockerBenchArgs', () => {
  it('asks for no colours, remediation, the JSON log and our image only', () => {
    expect(
      dockerBenchArgs({
        checks: ['container_images', 'container_runtime'],
        logFile: '/w/db.log',
        include: 'abcdef123456',
      }),
    ).toEqual([
      '-b',
      '-p',
      '-l',
      '/w/db.log',
      '-c',
      'container_images,container_runtime',
      '-i',
      'abcdef123456',
    ])
  })
})

describe('parseDockerBenchReport', () => {
  // Found with __tests__/fuzz (the hadolint counterexample, same lookup): ids from the log looked up on
  // Object.prototype gave the finding a function as its instruction and a bogus reference.
  it.each(['constructor', '__proto__'])(
    'reads a WARN with the id %s without borrowing from Object.prototype',
    (id) => {
      const log = JSON.stringify({
        tests: [{ id: 'x', desc: 'x', results: [{ id, desc: 'odd', result: 'WARN' }] }],
      })
      const [finding] = parseDockerBenchReport(log, ctx)
      expect(finding?.instruction).toBeUndefined()
      expect(finding?.references).toEqual(['https://www.cisecurity.org/benchmark/docker'])
    },
  )

  it('makes one medium compliance finding per WARN and none for PASS, INFO and NOTE', () => {
    const findings = parseDockerBenchReport(benchLog([IMAGES, RUNTIME]), ctx)
    expect(findings.map((f) => f.ruleId)).toEqual(WARN_IDS)
    for (const f of findings) {
      expect(f).toMatchObject({
        kind: 'compliance',
        severity: 'medium',
        detectedBy: ['docker-bench'],
        target: 'app:ci',
      })
      expect(f.severityBySource).toEqual({ 'docker-bench': { severity: 'medium', original: 'WARN' } })
    }
    const user = findings[0]!
    expect(user.title).toBe('Ensure that a user for the container has been created (Automated)')
    expect(user.description).toMatch(/running as root: abcdef123456/)
    expect(user.description).toMatch(/- abcdef123456/)
    expect(user.description).toMatch(/Remediation: Add a USER instruction/)
    expect(user.description).toMatch(/Remediation impact: None\./)
    expect(user.instruction).toEqual({ keyword: 'USER' })
    expect(findings[1]?.instruction).toEqual({ keyword: 'FROM' })
    expect(user.references[0]).toBe(
      'https://github.com/docker/docker-bench-security/blob/master/tests/4_container_images.sh',
    )
  })

  it('reads the whitespace-only line the script prints after "start" as strict JSON', () => {
    const log = readDockerBenchLog(benchLog([IMAGES], { blankAfterStart: true }), ctx)
    expect(log).toMatchObject({ version: '1.6.1', complete: true, repaired: false })
    expect(log.results).toHaveLength(5)
  })

  it('reads results written straight into "tests" (-c check_4_1 without its section header)', () => {
    const text = benchLog([IMAGES, RUNTIME], { sectionless: true })
    expect(parseDockerBenchReport(text, ctx).map((f) => f.ruleId)).toEqual(WARN_IDS)
  })

  const hostile: BenchSection = {
    id: '4',
    desc: 'Container Images',
    results: [
      {
        id: '4.1',
        desc: 'Ensure a "user" for C:\\containers has been created',
        result: 'WARN',
        details: 'running as root: "web" \\d+ \u0007bell',
        items: ['"quoted"', 'back\\slash'],
      },
      { id: '4.2', desc: 'ok', result: 'PASS' },
      {
        id: '4.5',
        desc: 'Ensure Content trust for Docker is "Enabled"',
        result: 'WARN',
        remediation: 'export DOCKER_CONTENT_TRUST=1 "now"',
      },
    ],
  }

  it('recovers every result from a log with unescaped quotes, backslashes and control characters', () => {
    const text = benchLog([hostile])
    expect(() => JSON.parse(text) as unknown).toThrow()
    const log = readDockerBenchLog(text, ctx)
    expect(log.repaired).toBe(true)
    expect(log.results.map((r) => [r.id, r.result])).toEqual([
      ['4.1', 'WARN'],
      ['4.2', 'PASS'],
      ['4.5', 'WARN'],
    ])
    expect(log.results[0]?.desc).toBe('Ensure a "user" for C:\\containers has been created')
    expect(log.results[0]?.details).toContain('"web"')
    expect(log.results[0]?.items).toEqual(['"quoted"', 'back\\slash'])
    expect(log.results[2]?.remediation).toBe('export DOCKER_CONTENT_TRUST=1 "now"')
    expect(parseDockerBenchReport(text, ctx).map((f) => f.ruleId)).toEqual([
      'docker-bench/4.1',
      'docker-bench/4.5',
    ])
  })

  it('recovers results after a trailing comma and a value broken over two lines', () => {
    const text = benchLog([IMAGES, RUNTIME])
      .replace('"desc": "Container Runtime",', '"desc": "Container Runtime",')
      .replace(/("result": "PASS")\n(\s+\})/, '$1,\n$2')
      .replace('Containers with no memory limits', 'Containers with no\nmemory limits')
    expect(() => JSON.parse(text) as unknown).toThrow()
    const findings = parseDockerBenchReport(text, ctx)
    expect(findings.map((f) => f.ruleId)).toEqual(WARN_IDS)
    expect(findings[2]?.description).toMatch(/Containers with no\nmemory limits/)
  })

  it('recovers the WARNs of a log truncated by a killed run, the last one included', () => {
    const full = benchLog([IMAGES, RUNTIME])
    const cut = full.slice(0, full.indexOf('No limit') + 3)
    const log = readDockerBenchLog(cut, ctx)
    expect(log.complete).toBe(false)
    expect(parseDockerBenchReport(cut, ctx).map((f) => f.ruleId)).toEqual(WARN_IDS)
  })

  it('recovers runs from a log reformatted onto one line', () => {
    const oneLine = benchLog([hostile]).replace(/\n\s*/g, ' ')
    expect(parseDockerBenchReport(oneLine, ctx).map((f) => f.ruleId)).toEqual([
      'docker-bench/4.1',
      'docker-bench/4.5',
    ])
  })

  it('returns no finding for a finished run without results', () => {
    expect(parseDockerBenchReport(benchLog([]), ctx)).toEqual([])
    expect(
      parseDockerBenchReport(benchLog([{ ...IMAGES, results: [] }]).replace(/"checks"/, '"checks"'), ctx),
    ).toEqual([])
  })

  it.each<[string, string, RegExp]>([
    ['empty', '', /empty/],
    ['blank', '  \n', /empty/],
    [
      'text',
      'Error connecting to docker daemon (does docker ps work?)',
      /not a docker-bench-security JSON log/,
    ],
    ['another JSON object', '{"foo": 1}', /not a docker-bench-security JSON log/],
    ['a JSON array', '[1, 2]', /not a docker-bench-security JSON log/],
    [
      'a run killed before any check',
      '{\n  "dockerbenchsecurity": "1.6.1",\n  "start": 1,\n  "tests": [',
      /no check result/,
    ],
    ['binary', '\u0000\u0001\u0002PK', /not a docker-bench-security JSON log/],
  ])('refuses %s with a ScannerError naming docker-bench', (_name, text, message) => {
    expect(caught(() => parseDockerBenchReport(text, { origin: 'bad.json' })).message).toMatch(message)
  })
})

// ---------------------------------------------------------------------------------------------------
// scan(): the replay scanner stands in for the script, a fake runner for docker.

const IMAGE_ID = `sha256:abcdef123456${'0'.repeat(52)}`

interface FakeDocker {
  run: CommandRunner
  calls: string[][]
}

function result(stdout: string, exitCode = 0, stderr = ''): RunResult {
  return { exitCode, signal: null, timedOut: false, stdout, stderr, durationMs: 1 }
}

/** docker: knows IMAGE_ID, starts containers, removes them; anything else runs for real. */
function fakeDocker(options: { known?: string[]; runExit?: number } = {}): FakeDocker {
  const known = new Set(options.known ?? [IMAGE_ID])
  const calls: string[][] = []
  const run: CommandRunner = async (command, args, opts) => {
    if (command !== 'docker') return runCommand(command, args, opts)
    calls.push([...args])
    if (args[0] === 'image' && args[1] === 'inspect') {
      const ref = args.at(-1)!
      return known.has(ref) ? result(`${IMAGE_ID}\n`) : result('', 1, `Error: No such image: ${ref}`)
    }
    if (args[0] === 'load') {
      known.add('app:ci')
      return result('Loaded image: app:ci\n')
    }
    if (args[0] === 'run')
      return options.runExit
        ? result('', options.runExit, 'exec: "sh": not found')
        : result(`${'c'.repeat(64)}\n`)
    if (args[0] === 'rm') return result(`${args.at(-1)!}\n`)
    return result('', 1, 'unexpected docker call')
  }
  return { run, calls }
}

/** A stand-in for docker-bench-security.sh: maps `-l <log>` to the replay's `--output <log>.json`. */
async function writeShim(dir: string, replayPath: string): Promise<string> {
  const shim = join(dir, 'docker-bench-security.sh')
  await writeFile(
    shim,
    `#!/usr/bin/env node
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const argv = process.argv.slice(2)
fs.appendFileSync(${JSON.stringify(join(dir, 'shim.calls.jsonl'))}, JSON.stringify({ argv, cwd: process.cwd() }) + '\\n')
const mapped = []
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '-l') { mapped.push('--output', argv[i + 1] + '.json'); i++ } else mapped.push(argv[i])
}
const r = spawnSync(${JSON.stringify(replayPath)}, mapped, { stdio: 'inherit' })
process.exit(r.status === null ? 1 : r.status)
`,
  )
  await chmod(shim, 0o755)
  return shim
}

async function setup(
  replay: Omit<Parameters<typeof writeReplayScanner>[1], 'name'>,
  options: { checks?: string; docker?: FakeDocker; timeoutMs?: number; source?: ImageSource } = {},
) {
  const dir = await tempDir('csg-docker-bench-')
  const toolDir = join(dir, 'docker-bench-security-1.6.1')
  await mkdir(toolDir, { recursive: true })
  const tool = await writeReplayScanner(join(dir, 'replay'), { name: 'replay', ...replay })
  const shim = await writeShim(toolDir, tool.path)
  const docker = options.docker ?? fakeDocker()
  const logger = new RecordingLogger()
  const scanCtx = testScanContext({
    source: options.source ?? daemonSource(dir),
    image: { imageId: IMAGE_ID } as OpenedImage,
    workDir: dir,
    timeoutMs: options.timeoutMs ?? 30_000,
    logger,
    tool: { path: shim, version: '1.6.1' },
    run: docker.run,
    options: options.checks !== undefined ? { dockerBenchChecks: options.checks } : {},
  })
  const shimCalls = async () =>
    (await readFile(join(toolDir, 'shim.calls.jsonl'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { argv: string[]; cwd: string })
  return { ctx: scanCtx, docker, tool, shimCalls, toolDir, logger }
}

const removed = (docker: FakeDocker): string[][] => docker.calls.filter((c) => c[0] === 'rm')
const started = (docker: FakeDocker): string[][] => docker.calls.filter((c) => c[0] === 'run')

describe('dockerBench.scan', () => {
  it('runs the script from its directory against our image and a container of it, then removes the container', async () => {
    const {
      ctx: scanCtx,
      docker,
      shimCalls,
      toolDir,
      tool,
    } = await setup({ report: benchLog([IMAGES, RUNTIME]) })
    const findings = await dockerBench.scan(scanCtx)
    expect(findings.map((f) => f.ruleId)).toEqual(WARN_IDS)
    const [call] = await shimCalls()
    expect(call?.cwd).toBe(toolDir)
    expect(call?.argv).toEqual([
      '-b',
      '-p',
      '-l',
      join(scanCtx.workDir, 'docker-bench.log'),
      '-c',
      'container_images,container_runtime',
      '-i',
      'abcdef123456',
    ])
    expect(await readCalls(tool.callLog)).toHaveLength(1)
    const [run] = started(docker)
    const name = run![run!.indexOf('--name') + 1]!
    expect(name).toMatch(/^csg-docker-bench-abcdef123456-[0-9a-f]{8}$/)
    expect(run).toContain(IMAGE_ID)
    expect(run).toEqual(expect.arrayContaining(['--network', 'none', '--entrypoint', 'sh']))
    expect(removed(docker)).toEqual([['rm', '--force', '--volumes', name]])
  })

  it('starts no container when the runtime section is not selected', async () => {
    const { ctx: scanCtx, docker } = await setup({ report: benchLog([IMAGES]) }, { checks: '4' })
    await dockerBench.scan(scanCtx)
    expect(started(docker)).toEqual([])
    expect(removed(docker)).toEqual([])
  })

  it('removes the container when the script fails, and reports the stderr tail', async () => {
    const { ctx: scanCtx, docker } = await setup({
      exitCode: 1,
      stderr: 'Error connecting to docker daemon (does docker ps work?)\n',
    })
    await expect(dockerBench.scan(scanCtx)).rejects.toThrow(/exited with code 1[\s\S]*does docker ps work/)
    expect(removed(docker)).toHaveLength(1)
  })

  it('removes the container when the script times out', async () => {
    const { ctx: scanCtx, docker } = await setup(
      { report: benchLog([IMAGES]), sleepMs: 10_000 },
      { timeoutMs: 500 },
    )
    await expect(dockerBench.scan(scanCtx)).rejects.toThrow(/did not finish within the scan timeout/)
    expect(removed(docker)).toHaveLength(1)
  })

  it('removes a container that could not start and says why', async () => {
    const docker = fakeDocker({ runExit: 127 })
    const { ctx: scanCtx } = await setup({ report: benchLog([IMAGES]) }, { docker })
    await expect(dockerBench.scan(scanCtx)).rejects.toThrow(
      /could not start a container[\s\S]*"sh": not found/,
    )
    expect(removed(docker)).toHaveLength(1)
  })

  it('warns and still reports the WARNs of a log it had to repair', async () => {
    const { ctx: scanCtx, logger } = await setup({
      report: benchLog([IMAGES]).replace('running as root', 'running as "root"'),
    })
    expect((await dockerBench.scan(scanCtx)).map((f) => f.ruleId)).toEqual([
      'docker-bench/4.1',
      'docker-bench/4.6',
    ])
    expect(logger.messages('warning').join('\n')).toMatch(/recovered line by line/)
  })

  it('fails when the script wrote no log', async () => {
    const { ctx: scanCtx } = await setup({})
    await expect(dockerBench.scan(scanCtx)).rejects.toThrow(/exited without writing its report/)
  })

  it('loads an archive the daemon does not have', async () => {
    const docker = fakeDocker({ known: [] })
    const source: ImageSource = { input: './image.tar', kind: 'docker-archive', path: '/abs/image.tar' }
    const { ctx: scanCtx } = await setup(
      { report: benchLog([IMAGES]) },
      { docker, source, checks: 'container_images' },
    )
    await dockerBench.scan(scanCtx)
    expect(docker.calls).toContainEqual(['load', '--input', '/abs/image.tar'])
  })

  it('refuses docker-bench-checks it does not know before running anything', async () => {
    const {
      ctx: scanCtx,
      docker,
      tool,
    } = await setup({ report: benchLog([IMAGES]) }, { checks: 'container images!' })
    await expect(dockerBench.scan(scanCtx)).rejects.toThrow(ConfigurationError)
    expect(docker.calls).toEqual([])
    expect(await readCalls(tool.callLog)).toEqual([])
  })
})
