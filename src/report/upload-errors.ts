/**
 * Turns a refused code-scanning request into an `UploadError` whose message says what to change: the
 * workflow's permissions, a repository setting, or (for a size or schema refusal) that this is our bug.
 * The message GitHub gave is always kept.
 */
import { UploadError } from '../util/errors.js'
import { apiMessage, isEnablementMessage, type GitHubResponse } from './github-http.js'
import { utcTime } from './github-rate-limit.js'

const PERMISSIONS_HINT =
  'Give the workflow or job `permissions: security-events: write` (plus `actions: read` and `contents: read` for private repositories). ' +
  'Pull requests from forks get a read-only token whatever the workflow asks for; Dependabot runs get one unless the workflow grants `security-events: write`. `upload: auto` skips these with a warning.'

const ENABLEMENT_HINT =
  'Enable code scanning for the repository: Settings → Advanced Security (Code security and analysis) → enable GitHub Code Security ' +
  '(Advanced Security on older plans) and code scanning. Workflow permissions do not help here. Or set `upload: never`.'

export function uploadErrorFor(
  response: GitHubResponse,
  where: { apiUrl: string; operation: 'upload' | 'status' },
): UploadError {
  const status = response.status
  const message = apiMessage(response)
  const said = `GitHub answered ${status}: "${message}".`
  const lower = message.toLowerCase()

  if (status === 401) {
    return new UploadError(
      `${said} The token is missing, invalid or expired: check the \`token\` input (default \`\${{ github.token }}\`).`,
      status,
    )
  }
  if (response.rateLimited !== undefined || status === 429) {
    return rateLimitError(response, said)
  }
  if ((status === 403 || status === 404) && isEnablementMessage(message)) {
    return new UploadError(`${said} ${ENABLEMENT_HINT}`, status)
  }
  if (status === 403) {
    const why = lower.includes('resource not accessible by integration')
      ? 'The workflow token may not write security events.'
      : 'The token may not use code scanning on this repository.'
    return new UploadError(`${said} ${why} ${PERMISSIONS_HINT}`, status)
  }
  if (status === 404) {
    return new UploadError(
      `${said} The repository was not found with this token: check GITHUB_REPOSITORY, that the token can read the repository ` +
        `(\`contents: read\`), and on GitHub Enterprise Server that ${where.apiUrl} is the API URL (GITHUB_API_URL).`,
      status,
    )
  }
  if (status === 413) {
    return new UploadError(
      `${said} The SARIF is larger than GitHub accepts (10 MB gzipped). This should not happen: the SARIF limits guard ` +
        "keeps uploads under GitHub's limits, so this is a bug in container-security-gate; please report it. " +
        'Meanwhile, scan fewer images per step or set `upload: never` and keep the SARIF file as an artifact.',
      status,
    )
  }
  if (status === 400 || status === 422) {
    return new UploadError(
      `${said} GitHub rejected the ${where.operation === 'upload' ? 'upload request' : 'request'}` +
        (lower.includes('ref') || lower.includes('commit')
          ? ' (the ref must be refs/heads/…, refs/tags/… or refs/pull/…, and the commit must exist in the repository).'
          : '.'),
      status,
    )
  }
  if (status >= 500) {
    return new UploadError(
      `${said} GitHub's code scanning API failed even after retries; re-run the job later (https://www.githubstatus.com).`,
      status,
    )
  }
  return new UploadError(`${said} The code scanning ${where.operation} did not succeed.`, status)
}

/**
 * A rate limit still in force after the bounded waits. Its status is 429 whatever GitHub answered, so
 * `upload: auto` fails clearly rather than taking it for a permission 403 and skipping.
 */
function rateLimitError(response: GitHubResponse, said: string): UploadError {
  const limit = response.rateLimited
  if (limit === undefined) {
    return new UploadError(
      `${said} GitHub's API rate limit was still exceeded after retrying; re-run the job later.`,
      429,
    )
  }
  const next =
    limit.resetAtMs !== undefined
      ? `The quota resets at ${utcTime(limit.resetAtMs)}`
      : `GitHub asked to wait ${Math.ceil(limit.waitMs / 1000)} s more`
  return new UploadError(
    `${said} GitHub's ${limit.kind} API rate limit is in force. ${next}, beyond the ${Math.round(limit.maxWaitMs / 60_000)} minutes ` +
      `this step waits in total (already waited ${Math.round(limit.waitedMs / 1000)} s), so the upload was not retried sooner. ` +
      'Re-run the job after the reset; other workflows using the same token share its quota.',
    429,
  )
}
