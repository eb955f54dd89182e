/** The scan stage: scanners that cannot run, fail to install or fail to scan never hide the others. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { buildConfig, type Config } from '../../src/config/config.js'
import type { Inputs } from '../../src/config/inputs.js'
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js'
import { scanTargets } from '../../src/stages/scan.js'
import { closeTargets, resolveTargets, type ScanTarget } from '../../src/stages/targets.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import type { CommandRunner } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { existsSync, readFileSync } from 'node:fs'

let work: string
let image: string
let targets: ScanTarget[]

/** No docker on PATH as far as the pipeline can tell. */
const noDocker: CommandRunner = async () => ({
  exitCode: 127,
  signal: null,
  timedOut: false,
  stdout: '',
  stderr: 'not found',
  durationMs: 1,
})

function deps(overrides: Partial<PipelineDeps> = {}): PipelineDeps & { logger: RecordingLogger } {
  return {
    run: noDocker,
    logger: new RecordingLogger(),
    env: {},
    platform: 'linux-x64',
    now: () => new Date('2026-11-28T00:00:00Z'),
    install: async () => {
      throw new ScannerError('x', 'install should not be called')
    },
    ...overrides,
  } as PipelineDeps & { logger: RecordingLogger }
}

function config(inputs: Partial<Inputs>): Config {
  return buildConfig(
    { image: [image], ...inputs },
    {
      workspace: work,
      tempDir: work,
      exists: existsSync,
      readFile: (p) => readFileSync(p, 'utf8'),
      defaultOutputs: 'none',
    },
  )
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'csg-stage-scan-'))
  image = join(work, 'clean.tar')
  await writeImage(cleanImage(), { format: 'docker-archive', out: image, repoTag: 'acme/clean:1' })
  targets = await resolveTargets(config({ scanners: ['builtin'] }), deps())
})
afterAll(async () => {
  await closeTargets(targets)
  await rm(work, { recursive: true, force: true })
})

describe('scanTargets', () => {
  it('reports a scanner that cannot run here as failed, with the reason, and still runs the others', async () => {
    const d = deps()
    const outcomes = await scanTargets(targets, config({ scanners: ['builtin', 'snyk', 'hadolint'] }), d)
    const byScanner = Object.fromEntries(outcomes.map((o) => [o.run.scanner, o.run]))
    expect(byScanner['builtin']?.status).toBe('ok')
    expect(byScanner['snyk']).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/SNYK_TOKEN/),
    })
    expect(byScanner['hadolint']).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/Dockerfile/),
    })
  })

  it('reports them as skipped with continue-on-scanner-error', async () => {
    const outcomes = await scanTargets(
      targets,
      config({ scanners: ['builtin', 'docker-bench'], 'continue-on-scanner-error': 'true' }),
      deps(),
    )
    const bench = outcomes.find((o) => o.run.scanner === 'docker-bench')!.run
    expect(bench.status).toBe('skipped')
    expect(bench.message).toMatch(/Docker daemon/)
  })

  it('turns an install failure into a failed run per image, naming the scanner', async () => {
    const d = deps({
      install: async () => {
        throw new ScannerError('trivy', 'checksum mismatch for trivy_0.70.0_Linux-64bit.tar.gz')
      },
    })
    const outcomes = await scanTargets(targets, config({ scanners: ['builtin', 'trivy'] }), d)
    const trivy = outcomes.find((o) => o.run.scanner === 'trivy')!.run
    expect(trivy).toMatchObject({
      status: 'failed',
      message: 'could not install Trivy: checksum mismatch for trivy_0.70.0_Linux-64bit.tar.gz',
    })
    expect(outcomes.find((o) => o.run.scanner === 'builtin')!.run.status).toBe('ok')
  })

  it('lets our own bugs through instead of calling them scanner failures', async () => {
    const d = deps({
      install: async () => {
        throw new TypeError('a bug')
      },
    })
    await expect(scanTargets(targets, config({ scanners: ['trivy'] }), d)).rejects.toThrow(TypeError)
  })

  it('restores and saves the vulnerability DB cache around the scans of a scanner', async () => {
    const calls: string[] = []
    const d = deps({
      install: async () => {
        const path = join(work, 'fake-trivy')
        await writeFile(path, '#!/bin/sh\nexit 1\n', { mode: 0o755 })
        return { path, version: '0.70.0' }
      },
      dbCache: {
        restore: async (scanner, dirs) => {
          const root = join('db', 'trivy')
          calls.push(`restore ${scanner} ${dirs.map((d) => d.slice(d.lastIndexOf(root))).join(' ')}`)
          return undefined
        },
        save: async (scanner) => {
          calls.push(`save ${scanner}`)
        },
      },
    })
    const outcomes = await scanTargets(targets, config({ scanners: ['trivy'] }), d)
    expect(outcomes[0]!.run.status).toBe('failed')
    // A failed scan leaves nothing worth saving.
    // Both of Trivy's DBs, in one cache entry: the vulnerability DB and the Java DB (pkg/javadb/client.go).
    expect(calls).toEqual([`restore trivy ${join('db', 'trivy', 'db')} ${join('db', 'trivy', 'java-db')}`])
  })

  it.each([
    ['trivy', 'TRIVY_CACHE_DIR', false, ['container-security-gate', 'db', 'trivy']],
    ['grype', 'GRYPE_DB_CACHE_DIR', false, ['container-security-gate', 'db', 'grype']],
    ['trivy', 'TRIVY_CACHE_DIR', true, ['user-db']],
    ['grype', 'GRYPE_DB_CACHE_DIR', true, ['user-db']],
  ] as const)(
    'points %s at its DB directory through %s (set by the user: %s)',
    async (scanner, envVar, userSet, expected) => {
      const seen: (string | undefined)[] = []
      const d = deps({
        env: userSet ? { [envVar]: join(work, 'user-db') } : {},
        install: async () => ({ path: `/fake/${scanner}`, version: '1.0.0' }),
        run: async (command, _args, options) => {
          if (command === `/fake/${scanner}`) seen.push(options?.env?.[envVar])
          return noDocker(command, _args, options)
        },
      })
      await scanTargets(targets, config({ scanners: [scanner] }), d)
      expect(seen[0]).toBe(join(work, ...expected))
    },
  )
})

describe('runPipeline', () => {
  it('gives error, not pass, when a scanner failed and found nothing', async () => {
    const result = await runPipeline(config({ scanners: ['builtin', 'snyk'], 'fail-on': 'critical' }), deps())
    expect(result.verdict.result).toBe('error')
    expect(result.verdict.reasons[0]).toMatch(/Snyk.*SNYK_TOKEN/)
  })

  it('parses the Dockerfile once and gives it to the builtin checks (a remote ADD seen only there)', async () => {
    const dir = join(work, 'remote-add')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'Dockerfile'), 'FROM alpine:3.19\nADD https://example.com/x.tar.gz /x.tar.gz\n')
    const result = await runPipeline(
      config({ scanners: ['builtin'], dockerfile: join(dir, 'Dockerfile') }),
      deps(),
    )
    const remote = result.images[0]!.findings.filter((f) => f.ruleId === 'csg/remote-add')
    expect(remote.map((f) => f.subject)).toEqual(['https://example.com/x.tar.gz'])
    expect(result.dockerfile).toBe('remote-add/Dockerfile')
  })

  it('stops with a configuration error naming the input when the Dockerfile cannot be read', async () => {
    const dir = join(work, 'dockerfile-dir')
    await mkdir(join(dir, 'Dockerfile'), { recursive: true })
    const run = runPipeline(config({ scanners: ['builtin'], dockerfile: join(dir, 'Dockerfile') }), deps())
    await expect(run).rejects.toThrow(ConfigurationError)
    await expect(run).rejects.toThrow(`input dockerfile: ${join(dir, 'Dockerfile')} could not be read: `)
    await expect(run).rejects.toThrow(/it is a directory, not a regular file/)
  })

  it('passes the clean image with the builtin checks', async () => {
    const result = await runPipeline(config({ scanners: ['builtin'], 'fail-on': 'medium' }), deps())
    expect(result.verdict.result).toBe('pass')
    expect(result.images[0]!.repository).toBe('acme/clean')
  })
})
