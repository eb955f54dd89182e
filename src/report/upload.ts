/**
 * Delivers a finished SARIF log to GitHub code scanning, in small named steps (after github/codeql-action's
 * upload-lib): encode → build the request → POST (retried) → poll processing (bounded) → map failures to
 * messages that say what to do. `deliverSarif` is the one call the pipeline makes; it never throws.
 */
import { gzipSync } from 'node:zlib'
import { pathToFileURL } from 'node:url'
import type { Log } from 'sarif'
import type { UploadMode } from '../config/inputs.js'
import { UploadError, errorMessage } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import {
  isDependabotRun,
  repositoryApiUrl,
  uploadBlockedReason,
  type GitHubContext,
  type UploadTarget,
} from './github-context.js'
import {
  actionsHttpTransport,
  apiMessage,
  defaultSleep,
  githubRequest,
  GitHubNetworkError,
  type GitHubClientOptions,
  type GitHubResponse,
  type HttpTransport,
  type Sleep,
} from './github-http.js'
import { uploadErrorFor } from './upload-errors.js'
import { waitForSarifProcessing, type ProcessingWait } from './upload-processing.js'
import { GITHUB_SARIF_LIMITS } from './sarif-limits.js'

export { waitForSarifProcessing } from './upload-processing.js'

export type { UploadMode } from '../config/inputs.js'

/** GitHub refuses SARIF whose gzip is larger than 10 MB; the same bound the limits guard keeps to. */
export const MAX_GZIPPED_SARIF_BYTES = GITHUB_SARIF_LIMITS.maxGzipBytes

/** The body of `POST /repos/{owner}/{repo}/code-scanning/sarifs`: only fields the REST docs define. */
export interface SarifUploadRequest {
  commit_sha: string
  ref: string
  sarif: string
  checkout_uri?: string
  started_at?: string
  tool_name?: string
}

export interface UploadTiming {
  /** First delay before retrying a failed request (doubles each retry). Default 2 s. */
  retryDelayMs: number
  /** First delay before checking processing; grows by half each time up to `maxPollDelayMs`. Default 3 s. */
  pollDelayMs: number
  /** Default 15 s. */
  maxPollDelayMs: number
}

const DEFAULT_TIMING: UploadTiming = { retryDelayMs: 2000, pollDelayMs: 3000, maxPollDelayMs: 15_000 }

export interface UploadSarifOptions {
  log: Log
  context: GitHubContext
  token: string | undefined
  /** When the analysis started (ISO string or Date). */
  startedAt?: string | Date
  /** `tool_name` of the upload: the SARIF driver name. */
  toolName: string
  http?: HttpTransport
  logger: Logger
  /** Retries after the first attempt for 5xx, 429 and network errors. Default 3. */
  retries?: number
  /** Wait until GitHub has processed the SARIF. Default true. */
  waitForProcessing?: boolean
  /** Longest wait for processing before a warning and `pending`. Default 2 minutes. */
  maxWaitMs?: number
  timing?: Partial<UploadTiming>
  sleep?: Sleep
  /** The clock rate-limit resets are measured against (epoch ms). Default `Date.now`. */
  now?: () => number
  /** The most the upload waits for GitHub's rate limits in total. Default 15 minutes. */
  maxRateLimitWaitMs?: number
}

export interface UploadSarifResult {
  sarifId: string
  /** `skipped` when not waited for. A `failed` processing is thrown as an `UploadError`. */
  processing: 'complete' | 'pending' | 'skipped'
}

/** base64(gzip(JSON)), as the REST API wants the `sarif` field. */
export function encodeSarif(log: Log): string {
  return gzipSync(Buffer.from(JSON.stringify(log), 'utf8')).toString('base64')
}

/** The workspace as the `file://` URI GitHub uses to make absolute SARIF paths relative. */
export function checkoutUriOf(workspace: string): string {
  return pathToFileURL(workspace).href
}

/** Builds the request body; throws `UploadError` when the compressed SARIF is over GitHub's limit. */
export function buildUploadRequest(input: {
  log: Log
  target: UploadTarget
  workspace?: string
  startedAt?: string | Date
  toolName: string
}): SarifUploadRequest {
  const sarif = encodeSarif(input.log)
  const gzippedBytes = Buffer.byteLength(sarif, 'base64')
  if (gzippedBytes > MAX_GZIPPED_SARIF_BYTES) {
    throw new UploadError(
      `The SARIF is ${(gzippedBytes / 1024 / 1024).toFixed(1)} MB gzipped, over GitHub's 10 MB limit, so it was not uploaded. ` +
        'The SARIF limits guard should have kept it smaller: this is a bug in container-security-gate; please report it. ' +
        'Meanwhile, scan fewer images per step or set `upload: never` and keep the SARIF file as an artifact.',
      413,
    )
  }
  const body: SarifUploadRequest = { commit_sha: input.target.commitSha, ref: input.target.ref, sarif }
  if (input.workspace !== undefined) body.checkout_uri = checkoutUriOf(input.workspace)
  const startedAt = isoSeconds(input.startedAt)
  if (startedAt !== undefined) body.started_at = startedAt
  body.tool_name = input.toolName
  return body
}

/** POSTs the SARIF and returns GitHub's id for it. Throws `UploadError` with an actionable message. */
export async function postSarif(
  client: GitHubClientOptions,
  context: GitHubContext,
  body: SarifUploadRequest,
): Promise<string> {
  const url = `${repositoryApiUrl(context)}/code-scanning/sarifs`
  const response = await send(client, context, 'POST', url, body)
  if (response.status !== 202 && response.status !== 200 && response.status !== 201) {
    throw uploadErrorFor(response, { apiUrl: context.apiUrl, operation: 'upload' })
  }
  const id = idOf(response)
  if (id === undefined) {
    throw new UploadError(
      `GitHub accepted the SARIF (${response.status}) but its answer has no upload id: ${apiMessage(response)}`,
      response.status,
    )
  }
  return id
}

/**
 * Whether to try the upload. `auto` skips with a warning when the run's token cannot write security
 * events; `always` tries anyway (and a refusal then fails the step); `never` does not upload.
 */
export function decideUpload(
  mode: UploadMode,
  blockedReason?: string,
): { upload: boolean; warning?: string } {
  if (mode === 'never') return { upload: false }
  if (blockedReason === undefined) return { upload: true }
  if (mode === 'auto') {
    return {
      upload: false,
      warning: `Code scanning upload skipped: ${blockedReason} The gate, summary and annotations still ran; set \`upload: never\` to silence this.`,
    }
  }
  return {
    upload: true,
    warning: `Uploading to code scanning although ${blockedReason} (\`upload: always\`); the step fails if GitHub refuses.`,
  }
}

export interface DeliverSarifOptions extends UploadSarifOptions {
  mode: UploadMode
}

export interface DeliveryResult {
  status: 'uploaded' | 'skipped' | 'failed'
  sarifId?: string
  processing?: UploadSarifResult['processing']
  /** Already logged through the logger; for the summary. */
  warning?: string
  /** Set when `status` is `failed`; the caller decides whether it fails the job. */
  error?: UploadError
}

/**
 * The one call the pipeline makes. Never throws: a skip is a warning, and a failure comes back as
 * `status: 'failed'` with an `UploadError`. In `auto` mode a 403/404 (no permission, code scanning or
 * Code Security not enabled) is a skip with a warning; in `always` mode it is a failure. A rate limit
 * that outlasts the bounded wait is a failure in both modes (its `UploadError` has status 429).
 */
export async function deliverSarif(options: DeliverSarifOptions): Promise<DeliveryResult> {
  const { mode, logger } = options
  if (mode === 'never') return { status: 'skipped' }
  const decision = decideUpload(mode, uploadBlockedReason(options.context, options.token))
  if (decision.warning !== undefined) logger.warning(decision.warning)
  if (!decision.upload) return withWarning({ status: 'skipped' }, decision.warning)

  let sarifId: string | undefined
  try {
    const prepared = prepareUpload(options)
    sarifId = await postSarif(prepared.client, options.context, prepared.body)
    logger.info(`Uploaded SARIF to code scanning (id ${sarifId}, ${prepared.body.ref}).`)
    if (options.waitForProcessing === false) {
      return withWarning({ status: 'uploaded', sarifId, processing: 'skipped' }, decision.warning)
    }
    const processing = await waitForSarifProcessing(prepared.client, options.context, sarifId, prepared.wait)
    return withWarning({ status: 'uploaded', sarifId, processing }, decision.warning)
  } catch (thrown) {
    const error =
      thrown instanceof UploadError
        ? thrown
        : new UploadError(errorMessage(thrown), undefined, { cause: thrown })
    if (mode === 'auto' && (error.status === 403 || error.status === 404) && sarifId === undefined) {
      // Dependabot is not skipped up front: a workflow can grant it `security-events: write`, so GitHub's
      // answer decides, and a refusal is explained here.
      const dependabot =
        error.status === 403 && isDependabotRun(options.context)
          ? ' This run was triggered by Dependabot, whose token is read-only unless the workflow grants `permissions: security-events: write`.'
          : ''
      const warning = `Code scanning upload skipped: ${error.message}${dependabot}`
      logger.warning(warning)
      return { status: 'skipped', warning }
    }
    const result: DeliveryResult = { status: 'failed', error }
    if (sarifId !== undefined) result.sarifId = sarifId
    return withWarning(result, decision.warning)
  }
}

function prepareUpload(options: UploadSarifOptions): {
  client: GitHubClientOptions
  body: SarifUploadRequest
  wait: ProcessingWait
} {
  const { context, token } = options
  if (token === undefined || token.trim() === '') {
    throw new UploadError(
      'No GitHub token was given: set the `token` input (it defaults to `${{ github.token }}`).',
    )
  }
  if (!context.repository) {
    throw new UploadError('GITHUB_REPOSITORY is not set, so there is no repository to upload the SARIF to.')
  }
  if (!context.uploadTarget) {
    throw new UploadError(
      `No ref and commit to upload the SARIF for: GITHUB_REF=${context.ref ?? 'unset'}, GITHUB_SHA=${context.sha ?? 'unset'} ` +
        '(the ref must be refs/heads/…, refs/tags/… or refs/pull/…, the commit a 40-character SHA).',
    )
  }
  const timing = { ...DEFAULT_TIMING, ...options.timing }
  const sleep = options.sleep ?? defaultSleep
  const client: GitHubClientOptions = {
    token,
    logger: options.logger,
    http: options.http ?? actionsHttpTransport(),
    retries: options.retries ?? 3,
    retryDelayMs: timing.retryDelayMs,
    // A 401/403/404 can be transient; codeql-action retries them (src/api-client.ts, v4.36.2).
    authRetries: 2,
    sleep,
  }
  if (options.now !== undefined) client.now = options.now
  if (options.maxRateLimitWaitMs !== undefined) client.maxRateLimitWaitMs = options.maxRateLimitWaitMs
  const request: Parameters<typeof buildUploadRequest>[0] = {
    log: options.log,
    target: context.uploadTarget,
    toolName: options.toolName,
  }
  if (context.workspace !== undefined) request.workspace = context.workspace
  if (options.startedAt !== undefined) request.startedAt = options.startedAt
  return {
    client,
    body: buildUploadRequest(request),
    wait: {
      maxWaitMs: options.maxWaitMs ?? 120_000,
      pollDelayMs: timing.pollDelayMs,
      maxPollDelayMs: timing.maxPollDelayMs,
      sleep,
    },
  }
}

async function send(
  client: GitHubClientOptions,
  context: GitHubContext,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
): Promise<GitHubResponse> {
  try {
    return await githubRequest(client, method, url, body)
  } catch (error) {
    if (error instanceof GitHubNetworkError) {
      throw new UploadError(
        `Could not reach the GitHub API at ${context.apiUrl}: ${error.message}. Check the runner's network and proxy settings (HTTPS_PROXY, NO_PROXY), and GITHUB_API_URL on GitHub Enterprise Server.`,
        undefined,
        { cause: error },
      )
    }
    throw error
  }
}

function idOf(response: GitHubResponse): string | undefined {
  const json = response.json
  if (typeof json !== 'object' || json === null) return undefined
  const id = (json as Record<string, unknown>)['id']
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined
}

function isoSeconds(value: string | Date | undefined): string | undefined {
  if (value === undefined) return undefined
  const date = value instanceof Date ? value : new Date(value)
  if (Number.isNaN(date.getTime())) return undefined
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function withWarning(result: DeliveryResult, warning: string | undefined): DeliveryResult {
  if (warning !== undefined) result.warning = warning
  return result
}
