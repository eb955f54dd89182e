/**
 * How long GitHub asks a client to wait before it may try again, read from an answer. Pure.
 *
 * GitHub's "Rate limits for the REST API" (docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api,
 * "Exceeding the rate limit"):
 * - primary limit: a 403 or 429 with `x-ratelimit-remaining: 0`; do not retry until after
 *   `x-ratelimit-reset` (UTC epoch seconds);
 * - secondary limit: a 403 or 429 whose message says so; if `retry-after` is present do not retry until
 *   that many seconds have passed; else if `x-ratelimit-remaining` is 0 wait until `x-ratelimit-reset`;
 *   otherwise wait at least one minute, exponentially longer on each further failure, and give up after a
 *   bounded number of retries.
 * A 403 with none of these (no header, no rate-limit message) is a permission or enablement answer.
 */
import type { HttpResponse } from './github-http.js'

export interface RateLimitWait {
  kind: 'primary' | 'secondary'
  /** How long to wait before the next request; never less than GitHub asked for. */
  waitMs: number
  /** When the quota resets (epoch ms), for a primary limit. */
  resetAtMs?: number
}

/** The shortest wait for a secondary limit that names no time: "at least one minute". */
export const SECONDARY_MIN_WAIT_MS = 60_000
/** Past the reset second, so the retry does not land on the same exhausted window. */
const RESET_MARGIN_MS = 1000

/**
 * The wait a rate-limited answer asks for, or undefined when the answer is not a rate limit.
 * `secondaryWaitsSoFar` grows the one-minute default exponentially (1, 2, 4 minutes, ...).
 */
export function rateLimitWait(
  response: HttpResponse,
  message: string,
  options: { nowMs: number; secondaryWaitsSoFar: number },
): RateLimitWait | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined
  const retryAfterMs = retryAfterOf(response.headers['retry-after'], options.nowMs)
  const remaining = response.headers['x-ratelimit-remaining']?.trim()
  const resetSeconds = Number(response.headers['x-ratelimit-reset'])
  const resetAtMs = Number.isFinite(resetSeconds) && resetSeconds > 0 ? resetSeconds * 1000 : undefined
  const untilReset =
    resetAtMs === undefined ? undefined : Math.max(0, resetAtMs - options.nowMs) + RESET_MARGIN_MS
  const secondaryMessage = /secondary rate limit|abuse detection/i.test(message)

  if (remaining === '0' && untilReset !== undefined && !secondaryMessage) {
    // Primary: the hour's quota is spent. A Retry-After beside it is honoured too, whichever is later.
    return { kind: 'primary', waitMs: Math.max(untilReset, retryAfterMs ?? 0), resetAtMs: resetAtMs! }
  }
  const isSecondary =
    secondaryMessage ||
    retryAfterMs !== undefined ||
    remaining === '0' ||
    response.status === 429 ||
    /rate limit/i.test(message)
  if (!isSecondary) return undefined
  if (retryAfterMs !== undefined) return { kind: 'secondary', waitMs: retryAfterMs }
  if (remaining === '0' && untilReset !== undefined) {
    return { kind: 'secondary', waitMs: untilReset, resetAtMs: resetAtMs! }
  }
  const backoff = SECONDARY_MIN_WAIT_MS * 2 ** Math.max(0, options.secondaryWaitsSoFar)
  return { kind: 'secondary', waitMs: backoff }
}

/** `Retry-After` as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from now. */
function retryAfterOf(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return seconds < 0 ? undefined : Math.ceil(seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

/** `14:05:09 UTC` for a log line. */
export function utcTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`
}
