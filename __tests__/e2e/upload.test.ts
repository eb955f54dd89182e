/**
 * The built action delivering results where people look, against a loopback stand-in for the GitHub API
 * that checks every upload against the REST contract: the upload cases, GitHub's limits with a large
 * report, and the sticky pull request comment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PLANTED_DOCKERFILE, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { runAction, type ActionRun } from '../helpers/action-runner.js'
import { githubErrors, startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'
import { trivyReport, type ReportVulnerability } from '../helpers/scanner-reports.js'
import { validateSarifSchema } from '../helpers/sarif-check.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

let work: string
let workspace: string
let image: string
let api: GitHubApi

beforeAll(async () => {
  work = await tempDir('csg-e2e-upload-')
  workspace = join(work, 'repo')
  await mkdir(workspace)
  await writeFile(join(workspace, 'Dockerfile'), PLANTED_DOCKERFILE)
  image = join(work, 'app.tar')
  await writeImage(plantedImage(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
  api = await startGitHubApi()
})
afterAll(async () => api.close())

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  GITHUB_API_URL: api.url,
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: '1'.repeat(40),
  GITHUB_WORKFLOW: 'ci',
  GITHUB_JOB: 'image',
  ...extra,
})

function run(inputs: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<ActionRun> {
  return runAction({
    inputs: { image, scanners: 'builtin', 'fail-on': 'none', token: 'ghs_test', ...inputs },
    env: env(extraEnv),
    cwd: workspace,
  })
}

const warnings = (r: ActionRun): string[] =>
  r.commands.filter((c) => c.kind === 'warning').map((c) => c.message)
const errors = (r: ActionRun): string[] => r.commands.filter((c) => c.kind === 'error').map((c) => c.message)

describe('code-scanning upload cases', () => {
  it('403 with upload: auto → one warning naming the permission, the step passes', async () => {
    api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
    const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(0)
    expect(warnings(r).filter((w) => /upload skipped/i.test(w))).toHaveLength(1)
    expect(warnings(r).join('\n')).toMatch(/security-events: write/)
    expect(r.outputs['result']).toBe('pass')
  })

  it('403 with upload: always → the step fails with the API message', async () => {
    api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
    const r = await run({ upload: 'always', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(1)
    expect(errors(r).join('\n')).toMatch(/Code scanning upload failed: .*security-events: write/s)
    expect(r.outputs['result']).toBe('pass') // the gate itself passed
  })

  it('404 (code scanning not enabled) with auto → a warning saying which setting', async () => {
    api.setResponses('upload-sarif', githubErrors.codeScanningNotEnabled)
    const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(0)
    expect(warnings(r).join('\n')).toMatch(/code scanning/i)
  })

  it('413 → the step fails, saying the SARIF was too large', async () => {
    api.setResponses('upload-sarif', githubErrors.payloadTooLarge)
    const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(1)
    expect(errors(r).join('\n')).toMatch(/too large/i)
  })

  it('500 then 202 → retried, uploaded, sarif-id set', async () => {
    api.setResponses('upload-sarif', githubErrors.serverError)
    const before = api.uploads().length
    const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(0)
    expect(api.uploads().length).toBe(before + 1)
    expect(r.outputs['sarif-id']).toBeTruthy()
    expect(api.violations()).toEqual([])
  })

  it('processing failed → the step fails and shows the API errors', async () => {
    api.setProcessing({ failed: ['locationFromSarifResult: expected artifact location'] })
    try {
      const r = await run({ upload: 'auto' })
      expect(r.exitCode).toBe(1)
      expect(errors(r).join('\n')).toMatch(/locationFromSarifResult: expected artifact location/)
    } finally {
      api.setProcessing('pending', 'complete')
    }
  })
})

describe('GitHub limits', () => {
  it('a report with 40,000 findings uploads within the limits, keeps every critical, and says how many were left out', async () => {
    const vulns: ReportVulnerability[] = []
    for (let i = 0; i < 40_000; i++) {
      vulns.push({
        cve: `CVE-2024-${String(10000 + (i % 400)).padStart(5, '0')}`,
        ghsa: `GHSA-${i}`,
        pkg: `pkg-${Math.floor(i / 400)}`,
        version: '1.0.0',
        fixed: '1.0.1',
        diffId: `sha256:${'a'.repeat(64)}`,
        trivySeverity: i % 40 === 0 ? 'CRITICAL' : i % 3 === 0 ? 'HIGH' : 'LOW',
        grypeSeverity: 'Low',
      })
    }
    const report = join(work, 'big-trivy.json')
    await writeFile(report, trivyReport('acme/app:1.0', vulns))
    const r = await run({ reports: `trivy:${report}`, upload: 'auto', 'wait-for-processing': 'false' })
    // Annotations of critical findings are `::error` lines too; the step itself must not fail.
    expect(errors(r).filter((e) => /failed|internal error/.test(e) && !e.includes('found by'))).toEqual([])
    expect(r.exitCode).toBe(0)
    expect(Number(r.outputs['total'])).toBeGreaterThanOrEqual(40_000)
    expect(Number(r.outputs['sarif-truncated'])).toBeGreaterThanOrEqual(15_000)
    const uploaded = api.decodedSarifs().at(-1)!
    expect(validateSarifSchema(uploaded)).toEqual([])
    for (const sarifRun of uploaded.runs) expect(sarifRun.results!.length).toBeLessThanOrEqual(25_000)
    const criticalRules = new Set(
      vulns.filter((v) => v.trivySeverity === 'CRITICAL').map((v) => `${v.cve}|${v.pkg}`),
    )
    const rules = new Map((uploaded.runs[0]!.tool.driver.rules ?? []).map((rule, i) => [i, rule.id]))
    const keptCritical = uploaded.runs[0]!.results!.filter((res) => res.level === 'error').length
    expect(keptCritical).toBeGreaterThanOrEqual(criticalRules.size)
    expect(rules.size).toBeGreaterThan(0)
    expect(r.summary).toMatch(/left out|dropped|truncated/i)
    const gz = api.uploads().at(-1)!['sarif'] as string
    expect(Buffer.from(gz, 'base64').length).toBeLessThanOrEqual(10 * 1024 * 1024)
  })
})

describe('pull request comment', () => {
  it('creates one sticky comment and updates it in place on a re-run', async () => {
    const eventPath = join(work, 'pr-event.json')
    await writeFile(
      eventPath,
      JSON.stringify({
        pull_request: {
          number: 12,
          head: { sha: '2'.repeat(40), ref: 'feature', repo: { full_name: 'acme/app', fork: false } },
          base: { sha: '3'.repeat(40), ref: 'main', repo: { full_name: 'acme/app', fork: false } },
        },
      }),
    )
    const prEnv = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/12/merge',
      GITHUB_EVENT_PATH: eventPath,
    }
    const first = await run({ comment: 'true', upload: 'never', 'fail-on': 'high' }, prEnv)
    expect(first.outputs['result']).toBe('fail')
    expect(api.comments(12)).toHaveLength(1)
    expect(api.comments(12)[0]!.body).toMatch(/csg\/root-user/)
    const second = await run({ comment: 'true', upload: 'never', 'fail-on': 'none' }, prEnv)
    expect(second.outputs['result']).toBe('pass')
    const comments = api.comments(12)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toMatch(/pass/i)
  })
})
