/**
 * The action bundled from the current sources (jest global setup) run as the runner runs it, on generated images: outputs, summary,
 * annotations, SARIF (schema + GitHub's ingestion rules), findings JSON, upload to a loopback GitHub API,
 * and the exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from 'sarif'
import {
  CLEAN_DOCKERFILE,
  PLANTED_DOCKERFILE,
  cleanImage,
  plantedImage,
} from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { runAction, type ActionRun } from '../helpers/action-runner.js'
import { startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'
import { runMultitoolGithubRules, validateSarifSchema } from '../helpers/sarif-check.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

let work: string
let badImage: string
let cleanImageTar: string
let badWorkspace: string
let cleanWorkspace: string

beforeAll(async () => {
  work = await tempDir('csg-e2e-action-')
  badWorkspace = join(work, 'bad')
  cleanWorkspace = join(work, 'clean')
  await mkdir(badWorkspace)
  await mkdir(cleanWorkspace)
  await writeFile(join(badWorkspace, 'Dockerfile'), PLANTED_DOCKERFILE)
  await writeFile(join(cleanWorkspace, 'Dockerfile'), CLEAN_DOCKERFILE)
  badImage = join(work, 'bad.tar')
  cleanImageTar = join(work, 'clean.tar')
  await writeImage(plantedImage(), { format: 'docker-archive', out: badImage, repoTag: 'acme/bad:1.0' })
  await writeImage(cleanImage(), {
    format: 'oci-archive',
    out: cleanImageTar,
    repoTag: 'ghcr.io/acme/clean:1.0',
  })
})

const sarifOf = async (run: ActionRun): Promise<Log> =>
  JSON.parse(await readFile(run.outputs['sarif-file']!, 'utf8'))

describe('the built action on a bad image', () => {
  let run: ActionRun
  beforeAll(async () => {
    run = await runAction({
      inputs: { image: badImage, scanners: 'builtin', 'fail-on': 'high', upload: 'never' },
      cwd: badWorkspace,
    })
  })

  it('fails the step once, saying the gate failed', () => {
    expect(run.exitCode).toBe(1)
    const errors = run.commands.filter(
      (c) => c.kind === 'error' && c.message.startsWith('Security gate failed'),
    )
    expect(errors).toHaveLength(1)
  })

  it('writes every output', () => {
    expect(run.outputs['result']).toBe('fail')
    for (const name of ['total', 'critical', 'high', 'medium', 'low', 'unknown', 'sarif-truncated']) {
      expect(run.outputs[name]).toMatch(/^\d+$/)
    }
    expect(Number(run.outputs['critical'])).toBeGreaterThanOrEqual(3)
    expect(Number(run.outputs['total'])).toBeGreaterThanOrEqual(10)
    expect(run.outputs['sarif-truncated']).toBe('0')
    expect(existsSync(run.outputs['sarif-file']!)).toBe(true)
    expect(existsSync(run.outputs['findings-file']!)).toBe(true)
    expect(run.outputs['sarif-file']!.startsWith(run.runnerTemp)).toBe(true)
  })

  it('writes a job summary with the verdict and the counts', () => {
    expect(run.summary).toMatch(/fail/i)
    expect(run.summary).toContain('csg/root-user')
    expect(Buffer.byteLength(run.summary)).toBeLessThan(1024 * 1024)
  })

  it('annotates within the per-level budget, on Dockerfile lines where known', () => {
    for (const kind of ['error', 'warning', 'notice']) {
      expect(
        run.commands.filter((c) => c.kind === kind && !c.message.startsWith('Security gate failed')).length,
      ).toBeLessThanOrEqual(10)
    }
    expect(run.commands.some((c) => c.properties.includes('file=Dockerfile'))).toBe(true)
  })

  it('writes SARIF that passes the schema and GitHub ingestion rules', async () => {
    const log = await sarifOf(run)
    expect(validateSarifSchema(log)).toEqual([])
    const problems = await runMultitoolGithubRules([run.outputs['sarif-file']!])
    expect(problems.filter((p) => p.level === 'error')).toEqual([])
    expect(log.runs).toHaveLength(1)
    expect(log.runs[0]?.automationDetails?.id).toBe('container-security-gate/acme/bad/')
  })

  it('never writes a planted secret anywhere', async () => {
    const { ALL_PLANTED } = await import('../../scripts/lib/planted-secrets.js')
    const everything = [
      run.stdout,
      run.stderr,
      run.summary,
      await readFile(run.outputs['sarif-file']!, 'utf8'),
      await readFile(run.outputs['findings-file']!, 'utf8'),
    ].join('\n')
    for (const secret of ALL_PLANTED) expect(everything).not.toContain(secret)
  })
})

describe('the built action on a clean image', () => {
  it('passes with result=pass and exit 0', async () => {
    const run = await runAction({
      inputs: { image: cleanImageTar, scanners: 'builtin', 'fail-on': 'medium', upload: 'never' },
      cwd: cleanWorkspace,
    })
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.outputs['result']).toBe('pass')
    expect(run.commands.filter((c) => c.kind === 'error')).toEqual([])
  })
})

describe('the built action on several images', () => {
  it('gives one run per image with its own category, and the same fingerprints on a second scan', async () => {
    const inputs = {
      image: `${badImage}\n${cleanImageTar}`,
      scanners: 'builtin',
      'fail-on': 'none',
      upload: 'never',
    }
    const first = await runAction({ inputs, cwd: badWorkspace })
    const second = await runAction({ inputs, cwd: badWorkspace })
    expect(first.exitCode).toBe(0)
    const a = await sarifOf(first)
    const b = await sarifOf(second)
    expect(a.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/acme/bad/',
      'container-security-gate/ghcr.io/acme/clean/',
    ])
    const prints = (log: Log) =>
      log.runs.flatMap((r) =>
        (r.results ?? []).map((x) => x.partialFingerprints?.['primaryLocationLineHash']),
      )
    expect(prints(a).length).toBeGreaterThan(0)
    expect(prints(a)).toEqual(prints(b))
    expect(validateSarifSchema(a)).toEqual([])
  })
})

describe('bad input to the built action', () => {
  it.each([
    [{ scanners: 'builtin,nope' }, /input scanners: unknown scanner "nope"/],
    [{ 'fail-on': 'severe' }, /input fail-on: unknown severity "severe"/],
    [{ image: '/does/not/exist.tar' }, /does not exist/],
    [{ dockerfile: 'missing/Dockerfile' }, /input dockerfile: missing\/Dockerfile does not exist/],
    [{ dockerfile: '.' }, /input dockerfile: \S+ could not be read: it is a directory, not a regular file/],
    [{ image: '' }, /no image given/],
    [{ 'scan-timeout': 'soon' }, /input scan-timeout/],
  ])('%j fails the step with one clear line and leaves no SARIF', async (inputs, message) => {
    const run = await runAction({
      inputs: { image: badImage, scanners: 'builtin', upload: 'never', ...inputs },
    })
    expect(run.exitCode).toBe(1)
    const errors = run.commands.filter((c) => c.kind === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(message)
    expect(run.stdout).not.toMatch(/\n\s+at /) // no stack trace
    expect(existsSync(join(run.runnerTemp, 'container-security-gate.sarif'))).toBe(false)
    // Outputs and the summary still reach the workflow: `if: steps.gate.outputs.result == 'error'` fires.
    expect(run.outputs['result']).toBe('error')
    expect(run.summary).toContain('## ⚠️ Container security gate errored')
    expect(run.summary).toContain('An input is not valid, so the run stopped before a verdict')
    expect(run.summary.replaceAll('&quot;', '"')).toMatch(message) // the summary escapes HTML
  })

  it('fails a corrupt tarball as an unreadable image', async () => {
    const corrupt = join(work, 'corrupt.tar')
    const bytes = await readFile(badImage)
    await writeFile(corrupt, bytes.subarray(0, Math.floor(bytes.length / 2)))
    const run = await runAction({ inputs: { image: corrupt, scanners: 'builtin', upload: 'never' } })
    expect(run.exitCode).toBe(1)
    const errors = run.commands.filter((c) => c.kind === 'error')
    expect(errors).toHaveLength(1)
    expect(errors[0]!.message).toMatch(/truncated|corrupt|ends early|unexpected end/i)
    expect(run.outputs['result']).toBe('error')
    expect(run.summary).toContain('The image could not be read, so the run stopped before a verdict')
    expect(run.summary).toMatch(/truncated|corrupt|ends early|unexpected end/i)
  })
})

describe('the built action uploading to a loopback GitHub API', () => {
  let api: GitHubApi
  beforeAll(async () => {
    api = await startGitHubApi()
  })
  afterAll(async () => api.close())

  const githubEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    GITHUB_API_URL: api.url,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_WORKFLOW: 'ci',
    GITHUB_JOB: 'scan',
    ...extra,
  })

  it('uploads on push, waits for processing, and sets sarif-id', async () => {
    const run = await runAction({
      inputs: {
        image: badImage,
        scanners: 'builtin',
        'fail-on': 'none',
        upload: 'auto',
        token: 'test-token',
      },
      env: githubEnv(),
      cwd: badWorkspace,
    })
    expect(api.violations()).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.outputs['sarif-id']).toBeTruthy()
    const uploaded = api.decodedSarifs().at(-1)!
    expect(validateSarifSchema(uploaded)).toEqual([])
    expect(uploaded.runs[0]?.results?.length).toBe(Number(run.outputs['total']))
  })

  it('skips the upload on a fork pull request with one warning, and still applies the gate', async () => {
    const eventPath = join(work, 'fork-event.json')
    await writeFile(
      eventPath,
      JSON.stringify({
        pull_request: {
          number: 7,
          head: { sha: 'b'.repeat(40), ref: 'feature', repo: { full_name: 'someone/app', fork: true } },
          base: { sha: 'c'.repeat(40), ref: 'main', repo: { full_name: 'acme/app', fork: false } },
        },
      }),
    )
    const before = api.uploads().length
    const run = await runAction({
      inputs: {
        image: badImage,
        scanners: 'builtin',
        'fail-on': 'high',
        upload: 'auto',
        token: 'test-token',
      },
      env: githubEnv({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_EVENT_PATH: eventPath,
      }),
      cwd: badWorkspace,
    })
    expect(api.uploads().length).toBe(before)
    expect(
      run.commands.filter((c) => c.kind === 'warning' && /upload skipped/i.test(c.message)),
    ).toHaveLength(1)
    expect(run.exitCode).toBe(1)
    expect(run.outputs['result']).toBe('fail')
    expect(run.outputs['sarif-id'] ?? '').toBe('')
  })
})
