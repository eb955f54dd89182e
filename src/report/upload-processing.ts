/**
 * Waiting for GitHub to process an uploaded SARIF: bounded polling of `GET …/code-scanning/sarifs/{id}`.
 * GitHub keeps processing in the background whatever happens here, so only a `failed` answer is an error.
 */
import { UploadError, errorMessage } from '../util/errors.js'
import { repositoryApiUrl, type GitHubContext } from './github-context.js'
import {
  apiMessage,
  githubRequest,
  type GitHubClientOptions,
  type GitHubResponse,
  type Sleep,
} from './github-http.js'

export interface ProcessingWait {
  /** Longest wait before a warning and `pending`. */
  maxWaitMs: number
  /** First delay before a status check; grows by half each time up to `maxPollDelayMs`. */
  pollDelayMs: number
  maxPollDelayMs: number
  sleep: Sleep
  now?: () => number
}

/**
 * Polls `GET …/code-scanning/sarifs/{id}` with growing delays until processing is `complete` (returned),
 * `failed` (thrown, with GitHub's errors) or `maxWaitMs` passed (a warning and `pending`: GitHub keeps
 * processing in the background). A status check GitHub will not answer is a warning, not a failure.
 */
export async function waitForSarifProcessing(
  client: GitHubClientOptions,
  context: GitHubContext,
  sarifId: string,
  options: ProcessingWait,
): Promise<'complete' | 'pending'> {
  const now = options.now ?? Date.now
  const deadline = now() + options.maxWaitMs
  const url = `${repositoryApiUrl(context)}/code-scanning/sarifs/${encodeURIComponent(sarifId)}`
  let delay = options.pollDelayMs
  for (;;) {
    const remaining = deadline - now()
    if (remaining <= 0) break
    await options.sleep(Math.min(delay, remaining))
    delay = Math.min(Math.round(delay * 1.5), options.maxPollDelayMs)
    let response: GitHubResponse
    try {
      response = await githubRequest(client, 'GET', url)
    } catch (error) {
      client.logger.warning(
        `Could not check the processing of SARIF ${sarifId} (${errorMessage(error)}). GitHub accepted it and will process it in the background, but processing errors cannot be reported here.`,
      )
      return 'pending'
    }
    if (response.status !== 200) {
      client.logger.warning(
        `Could not check the processing of SARIF ${sarifId}: GitHub answered ${response.status} (${apiMessage(response)}). It was accepted and will be processed in the background.`,
      )
      return 'pending'
    }
    const status = processingStatusOf(response)
    client.logger.debug(`SARIF ${sarifId} processing status: ${status ?? 'unknown'}`)
    if (status === 'complete') return 'complete'
    if (status === 'failed') throw processingFailure(sarifId, response)
  }
  client.logger.warning(
    `GitHub had not finished processing SARIF ${sarifId} after ${Math.round(options.maxWaitMs / 1000)} s; continuing. ` +
      'The results will appear in code scanning once processing completes.',
  )
  return 'pending'
}

function processingStatusOf(response: GitHubResponse): string | undefined {
  const json = response.json
  if (typeof json !== 'object' || json === null) return undefined
  const status = (json as Record<string, unknown>)['processing_status']
  return typeof status === 'string' ? status : undefined
}

function processingFailure(sarifId: string, response: GitHubResponse): UploadError {
  const json = response.json as Record<string, unknown>
  const errors = Array.isArray(json['errors'])
    ? json['errors'].map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))
    : []
  const listed = errors.length > 0 ? errors.map((e) => `\n  - ${e}`).join('') : ' (GitHub gave no reason)'
  const hint = errors.some((e) => e.includes('multiple runs with the same category'))
    ? '\nEach SARIF run needs its own tool and category (runs.automationDetails.id); this is a bug in container-security-gate, please report it.'
    : ''
  // No status: the API answered 200; it is the SARIF that failed.
  return new UploadError(`Code scanning could not process SARIF ${sarifId}:${listed}${hint}`)
}
