/**
 * The built action delivering results where people look, against a loopback stand-in for the GitHub API
 * that checks every upload against the REST contract: the upload cases, GitHub's limits with a large
 * report, and the sticky pull request comment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PLANTED_DOCKERFILE, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { runAction, shownAnnotations, type ActionRun } from '../helpers/action-runner.js'
import { githubErrors, startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'
import { trivyReport, type ReportVulnerability } from '../helpers/scanner-reports.js'
import { validateSarifSchema } from '../helpers/sarif-check.js'
import type { Log } from 'sarif'
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
afterAll(async () => {
  await api.close()
  await rm(work, { recursive: true, force: true })
})

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
    // kev: off — these runs are about the upload; KEV data unavailable here would add its own warning.
    inputs: { image, scanners: 'builtin', 'fail-on': 'none', token: 'ghs_test', kev: 'off', ...inputs },
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
    const total = Number(r.outputs['total'])
    // Code scanning shows 5,000 per run: everything else is counted as not shown.
    expect(Number(r.outputs['sarif-truncated'])).toBe(total - 5000)
    const uploaded = api.decodedSarifs().at(-1)!
    expect(validateSarifSchema(uploaded)).toEqual([])
    expect(uploaded.runs).toHaveLength(1)
    expect(uploaded.runs[0]!.results).toHaveLength(5000)
    // The stand-in stores the first 5,000 of a run as sent, like GitHub (github/docs#38085): every
    // critical (1,000 of them) must be among those it shows.
    const criticals = vulns.filter((v) => v.trivySeverity === 'CRITICAL').length
    const stored = api.analyses().find((a) => a.commitSha === '1'.repeat(40) && a.results === 5000)!
    expect(stored.warnings).toEqual([])
    expect(stored.shownLevels.filter((l) => l === 'error').length).toBeGreaterThanOrEqual(criticals)
    // The sarif-file keeps what GitHub accepts (25,000); findings-file keeps everything.
    const written = JSON.parse(await readFile(r.outputs['sarif-file']!, 'utf8')) as Log
    expect(written.runs[0]!.results).toHaveLength(25_000)
    const findings = JSON.parse(await readFile(r.outputs['findings-file']!, 'utf8')) as {
      findings: unknown[]
    }
    expect(findings.findings).toHaveLength(total)
    expect(r.summary).toMatch(/code scanning shows at most 5,000 results per run/)
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
    const body = api.comments(12)[0]!.body
    expect(body).toMatch(/csg\/root-user/)
    // The fix plan leads the comment, and each finding says what the gate made of it.
    expect(body).toMatch(/\n### Fix first\n\n1\. \S/)
    expect(body.indexOf('### Fix first')).toBeLessThan(body.indexOf('### Findings'))
    expect(body).toMatch(/^\| ❌ \*\*fails\*\* \| 🟥 critical \|/m)
    const second = await run({ comment: 'true', upload: 'never', 'fail-on': 'none' }, prEnv)
    expect(second.outputs['result']).toBe('pass')
    const comments = api.comments(12)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toMatch(/pass/i)
  })
})

describe("GitHub's contract (issue #11)", () => {
  const sha = (digit: string): string => digit.repeat(40)
  const analysesOf = (commit: string) => api.analyses().filter((a) => a.commitSha === commit)

  it('matrix legs scanning one repository keep separate analyses; a re-run of a leg replaces its own', async () => {
    const commit = sha('a')
    const leg = (variant: string) =>
      run(
        { upload: 'always', 'wait-for-processing': 'false', matrix: JSON.stringify({ variant }) },
        { GITHUB_SHA: commit },
      )
    const replacedBefore = api.replacedAnalyses()
    expect((await leg('alpine')).exitCode).toBe(0)
    expect((await leg('debian')).exitCode).toBe(0)
    expect(analysesOf(commit).map((a) => a.category)).toEqual([
      'container-security-gate/variant:alpine/acme/app/',
      'container-security-gate/variant:debian/acme/app/',
    ])
    expect(api.replacedAnalyses()).toBe(replacedBefore)
    expect((await leg('alpine')).exitCode).toBe(0)
    expect(analysesOf(commit)).toHaveLength(2)
    expect(api.replacedAnalyses()).toBe(replacedBefore + 1)
  })

  it('per-build tags of one repository keep the same categories build after build', async () => {
    const commit = sha('b')
    // Two reports of one repository in one step, one under a per-build tag (`app:${{ github.sha }}`).
    const report = async (tag: string): Promise<string> => {
      const path = join(work, `trivy-${tag}.json`)
      const vuln: ReportVulnerability = {
        cve: 'CVE-2024-0001',
        ghsa: 'GHSA-0001',
        pkg: 'busybox',
        version: '1.0',
        fixed: '1.1',
        diffId: `sha256:${'c'.repeat(64)}`,
        trivySeverity: 'HIGH',
        grypeSeverity: 'High',
      }
      await writeFile(path, trivyReport(`acme/app:${tag}`, [vuln]))
      return `trivy:${path}`
    }
    const build = async (n: number) =>
      run(
        {
          image: '',
          reports: `${await report('latest')}\n${await report(`build-${n}`)}`,
          upload: 'always',
          'wait-for-processing': 'false',
        },
        { GITHUB_SHA: commit },
      )
    expect((await build(1)).exitCode).toBe(0)
    expect((await build(2)).exitCode).toBe(0)
    expect(analysesOf(commit).map((a) => a.category)).toEqual([
      'container-security-gate/acme/app/',
      'container-security-gate/acme/app~2/',
    ])
  })

  it('an OCI layout tagged only "t" is filed as "image", not under its changing file name, and the summary says so', async () => {
    const commit = sha('c')
    const categories: string[] = []
    for (const name of ['image-3f2a.tar', 'image-9b1c.tar']) {
      const layout = join(work, name)
      await writeImage(plantedImage(), { format: 'oci-archive', out: layout, repoTag: 't' })
      const r = await run(
        { image: layout, upload: 'always', 'wait-for-processing': 'false' },
        { GITHUB_SHA: commit },
      )
      expect(r.exitCode).toBe(0)
      expect(r.summary).toMatch(/carries no repository name/)
      categories.push(...analysesOf(commit).map((a) => a.category))
    }
    expect(categories).toEqual(['container-security-gate/image/', 'container-security-gate/image/'])
  })

  it('a Dependabot run is not skipped up front', async () => {
    const before = api.uploads().length
    const r = await run(
      { upload: 'auto', 'wait-for-processing': 'false' },
      { GITHUB_ACTOR: 'dependabot[bot]', GITHUB_SHA: sha('d') },
    )
    expect(r.exitCode).toBe(0)
    expect(api.uploads().length).toBe(before + 1)
    expect(warnings(r).filter((w) => /upload skipped/i.test(w))).toEqual([])
  })

  it('"Code Security must be enabled" advises enabling it, not a permission', async () => {
    api.setResponses('upload-sarif', githubErrors.codeSecurityRequired)
    const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
    expect(r.exitCode).toBe(0)
    const skipped = warnings(r).filter((w) => /upload skipped/i.test(w))
    expect(skipped).toHaveLength(1)
    expect(skipped[0]).toMatch(/Code Security must be enabled.*Enable code scanning for the repository/)
    expect(skipped[0]).not.toMatch(/security-events: write/)
  })

  it('a primary rate limit that resets beyond the bound fails the step clearly, without waiting', async () => {
    const reset = Math.floor(Date.now() / 1000) + 2 * 3600
    api.setQuota({ remaining: 0, resetEpochSeconds: reset })
    try {
      const started = Date.now()
      const r = await run({ upload: 'auto', 'wait-for-processing': 'false' })
      expect(r.exitCode).toBe(1)
      expect(errors(r)[0]).toMatch(/Code scanning upload failed: .*primary API rate limit.*resets at/s)
      expect(Date.now() - started).toBeLessThan(60_000)
    } finally {
      api.setQuota({ remaining: 5000, resetEpochSeconds: Math.floor(Date.now() / 1000) + 3600 })
    }
  })

  it("the step's first error annotation is the verdict, and the findings leave room for the action's warnings", async () => {
    const vulns: ReportVulnerability[] = Array.from({ length: 30 }, (_, i) => ({
      cve: `CVE-2025-${String(20000 + i)}`,
      ghsa: `GHSA-h${i}`,
      pkg: `lib-${i}`,
      version: '1.0.0',
      fixed: '1.0.1',
      diffId: `sha256:${'b'.repeat(64)}`,
      trivySeverity: i % 2 === 0 ? 'HIGH' : 'MEDIUM',
      grypeSeverity: 'High',
    }))
    const report = join(work, 'thirty.json')
    await writeFile(report, trivyReport('acme/app:1.0', vulns))
    api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
    const r = await run({ reports: `trivy:${report}`, 'fail-on': 'high', upload: 'auto' })
    expect(r.exitCode).toBe(1)
    // What the runner shows of the step: the first 10 of each level.
    expect(shownAnnotations(r, 'error')[0]).toMatch(/^Security gate failed: /)
    expect(errors(r).length).toBeLessThanOrEqual(10)
    expect(shownAnnotations(r, 'warning')[0]).toMatch(/upload skipped/i)
    expect(warnings(r).length).toBeLessThanOrEqual(9)
  })
})
