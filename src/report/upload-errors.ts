/**
 * Turns a refused code-scanning request into an `UploadError` whose message says what to change: the
 * workflow's permissions, a repository setting, or (for a size or schema refusal) that this is our bug.
 * The message GitHub gave is always kept.
 */
import { UploadError } from '../util/errors.js'
import { apiMessage, type GitHubResponse } from './github-http.js'

const PERMISSIONS_HINT =
  'Give the workflow or job `permissions: security-events: write` (plus `actions: read` and `contents: read` for private repositories). ' +
  'Pull requests from forks and Dependabot runs get a read-only token whatever the workflow asks for; `upload: auto` skips those.'

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
  if ((status === 403 || status === 429) && lower.includes('rate limit')) {
    return new UploadError(
      `${said} GitHub's API rate limit was still exceeded after waiting; re-run the job later (the upload endpoint allows 1,000 requests an hour).`,
      status,
    )
  }
  if (status === 403 && lower.includes('advanced security must be enabled')) {
    return new UploadError(
      `${said} Uploading to code scanning on a private or internal repository needs GitHub Advanced Security (GitHub Code Security): ` +
        'enable it under Settings → Advanced Security (Code security and analysis), or set `upload: never`.',
      status,
    )
  }
  if ((status === 403 || status === 404) && lower.includes('code scanning is not enabled')) {
    return new UploadError(
      `${said} Enable code scanning for the repository under Settings → Advanced Security (Code security and analysis) → Code scanning, ` +
        'or set `upload: never`.',
      status,
    )
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
