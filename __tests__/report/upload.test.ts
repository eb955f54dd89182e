import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { gunzipSync } from 'node:zlib'
import { randomBytes } from 'node:crypto'
import type { Log } from 'sarif'
import { UploadError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { readGitHubContext, type GitHubContext } from '../../src/report/github-context.js'
import {
  buildUploadRequest,
  checkoutUriOf,
  decideUpload,
  deliverSarif,
  encodeSarif,
  type DeliverSarifOptions,
  type UploadMode,
} from '../../src/report/upload.js'
import { githubErrors, startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const HEAD_SHA = 'fedcba9876543210fedcba9876543210fedcba98'
const FAST = { retryDelayMs: 1, pollDelayMs: 2, maxPollDelayMs: 5 }

function sarifLog(runs = 1): Log {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: Array.from({ length: runs }, () => ({
      tool: { driver: { name: 'container-security-gate', version: '0.1.0', rules: [] } },
      automationDetails: { id: 'container-security-gate/library/alpine/' },
      results: [
        {
          ruleId: 'CVE-2024-0001',
          message: { text: 'openssl 3.0.1 is vulnerable' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 1 } } },
          ],
        },
      ],
    })),
  }
}

function contextFor(
  api: GitHubApi,
  options: { event?: string; payload?: Record<string, unknown>; ref?: string } = {},
): GitHubContext {
  const payload = JSON.stringify(options.payload ?? {})
  return readGitHubContext(
    {
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_EVENT_NAME: options.event ?? 'push',
      GITHUB_EVENT_PATH: '/event.json',
      GITHUB_REF: options.ref ?? 'refs/heads/main',
      GITHUB_SHA: SHA,
      GITHUB_ACTOR: 'octocat',
      GITHUB_WORKSPACE: '/home/runner/work/app/app',
    },
    () => payload,
  )
}

const forkPayload = {
  number: 9,
  pull_request: {
    number: 9,
    head: { sha: HEAD_SHA, repo: { full_name: 'mallory/app', fork: true } },
    base: { repo: { full_name: 'acme/app', fork: false } },
  },
}

describe('encoding', () => {
  it('encodes base64 of gzip of the JSON', () => {
    const log = sarifLog()
    const decoded: unknown = JSON.parse(gunzipSync(Buffer.from(encodeSarif(log), 'base64')).toString('utf8'))
    expect(decoded).toEqual(log)
  })

  it('gives the workspace as a file URI', () => {
    expect(checkoutUriOf('/home/runner/work/my app/app')).toBe('file:///home/runner/work/my%20app/app')
  })

  it('builds only the documented fields, started_at in seconds', () => {
    const body = buildUploadRequest({
      log: sarifLog(),
      target: { ref: 'refs/heads/main', commitSha: SHA },
      workspace: '/w',
      startedAt: '2025-07-01T10:11:12.345Z',
      toolName: 'container-security-gate',
    })
    expect(Object.keys(body).sort()).toEqual([
      'checkout_uri',
      'commit_sha',
      'ref',
      'sarif',
      'started_at',
      'tool_name',
    ])
    expect(body.started_at).toBe('2025-07-01T10:11:12Z')
    expect(body.checkout_uri).toBe('file:///w')
  })

  it('leaves out a start time that is not a date', () => {
    const body = buildUploadRequest({
      log: sarifLog(),
      target: { ref: 'refs/heads/main', commitSha: SHA },
      startedAt: 'yesterday-ish',
      toolName: 'csg',
    })
    expect(body.started_at).toBeUndefined()
    expect(body.checkout_uri).toBeUndefined()
  })

  it('refuses, before sending, a SARIF over 10 MB gzipped', () => {
    const log = sarifLog()
    // Random bytes do not compress: 11 MiB of them stays over the limit after gzip.
    log.properties = { padding: randomBytes(11 * 1024 * 1024).toString('base64') }
    let thrown: unknown
    try {
      buildUploadRequest({ log, target: { ref: 'refs/heads/main', commitSha: SHA }, toolName: 'csg' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UploadError)
    expect((thrown as UploadError).status).toBe(413)
    expect((thrown as UploadError).message).toMatch(/limits guard.*bug/)
  })
})

describe('decideUpload', () => {
  it.each<[UploadMode, string | undefined, boolean, RegExp | undefined]>([
    ['never', undefined, false, undefined],
    ['never', 'fork', false, undefined],
    ['auto', undefined, true, undefined],
    ['auto', 'the pull request comes from a fork.', false, /skipped: the pull request comes from a fork/],
    ['always', undefined, true, undefined],
    [
      'always',
      'the pull request comes from a fork.',
      true,
      /although the pull request comes from a fork.*fails/,
    ],
  ])('%s with blocked reason %p', (mode, reason, upload, warning) => {
    const decision = decideUpload(mode, reason)
    expect(decision.upload).toBe(upload)
    if (warning === undefined) expect(decision.warning).toBeUndefined()
    else expect(decision.warning).toMatch(warning)
  })
})

describe('delivering to the GitHub API', () => {
  let api: GitHubApi
  let logger: RecordingLogger

  beforeEach(async () => {
    api = await startGitHubApi()
    logger = new RecordingLogger()
  })
  afterEach(async () => {
    await api.close()
  })

  const deliver = (overrides: Partial<DeliverSarifOptions> = {}): ReturnType<typeof deliverSarif> =>
    deliverSarif({
      mode: 'auto',
      log: sarifLog(),
      context: contextFor(api),
      token: 'ghs_test',
      startedAt: new Date('2025-07-01T10:00:00Z'),
      toolName: 'container-security-gate',
      logger,
      retries: 3,
      timing: FAST,
      maxWaitMs: 5000,
      ...overrides,
    })

  it('uploads, waits through pending, and reports complete', async () => {
    const log = sarifLog()
    const result = await deliver({ log })
    expect(result).toEqual({ status: 'uploaded', sarifId: expect.any(String), processing: 'complete' })
    expect(api.violations()).toEqual([])
    expect(api.decodedSarifs()).toEqual([log])
    const [upload] = api.uploads()
    expect(upload).toEqual({
      commit_sha: SHA,
      ref: 'refs/heads/main',
      sarif: expect.any(String),
      checkout_uri: 'file:///home/runner/work/app/app',
      started_at: '2025-07-01T10:00:00Z',
      tool_name: 'container-security-gate',
    })
    expect(api.requests.map((r) => r.route)).toEqual(['upload-sarif', 'get-sarif', 'get-sarif'])
    expect(api.requests[0]?.headers.authorization).toBe('Bearer ghs_test')
    expect(api.requests[0]?.headers['x-github-api-version']).toBe('2022-11-28')
    expect(api.requests[1]?.path).toBe(`/repos/acme/app/code-scanning/sarifs/${result.sarifId}`)
  })

  it('uploads pull request results under the pull request ref', async () => {
    const payload = {
      number: 7,
      pull_request: {
        number: 7,
        head: { sha: HEAD_SHA, repo: { full_name: 'acme/app', fork: false } },
        base: { repo: { full_name: 'acme/app', fork: false } },
      },
    }
    const result = await deliver({
      context: contextFor(api, { event: 'pull_request', payload, ref: 'refs/pull/7/merge' }),
    })
    expect(result.status).toBe('uploaded')
    expect(api.uploads()[0]).toMatchObject({ ref: 'refs/pull/7/merge', commit_sha: SHA })
  })

  it('works against a GitHub Enterprise Server API path', async () => {
    const ghes = await startGitHubApi({ basePath: '/api/v3' })
    try {
      const result = await deliver({ context: contextFor(ghes) })
      expect(result.status).toBe('uploaded')
      expect(ghes.url).toMatch(/\/api\/v3$/)
      expect(ghes.requests[0]?.path).toBe('/repos/acme/app/code-scanning/sarifs')
    } finally {
      await ghes.close()
    }
  })

  it('does not poll when asked not to wait', async () => {
    const result = await deliver({ waitForProcessing: false })
    expect(result).toMatchObject({ status: 'uploaded', processing: 'skipped' })
    expect(api.requests.map((r) => r.route)).toEqual(['upload-sarif'])
  })

  it('retries a 500 and succeeds on the 202', async () => {
    api.setResponses('upload-sarif', githubErrors.serverError)
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(api.requests.filter((r) => r.route === 'upload-sarif')).toHaveLength(2)
    expect(logger.messages('info').some((m) => m.includes('answered 500; retrying'))).toBe(true)
  })

  it('retries a dropped connection', async () => {
    api.setResponses('upload-sarif', { drop: true })
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(api.decodedSarifs()).toHaveLength(1)
  })

  it('gives up after the retries and says GitHub failed', async () => {
    api.setResponses('upload-sarif', ...Array.from({ length: 4 }, () => githubErrors.serviceUnavailable))
    const result = await deliver({ retries: 3 })
    expect(result.status).toBe('failed')
    expect(result.error).toBeInstanceOf(UploadError)
    expect(result.error?.status).toBe(503)
    expect(result.error?.message).toMatch(/failed even after retries/)
    expect(api.requests.filter((r) => r.route === 'upload-sarif')).toHaveLength(4)
  })

  it('reports an unreachable API as a network failure', async () => {
    const closed = await startGitHubApi()
    await closed.close()
    const result = await deliver({ context: contextFor(closed), retries: 1 })
    expect(result.status).toBe('failed')
    expect(result.error?.status).toBeUndefined()
    expect(result.error?.message).toMatch(/Could not reach the GitHub API.*proxy/)
  })

  describe('403 Resource not accessible by integration', () => {
    it('is a warning in auto mode, and is not retried', async () => {
      api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
      const result = await deliver({ mode: 'auto' })
      expect(result.status).toBe('skipped')
      expect(result.error).toBeUndefined()
      expect(result.warning).toMatch(/security-events: write/)
      expect(result.warning).toMatch(/actions: read/)
      expect(logger.messages('warning')).toEqual([result.warning])
      expect(api.requests).toHaveLength(1)
    })

    it('is an UploadError in always mode', async () => {
      api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
      const result = await deliver({ mode: 'always' })
      expect(result.status).toBe('failed')
      expect(result.error).toBeInstanceOf(UploadError)
      expect(result.error?.status).toBe(403)
      expect(result.error?.message).toMatch(/Resource not accessible by integration.*security-events: write/)
    })
  })

  it('names the Advanced Security setting on its 403', async () => {
    api.setResponses('upload-sarif', githubErrors.advancedSecurityRequired)
    const result = await deliver({ mode: 'always' })
    expect(result.error?.message).toMatch(/Advanced Security.*Settings/)
    expect(result.error?.message).not.toMatch(/security-events: write/)
  })

  it.each<[UploadMode, string]>([
    ['auto', 'skipped'],
    ['always', 'failed'],
  ])('names the code scanning setting on its 403 (%s → %s)', async (mode, status) => {
    api.setResponses('upload-sarif', githubErrors.codeScanningNotEnabled)
    const result = await deliver({ mode })
    expect(result.status).toBe(status)
    expect(result.warning ?? result.error?.message).toMatch(/Enable code scanning.*Settings/)
  })

  it('fails on a 413 and says the limits guard should have prevented it', async () => {
    api.setResponses('upload-sarif', githubErrors.payloadTooLarge)
    const result = await deliver({ mode: 'auto' })
    expect(result.status).toBe('failed')
    expect(result.error?.status).toBe(413)
    expect(result.error?.message).toMatch(/should not happen.*limits guard/)
  })

  it('shows the message of a 422', async () => {
    api.setResponses('upload-sarif', {
      status: 422,
      body: {
        message: 'Invalid request.\n\ncommit not found',
        documentation_url: 'https://docs.github.com/rest',
      },
    })
    const result = await deliver()
    expect(result.status).toBe('failed')
    expect(result.error?.status).toBe(422)
    expect(result.error?.message).toMatch(/commit not found/)
  })

  it('fails with the processing errors GitHub lists', async () => {
    api.setProcessing('pending', {
      failed: ['locationFromSarifResult: expected artifact location', 'second problem'],
    })
    const result = await deliver()
    expect(result.status).toBe('failed')
    expect(result.sarifId).toEqual(expect.any(String))
    expect(result.error?.message).toMatch(/could not process SARIF/)
    expect(result.error?.message).toMatch(
      /- locationFromSarifResult: expected artifact location\n\s+- second problem/,
    )
  })

  it('explains a rejection for two runs with the same category', async () => {
    const result = await deliver({ log: sarifLog(2) })
    expect(result.status).toBe('failed')
    expect(result.error?.message).toMatch(/multiple runs with the same category[\s\S]*automationDetails/)
  })

  it('warns and returns pending when processing outlasts the wait', async () => {
    api.setProcessing('pending')
    const result = await deliver({ maxWaitMs: 60 })
    expect(result).toMatchObject({ status: 'uploaded', processing: 'pending' })
    expect(logger.messages('warning').some((m) => /had not finished processing/.test(m))).toBe(true)
    expect(api.requests.filter((r) => r.route === 'get-sarif').length).toBeGreaterThanOrEqual(1)
  })

  it('treats a status check GitHub refuses as pending, not a failure', async () => {
    // A 404 may be transient (codeql-action retries it): refused three times, it is given up on.
    api.setResponses('get-sarif', githubErrors.notFound, githubErrors.notFound, githubErrors.notFound)
    const result = await deliver()
    expect(result).toMatchObject({ status: 'uploaded', processing: 'pending' })
    expect(logger.messages('warning')[0]).toMatch(/Could not check the processing/)
  })

  describe('runs whose token cannot write', () => {
    it('skips a fork pull request in auto mode without calling the API', async () => {
      const context = contextFor(api, {
        event: 'pull_request',
        payload: forkPayload,
        ref: 'refs/pull/9/merge',
      })
      const result = await deliver({ context })
      expect(result.status).toBe('skipped')
      expect(result.warning).toMatch(/mallory\/app.*read-only/)
      expect(api.requests).toHaveLength(0)
    })

    it('tries anyway in always mode, and fails on the refusal', async () => {
      api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
      const context = contextFor(api, {
        event: 'pull_request',
        payload: forkPayload,
        ref: 'refs/pull/9/merge',
      })
      const result = await deliver({ context, mode: 'always' })
      expect(result.status).toBe('failed')
      expect(result.warning).toMatch(/although/)
      expect(api.requests).toHaveLength(1)
    })

    it.each<[UploadMode, string]>([
      ['auto', 'skipped'],
      ['always', 'failed'],
    ])('handles a missing token (%s → %s) without calling the API', async (mode, status) => {
      const result = await deliver({ token: undefined, mode })
      expect(result.status).toBe(status)
      expect(result.warning ?? '').toMatch(/no GitHub token/)
      if (mode === 'always') expect(result.error?.message).toMatch(/`token` input/)
      expect(api.requests).toHaveLength(0)
    })

    it('does nothing in never mode', async () => {
      expect(await deliver({ mode: 'never' })).toEqual({ status: 'skipped' })
      expect(api.requests).toHaveLength(0)
      expect(logger.lines).toHaveLength(0)
    })
  })

  it('in always mode, returns the UploadError of a refusal as a failure', async () => {
    api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
    const result = await deliverSarif({
      mode: 'always',
      log: sarifLog(),
      context: contextFor(api),
      token: 't',
      toolName: 'container-security-gate',
      logger,
      timing: FAST,
    })
    expect(result).toMatchObject({ status: 'failed', error: { name: 'UploadError', status: 403 } })
  })

  it('in always mode, returns the id and the processing state', async () => {
    const result = await deliverSarif({
      mode: 'always',
      log: sarifLog(),
      context: contextFor(api),
      token: 't',
      toolName: 'container-security-gate',
      logger,
      timing: FAST,
    })
    expect(result).toEqual({ status: 'uploaded', sarifId: expect.any(String), processing: 'complete' })
  })
})
