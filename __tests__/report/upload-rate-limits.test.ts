/**
 * GitHub's rate limits, enablement answers, transient 401/403/404 and Dependabot, against the loopback
 * GitHub, with an injected clock and sleep: nothing here really waits. The waits expected are written out
 * from GitHub's rules ("Rate limits for the REST API", "Exceeding the rate limit").
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Log } from 'sarif'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { readGitHubContext, type GitHubContext } from '../../src/report/github-context.js'
import { deliverSarif, type DeliverSarifOptions } from '../../src/report/upload.js'
import { githubErrors, startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
/** 2025-07-01T10:00:00Z */
const T0 = Date.UTC(2025, 6, 1, 10, 0, 0)

const log: Log = {
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'container-security-gate', rules: [] } },
      automationDetails: { id: 'container-security-gate/library/alpine/' },
      results: [],
    },
  ],
}

function contextFor(api: GitHubApi, env: Record<string, string> = {}): GitHubContext {
  return readGitHubContext(
    {
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: SHA,
      GITHUB_ACTOR: 'octocat',
      ...env,
    },
    () => undefined,
  )
}

let api: GitHubApi
let logger: RecordingLogger
let clock: number
let slept: number[]

beforeEach(async () => {
  api = await startGitHubApi()
  logger = new RecordingLogger()
  clock = T0
  slept = []
})
afterEach(async () => api.close())

/** A sleep that only moves the injected clock, and can run something when a wait ends. */
function fakeSleep(onWake?: (totalSleptMs: number) => void) {
  return async (ms: number): Promise<void> => {
    slept.push(ms)
    clock += ms
    onWake?.(slept.reduce((a, b) => a + b, 0))
  }
}

const deliver = (overrides: Partial<DeliverSarifOptions> = {}): ReturnType<typeof deliverSarif> =>
  deliverSarif({
    mode: 'auto',
    log,
    context: contextFor(api),
    token: 'ghs_test',
    toolName: 'container-security-gate',
    logger,
    waitForProcessing: false,
    timing: { retryDelayMs: 2000 },
    sleep: fakeSleep(),
    now: () => clock,
    ...overrides,
  })

describe('primary rate limit (x-ratelimit-remaining: 0)', () => {
  it('waits until x-ratelimit-reset (plus a second), never sooner, then uploads', async () => {
    api.setQuota({ remaining: 0, resetEpochSeconds: T0 / 1000 + 120 })
    const result = await deliver({
      sleep: fakeSleep(() => api.setQuota({ remaining: 5000, resetEpochSeconds: T0 / 1000 + 3720 })),
    })
    expect(result.status).toBe('uploaded')
    expect(slept).toEqual([121_000])
    expect(api.uploads()).toHaveLength(1)
  })

  it('fails clearly, without waiting, when the reset is beyond the bound — also under upload: auto', async () => {
    api.setQuota({ remaining: 0, resetEpochSeconds: T0 / 1000 + 2 * 3600 })
    const result = await deliver({ mode: 'auto' })
    expect(slept).toEqual([])
    expect(result.status).toBe('failed')
    expect(result.error?.status).toBe(429)
    expect(result.error?.message).toMatch(/primary API rate limit.*resets at 12:00:00 UTC.*15 minutes/s)
    expect(api.requests).toHaveLength(1)
  })
})

describe('secondary rate limit', () => {
  it('honours retry-after in full (300 s is not cut to a minute)', async () => {
    api.setResponses('upload-sarif', {
      ...githubErrors.secondaryRateLimit,
      headers: { 'retry-after': '300' },
    })
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(slept).toEqual([300_000])
  })

  it('without retry-after waits at least a minute, doubling each time', async () => {
    api.setResponses('upload-sarif', githubErrors.secondaryRateLimit, githubErrors.secondaryRateLimit)
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(slept).toEqual([60_000, 120_000])
  })

  it('a 429 is a rate limit too', async () => {
    api.setResponses('upload-sarif', { status: 429, body: { message: 'Too Many Requests' } })
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(slept).toEqual([60_000])
  })

  it('gives up once the total wait would pass the bound, and says so', async () => {
    const limited = Array.from({ length: 10 }, () => githubErrors.secondaryRateLimit)
    api.setResponses('upload-sarif', ...limited)
    const result = await deliver({ mode: 'always' })
    // 60 + 120 + 240 + 480 s = 15 min exactly; the next (960 s) would pass 15 minutes.
    expect(slept).toEqual([60_000, 120_000, 240_000, 480_000])
    expect(result.status).toBe('failed')
    expect(result.error?.status).toBe(429)
    expect(result.error?.message).toMatch(/secondary API rate limit.*960 s more.*already waited 900 s/s)
  })
})

describe('enablement and transient answers', () => {
  it.each([
    ['Code Security must be enabled', githubErrors.codeSecurityRequired],
    ['Advanced Security must be enabled', githubErrors.advancedSecurityRequired],
    ['Code scanning is not enabled', githubErrors.codeScanningNotEnabled],
  ])('"%s" is advice to enable code scanning, not a permission, and is not retried', async (said, answer) => {
    api.setResponses('upload-sarif', answer)
    const result = await deliver({ mode: 'auto' })
    expect(result.status).toBe('skipped')
    expect(result.warning).toContain(said)
    expect(result.warning).toMatch(/Enable code scanning for the repository.*Code Security/)
    expect(result.warning).not.toMatch(/security-events: write/)
    expect(api.requests).toHaveLength(1)
  })

  it('retries a transient 401 with backoff and uploads', async () => {
    api.setResponses('upload-sarif', { status: 401, body: { message: 'Bad credentials' } })
    const result = await deliver()
    expect(result.status).toBe('uploaded')
    expect(slept).toEqual([2000])
  })

  it('retries a bare 403 twice (2 s, 4 s) before deciding it is a refusal', async () => {
    const bare = { status: 403, body: { message: 'Forbidden' } }
    api.setResponses('upload-sarif', bare, bare, bare)
    const result = await deliver({ mode: 'auto' })
    expect(slept).toEqual([2000, 4000])
    expect(api.requests).toHaveLength(3)
    expect(result.status).toBe('skipped')
  })
})

describe('Dependabot', () => {
  const dependabot = { GITHUB_ACTOR: 'dependabot[bot]' }

  it('is not skipped up front: a workflow that grants security-events: write uploads', async () => {
    const result = await deliver({ context: contextFor(api, dependabot) })
    expect(result.status).toBe('uploaded')
    expect(api.uploads()).toHaveLength(1)
  })

  it('a 403 under upload: auto is a skip that says how to grant the permission', async () => {
    api.setResponses('upload-sarif', githubErrors.resourceNotAccessible)
    const result = await deliver({ context: contextFor(api, dependabot) })
    expect(result.status).toBe('skipped')
    expect(result.warning).toMatch(/Dependabot, whose token is read-only unless the workflow grants/)
    expect(api.requests).toHaveLength(1)
  })
})
