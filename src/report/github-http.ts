/**
 * The small HTTP surface the code-scanning upload and the PR comment need: one injectable transport (the
 * default goes through `@actions/http-client`, which honours the runner's proxy settings), GitHub's
 * headers, retries with backoff on 5xx, 429 and network errors, and reading GitHub's error bodies.
 */
import { HttpClient } from '@actions/http-client'
import { TOOL_NAME, TOOL_VERSION } from '../version.js'
import type { Logger } from '../util/logger.js'

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
  /** First retry delay; doubles each time (a `Retry-After` answer wins, capped at a minute). Default 2 s. */
  retryDelayMs?: number
  sleep?: Sleep
}

export interface GitHubResponse extends HttpResponse {
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown
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

const MAX_RETRY_AFTER_MS = 60_000

/**
 * Sends a GitHub REST request, retrying answers that may succeed later (5xx, 429, a secondary rate limit)
 * and network errors. Returns the last answer whatever its status; throws `GitHubNetworkError` only when
 * no answer came back at all.
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
  for (let attempt = 0; ; attempt++) {
    let response: HttpResponse
    try {
      response = await http(request)
    } catch (error) {
      if (attempt >= retries) throw new GitHubNetworkError(url, attempt + 1, { cause: error })
      const delay = baseDelay * 2 ** attempt
      options.logger.info(
        `${method} ${url} failed (${describeCause(error)}); retrying in ${Math.round(delay / 1000)} s.`,
      )
      await sleep(delay)
      continue
    }
    if (!isRetryable(response) || attempt >= retries) return { ...response, json: parseJson(response.body) }
    const delay = retryAfterMs(response) ?? baseDelay * 2 ** attempt
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

function isRetryable(response: HttpResponse): boolean {
  if (response.status >= 500 || response.status === 429) return true
  // A secondary rate limit is a 403 with Retry-After or an exhausted quota; a permission 403 has neither.
  return (
    response.status === 403 &&
    (response.headers['retry-after'] !== undefined || response.headers['x-ratelimit-remaining'] === '0')
  )
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const value = response.headers['retry-after']
  if (value === undefined) return undefined
  const seconds = Number(value)
  if (!Number.isFinite(seconds) || seconds < 0) return undefined
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS)
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
