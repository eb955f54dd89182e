/**
 * Resolves `latest` to a concrete version through the GitHub releases API, so a tool is never cached
 * or reported under the name `latest`.
 */
import { HttpClient, type HttpClientResponse } from '@actions/http-client'
import { ScannerError } from '../util/errors.js'
import { backstopSocketTimeout, failureReason, readMessageText } from './download.js'

export const DEFAULT_API_BASE_URL = 'https://api.github.com'
const USER_AGENT = 'container-security-gate'
/** The latest-release document is small; anything larger is not it. */
const MAX_RELEASE_JSON_BYTES = 8 * 1024 * 1024

export interface ResolveLatestOptions {
  /** The tool id, for messages (`trivy`). */
  tool: string
  /** `owner/name`. */
  repository: string
  token?: string
  /** Default `https://api.github.com` (GHES: `https://host/api/v3`). */
  apiBaseUrl?: string
  /** Give up on a request that sends nothing for this long. Default 30 s. */
  timeoutMs?: number
}

export interface LatestRelease {
  /** The tag as published (`v0.70.0`). */
  tag: string
  /** The version it names (`0.70.0`). */
  version: string
}

/** `v1.2.3` → `1.2.3`; a tag with any other shape is returned unchanged for the caller to judge. */
export function versionFromTag(tag: string): string {
  return /^v\d/.test(tag) ? tag.slice(1) : tag
}

function isRateLimited(response: HttpClientResponse): boolean {
  const status = response.message.statusCode
  const remaining = response.message.headers['x-ratelimit-remaining']
  return (status === 403 || status === 429) && (remaining === '0' || status === 429)
}

export async function resolveLatestRelease(options: ResolveLatestOptions): Promise<LatestRelease> {
  const base = (options.apiBaseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '')
  const url = `${base}/repos/${options.repository}/releases/latest`
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  }
  if (options.token !== undefined && options.token !== '')
    headers['authorization'] = `Bearer ${options.token}`
  const timeoutMs = options.timeoutMs ?? 30_000
  const client = new HttpClient(USER_AGENT, [], {
    allowRetries: false,
    socketTimeout: backstopSocketTimeout(timeoutMs),
  })
  const what = `${options.tool}: could not resolve "latest" from ${url}`
  let response: HttpClientResponse
  let body: string
  try {
    response = await client.get(url, headers)
    body = await readMessageText(response.message, { timeoutMs, maxBytes: MAX_RELEASE_JSON_BYTES })
  } catch (error) {
    throw new ScannerError(options.tool, `${what}: ${failureReason(error)}`, { cause: error })
  }
  const status = response.message.statusCode ?? 0
  if (isRateLimited(response)) {
    throw new ScannerError(
      options.tool,
      `${what}: the GitHub API rate limit is exhausted (HTTP ${status}). Pass a token (the action's \`token\` input / GITHUB_TOKEN) or pin a version instead of "latest".`,
    )
  }
  if (status === 404) {
    throw new ScannerError(options.tool, `${what}: HTTP 404, ${options.repository} has no published release`)
  }
  if (status !== 200) {
    throw new ScannerError(options.tool, `${what}: HTTP ${status}`)
  }
  let document: unknown
  try {
    document = JSON.parse(body)
  } catch {
    throw new ScannerError(options.tool, `${what}: the response is not JSON`)
  }
  const tag =
    typeof document === 'object' && document !== null && 'tag_name' in document
      ? document.tag_name
      : undefined
  if (typeof tag !== 'string' || tag.trim() === '') {
    throw new ScannerError(options.tool, `${what}: the response has no tag_name`)
  }
  return { tag, version: versionFromTag(tag.trim()) }
}

/** The concrete version `latest` stands for (`0.70.0`). */
export async function resolveLatestVersion(options: ResolveLatestOptions): Promise<string> {
  return (await resolveLatestRelease(options)).version
}
