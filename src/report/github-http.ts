/**
 * The small HTTP surface the code-scanning upload and the PR comment need: one injectable transport (the
 * default goes through `@actions/http-client`, which honours the runner's proxy settings), GitHub's
 * headers, retries with backoff on 5xx, 429 and network errors, and reading GitHub's error bodies.
 */
import { HttpClient } from '@actions/http-client'
import { TOOL_NAME, TOOL_VERSION } from '../version.js'
import type { Logger } from '../util/logger.js'
import { rateLimitWait, utcTime, type RateLimitWait } from './github-rate-limit.js'

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH'
  url: string
  headers: Record<string, string>
  body?: string
}

export interface HttpResponse {
  status: number
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>
  body: string
}

/** Sends one request; rejects only when no HTTP answer came back (connection refused, reset, timeout). */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>

export type Sleep = (ms: number) => Promise<void>

export const defaultSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const USER_AGENT = `${TOOL_NAME}/${TOOL_VERSION}`

/** The default transport, through `@actions/http-client` (proxy environment honoured, no retries of its own). */
export function actionsHttpTransport(): HttpTransport {
  const client = new HttpClient(USER_AGENT, [], { allowRetries: false, socketTimeout: 120_000 })
  return async (request) => {
    const response = await client.request(request.method, request.url, request.body ?? null, request.headers)
    const body = await response.readBody()
    const headers: Record<string, string | undefined> = {}
    for (const [name, value] of Object.entries(response.message.headers)) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
    }
    return { status: response.message.statusCode ?? 0, headers, body }
  }
}

export interface GitHubClientOptions {
  token: string
  logger: Logger
  http?: HttpTransport
  /** Retries after the first attempt for 5xx, 429 and network errors. Default 3. */
  retries?: number
  /** First retry delay for 5xx, network errors and transient 401/403/404; doubles each time. Default 2 s. */
  retryDelayMs?: number
  /**
   * Retries of a 401, 403 or 404 that is neither a rate limit nor one of GitHub's definitive answers
   * (enablement, "Resource not accessible by integration"). codeql-action retries these because it has
   * "observed transient errors with authentication" (github/codeql-action v4.36.2 src/api-client.ts,
   * DO_NOT_RETRY_STATUSES drops 401, 403 and 404 from Octokit's list). Default 0; the upload uses 2.
   */
  authRetries?: number
  /** The most this request waits for rate limits in total; past it the rate-limited answer is returned. Default 15 minutes. */
  maxRateLimitWaitMs?: number
  /** Rate-limit waits before giving up, whatever their length. Default 5. */
  maxRateLimitRetries?: number
  sleep?: Sleep
  /** The clock rate-limit resets are measured against (epoch ms). Default `Date.now`. */
  now?: () => number
}

export interface GitHubResponse extends HttpResponse {
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
  /**
   * Set when this answer is a rate limit returned because waiting more would pass the bound: what GitHub
   * asked for next and how long was already waited.
   */
  rateLimited?: RateLimitWait & { waitedMs: number; maxWaitMs: number }
}

/** No HTTP answer after every retry. */
export class GitHubNetworkError extends Error {
  constructor(
    readonly url: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`no answer from ${url} after ${attempts} attempt(s): ${describeCause(options.cause)}`, options)
    this.name = 'GitHubNetworkError'
  }
}

const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000
const DEFAULT_MAX_RATE_LIMIT_RETRIES = 5

/**
 * GitHub's answers that no retry changes: the feature is off or the token may not write. The enablement
 * messages are the ones codeql-action recognises (github/codeql-action v4.36.2 src/api-client.ts,
 * isEnablementError).
 */
const DEFINITIVE_MESSAGES = [
  /Code Security must be enabled/i,
  /Advanced Security must be enabled/i,
  /Code Scanning is not enabled/i,
  /Resource not accessible by integration/i,
]

export function isEnablementMessage(message: string): boolean {
  return DEFINITIVE_MESSAGES.slice(0, 3).some((pattern) => pattern.test(message))
}

/**
 * Sends a GitHub REST request, retrying answers that may succeed later and network errors:
 * - a rate limit (primary or secondary) after exactly the wait GitHub asks for, never sooner, within a
 *   bounded total (`maxRateLimitWaitMs`, `maxRateLimitRetries`); past the bound the rate-limited answer is
 *   returned with `rateLimited` set;
 * - 5xx and network errors with doubling delays (`retries`);
 * - a 401/403/404 that is not definitive, up to `authRetries` times (see there).
 * Returns the last answer whatever its status; throws `GitHubNetworkError` only when no answer came back.
 */
export async function githubRequest(
  options: GitHubClientOptions,
  method: HttpRequest['method'],
  url: string,
  payload?: unknown,
): Promise<GitHubResponse> {
  const http = options.http ?? actionsHttpTransport()
  const sleep = options.sleep ?? defaultSleep
  const retries = Math.max(0, options.retries ?? 3)
  const baseDelay = options.retryDelayMs ?? 2000
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': USER_AGENT,
  }
  const request: HttpRequest = { method, url, headers }
  if (payload !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8'
    request.body = JSON.stringify(payload)
  }
  const now = options.now ?? Date.now
  const authRetries = Math.max(0, options.authRetries ?? 0)
  const maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS
  const maxRateLimitRetries = options.maxRateLimitRetries ?? DEFAULT_MAX_RATE_LIMIT_RETRIES
  let attempt = 0
  let authAttempt = 0
  let rateLimitWaits = 0
  let secondaryWaits = 0
  let waitedMs = 0
  for (;;) {
    let response: HttpResponse
    try {
      response = await http(request)
    } catch (error) {
      if (attempt >= retries) throw new GitHubNetworkError(url, attempt + 1, { cause: error })
      const delay = baseDelay * 2 ** attempt++
      options.logger.info(
        `${method} ${url} failed (${describeCause(error)}); retrying in ${Math.round(delay / 1000)} s.`,
      )
      await sleep(delay)
      continue
    }
    const answer: GitHubResponse = { ...response, json: parseJson(response.body) }
    const limit = rateLimitWait(response, apiMessage(answer), {
      nowMs: now(),
      secondaryWaitsSoFar: secondaryWaits,
    })
    if (limit !== undefined) {
      if (rateLimitWaits >= maxRateLimitRetries || waitedMs + limit.waitMs > maxRateLimitWaitMs) {
        return { ...answer, rateLimited: { ...limit, waitedMs, maxWaitMs: maxRateLimitWaitMs } }
      }
      const until = limit.resetAtMs !== undefined ? ` (until ${utcTime(limit.resetAtMs)})` : ''
      options.logger.info(
        `${method} ${url}: GitHub's ${limit.kind} rate limit was hit; waiting ${Math.ceil(limit.waitMs / 1000)} s${until} as it asks.`,
      )
      await sleep(limit.waitMs)
      waitedMs += limit.waitMs
      rateLimitWaits++
      if (limit.kind === 'secondary') secondaryWaits++
      continue
    }
    if (isTransientAuthAnswer(answer) && authAttempt < authRetries) {
      const delay = baseDelay * 2 ** authAttempt++
      options.logger.info(
        `${method} ${url} answered ${response.status} (${apiMessage(answer)}); retrying in ${Math.round(delay / 1000)} s in case it is transient.`,
      )
      await sleep(delay)
      continue
    }
    if (!isRetryable(response) || attempt >= retries) return answer
    const delay = baseDelay * 2 ** attempt++
    options.logger.info(
      `${method} ${url} answered ${response.status}; retrying in ${Math.round(delay / 1000)} s.`,
    )
    await sleep(delay)
  }
}

/** GitHub's `message` from an error body, with the `errors` details it sometimes adds. */
export function apiMessage(response: GitHubResponse): string {
  const json = response.json
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const record = json as Record<string, unknown>
    const message = typeof record['message'] === 'string' ? record['message'].trim() : ''
    const details = Array.isArray(record['errors'])
      ? record['errors'].map(describeDetail).filter((d) => d !== '')
      : []
    const parts = [message, ...details].filter((p) => p !== '')
    if (parts.length > 0) return parts.join('; ')
  }
  const text = response.body.trim()
  if (text === '' || text.startsWith('<')) return `HTTP ${response.status}`
  return text.length > 300 ? `${text.slice(0, 300)}…` : text
}

/** The URL of the next page from a `Link` header, if any. */
export function nextPageUrl(response: HttpResponse): string | undefined {
  const link = response.headers['link']
  if (link === undefined) return undefined
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)
    if (match) return match[1]
  }
  return undefined
}

/** A 5xx: the server failed (429 and rate-limited 403s are handled as rate limits). */
function isRetryable(response: HttpResponse): boolean {
  return response.status >= 500
}

/** A 401, 403 or 404 that may pass: not one of GitHub's definitive answers. */
function isTransientAuthAnswer(response: GitHubResponse): boolean {
  if (response.status !== 401 && response.status !== 403 && response.status !== 404) return false
  const message = apiMessage(response)
  return !DEFINITIVE_MESSAGES.some((pattern) => pattern.test(message))
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function describeDetail(detail: unknown): string {
  if (typeof detail === 'string') return detail
  if (typeof detail === 'object' && detail !== null) {
    const record = detail as Record<string, unknown>
    if (typeof record['message'] === 'string') return record['message']
    const field = typeof record['field'] === 'string' ? record['field'] : ''
    const code = typeof record['code'] === 'string' ? record['code'] : ''
    return [field, code].filter((s) => s !== '').join(' ')
  }
  return ''
}

function describeCause(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return code !== undefined && !error.message.includes(code) ? `${code} ${error.message}` : error.message
  }
  return String(error)
}
