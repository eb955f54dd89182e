/**
 * What the run knows about GitHub: the repository, the API, the event, and where code-scanning results for
 * this run belong (the upload target). Pure given its inputs: the environment and a file reader are passed
 * in, so tests hand in their own and nothing here reads `process.env` or the disk itself.
 */

export interface RepositoryRef {
  owner: string
  name: string
}

/** The pull request of the event, when there is one. */
export interface PullRequestInfo {
  number: number
  headSha?: string
  headRef?: string
  baseRef?: string
  /** `owner/name` of the head repository; undefined when GitHub no longer knows it (deleted fork). */
  headRepoFullName?: string
  baseRepoFullName?: string
  headRepoIsFork: boolean
  baseRepoIsFork: boolean
  /** Login of the pull request's author. */
  authorLogin?: string
}

/** The commit and ref code-scanning results are filed under. */
export interface UploadTarget {
  ref: string
  commitSha: string
}

export interface GitHubContext {
  repository?: RepositoryRef
  /** REST API base without a trailing slash (`https://api.github.com`, `https://ghe.example.com/api/v3`). */
  apiUrl: string
  serverUrl: string
  eventName?: string
  /** The webhook payload of the event (`{}` when there is none or it could not be read). */
  event: Record<string, unknown>
  sha?: string
  ref?: string
  workflow?: string
  job?: string
  runId?: string
  actor?: string
  workspace?: string
  pullRequest?: PullRequestInfo
  /** Undefined when the event gives no branch, tag or pull-request ref and commit to file results under. */
  uploadTarget?: UploadTarget
  /** Problems met while reading the context (an unreadable event file), for the caller to log. */
  warnings: string[]
}

export const DEPENDABOT_LOGIN = 'dependabot[bot]'
const DEFAULT_API_URL = 'https://api.github.com'
const DEFAULT_SERVER_URL = 'https://github.com'
const COMMIT_SHA = /^[0-9a-f]{40}$/i
const UPLOADABLE_REF = /^refs\/(heads|tags|pull)\/./
/** Events whose token is the base repository's even for a fork's pull request. */
const BASE_CONTEXT_PR_EVENTS = new Set(['pull_request_target'])

export function readGitHubContext(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string | undefined,
  /** `git rev-parse HEAD` of the checkout the image was built from, when the caller knows it. */
  checkedOutSha?: string,
): GitHubContext {
  const warnings: string[] = []
  const value = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  const event = readEvent(value('GITHUB_EVENT_PATH'), readFile, warnings)
  const eventName = value('GITHUB_EVENT_NAME')
  const repository = parseRepository(value('GITHUB_REPOSITORY'), warnings)
  const pullRequest = readPullRequest(event)
  const sha = value('GITHUB_SHA')
  const ref = value('GITHUB_REF')
  const context: GitHubContext = {
    apiUrl: stripTrailingSlash(value('GITHUB_API_URL') ?? DEFAULT_API_URL),
    serverUrl: stripTrailingSlash(value('GITHUB_SERVER_URL') ?? DEFAULT_SERVER_URL),
    event,
    warnings,
  }
  if (repository) context.repository = repository
  if (eventName !== undefined) context.eventName = eventName
  if (sha !== undefined) context.sha = sha
  if (ref !== undefined) context.ref = ref
  const optional = {
    workflow: value('GITHUB_WORKFLOW'),
    job: value('GITHUB_JOB'),
    runId: value('GITHUB_RUN_ID'),
    actor: value('GITHUB_ACTOR'),
    workspace: value('GITHUB_WORKSPACE'),
  }
  for (const [key, v] of Object.entries(optional)) {
    if (v !== undefined) context[key as keyof typeof optional] = v
  }
  if (pullRequest) context.pullRequest = pullRequest
  const target = deriveUploadTarget({
    eventName,
    ref,
    sha,
    pullRequest,
    checkedOutSha: checkedOutSha?.trim(),
  })
  if (target) context.uploadTarget = target
  return context
}

/**
 * Where results for this event belong. `pull_request` files them under the merge commit GitHub built
 * (`refs/pull/N/merge`, `GITHUB_SHA`) unless the checkout is the PR head itself; `pull_request_target`
 * runs on the base branch, but the image under test is the PR's, so its head is the target.
 */
export function deriveUploadTarget(input: {
  eventName: string | undefined
  ref: string | undefined
  sha: string | undefined
  pullRequest: PullRequestInfo | undefined
  checkedOutSha: string | undefined
}): UploadTarget | undefined {
  const { eventName, ref, sha, pullRequest, checkedOutSha } = input
  if (pullRequest && eventName === 'pull_request') {
    const headSha = pullRequest.headSha
    if (checkedOutSha !== undefined && headSha !== undefined && sameSha(checkedOutSha, headSha)) {
      return validTarget(`refs/pull/${pullRequest.number}/head`, headSha)
    }
    const mergeRef =
      ref !== undefined && UPLOADABLE_REF.test(ref) ? ref : `refs/pull/${pullRequest.number}/merge`
    return validTarget(mergeRef, sha)
  }
  if (pullRequest && eventName === 'pull_request_target') {
    return validTarget(`refs/pull/${pullRequest.number}/head`, pullRequest.headSha)
  }
  return validTarget(ref, sha)
}

/**
 * Why the token of this run cannot write security events, or undefined when it can as far as we can
 * tell. The API has the last word; this only avoids a request that is sure to be refused. Dependabot runs
 * are not among them: their token is read-only only by default, and `permissions: security-events: write`
 * in the workflow lifts that, so GitHub's answer decides (a 403 under `upload: auto` is a skip).
 */
export function uploadBlockedReason(context: GitHubContext, token: string | undefined): string | undefined {
  if (token === undefined || token.trim() === '') {
    return 'no GitHub token was given (the `token` input is empty), so nothing can be uploaded to code scanning.'
  }
  if (!context.repository) {
    return 'GITHUB_REPOSITORY is not set (this is not a GitHub Actions run), so there is no repository to upload to.'
  }
  if (isForkPullRequest(context)) {
    const head = context.pullRequest?.headRepoFullName ?? 'a fork'
    return `this pull request comes from ${head}, and GitHub gives workflows triggered by a fork's pull request a read-only token that cannot write security events.`
  }
  if (!context.uploadTarget) {
    return `the ${context.eventName ?? 'unknown'} event gives no branch, tag or pull-request ref and commit to file the results under (GITHUB_REF=${context.ref ?? 'unset'}, GITHUB_SHA=${context.sha ?? 'unset'}).`
  }
  return undefined
}

/**
 * True for a pull request event from another repository whose token is read-only. `pull_request_target`
 * runs with the base repository's token, so it is not blocked. A head repository GitHub no longer knows
 * (a deleted fork) counts as a fork.
 */
export function isForkPullRequest(context: GitHubContext): boolean {
  const pr = context.pullRequest
  if (!pr || BASE_CONTEXT_PR_EVENTS.has(context.eventName ?? '')) return false
  if (pr.headRepoFullName === undefined) return true
  if (pr.baseRepoFullName !== undefined && !sameName(pr.headRepoFullName, pr.baseRepoFullName)) return true
  // Same name on both sides but a head flagged as a fork while the base is not: an odd payload; be safe.
  // (A pull request inside a repository that is itself a fork has both flags set and is not blocked.)
  return pr.headRepoIsFork && !pr.baseRepoIsFork
}

/**
 * True when Dependabot triggered the run. For `pull_request_target` GitHub restricts the token only when
 * Dependabot authored the pull request, so that is what is checked there.
 */
export function isDependabotRun(context: GitHubContext): boolean {
  if (context.eventName === 'pull_request_target') {
    return sameName(context.pullRequest?.authorLogin ?? '', DEPENDABOT_LOGIN)
  }
  const sender = loginOf(context.event['sender'])
  return sameName(context.actor ?? '', DEPENDABOT_LOGIN) || sameName(sender ?? '', DEPENDABOT_LOGIN)
}

/** `{apiUrl}/repos/{owner}/{name}`; the caller has checked that the repository is known. */
export function repositoryApiUrl(context: GitHubContext): string {
  const repo = context.repository
  if (!repo) throw new Error('repositoryApiUrl needs context.repository')
  return `${context.apiUrl}/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`
}

function readEvent(
  path: string | undefined,
  readFile: (path: string) => string | undefined,
  warnings: string[],
): Record<string, unknown> {
  if (path === undefined) return {}
  let text: string | undefined
  try {
    text = readFile(path)
  } catch (error) {
    warnings.push(
      `Could not read the event payload ${path}: ${error instanceof Error ? error.message : String(error)}`,
    )
    return {}
  }
  if (text === undefined) {
    warnings.push(`The event payload ${path} (GITHUB_EVENT_PATH) does not exist.`)
    return {}
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (isRecord(parsed)) return parsed
    warnings.push(`The event payload ${path} is not a JSON object; pull request details are unknown.`)
  } catch (error) {
    warnings.push(
      `The event payload ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}); pull request details are unknown.`,
    )
  }
  return {}
}

function parseRepository(value: string | undefined, warnings: string[]): RepositoryRef | undefined {
  if (value === undefined) return undefined
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value)
  if (!match) {
    warnings.push(`GITHUB_REPOSITORY is "${value}", not "owner/name"; it is ignored.`)
    return undefined
  }
  return { owner: match[1]!, name: match[2]! }
}

/** The pull request of a `pull_request*` payload, or of an `issue_comment` on a pull request. */
function readPullRequest(event: Record<string, unknown>): PullRequestInfo | undefined {
  const pr = event['pull_request']
  if (isRecord(pr)) {
    const number = positiveInteger(pr['number']) ?? positiveInteger(event['number'])
    if (number === undefined) return undefined
    const head = isRecord(pr['head']) ? pr['head'] : {}
    const base = isRecord(pr['base']) ? pr['base'] : {}
    const headRepo = isRecord(head['repo']) ? head['repo'] : undefined
    const baseRepo = isRecord(base['repo']) ? base['repo'] : undefined
    const info: PullRequestInfo = {
      number,
      headRepoIsFork: headRepo?.['fork'] === true,
      baseRepoIsFork: baseRepo?.['fork'] === true,
    }
    assignString(info, 'headSha', head['sha'])
    assignString(info, 'headRef', head['ref'])
    assignString(info, 'baseRef', base['ref'])
    assignString(info, 'headRepoFullName', headRepo?.['full_name'])
    assignString(info, 'baseRepoFullName', baseRepo?.['full_name'])
    assignString(info, 'authorLogin', loginOf(pr['user']))
    return info
  }
  const issue = event['issue']
  if (isRecord(issue) && isRecord(issue['pull_request'])) {
    const number = positiveInteger(issue['number'])
    if (number === undefined) return undefined
    // An issue comment runs in the base repository's context; the head is not in the payload.
    const info: PullRequestInfo = { number, headRepoIsFork: false, baseRepoIsFork: false }
    assignString(info, 'authorLogin', loginOf(issue['user']))
    const repo = event['repository']
    if (isRecord(repo)) {
      assignString(info, 'baseRepoFullName', repo['full_name'])
      assignString(info, 'headRepoFullName', repo['full_name'])
    }
    return info
  }
  return undefined
}

function validTarget(ref: string | undefined, sha: string | undefined): UploadTarget | undefined {
  if (ref === undefined || sha === undefined) return undefined
  if (!UPLOADABLE_REF.test(ref) || !COMMIT_SHA.test(sha)) return undefined
  return { ref, commitSha: sha.toLowerCase() }
}

type OptionalStringKey =
  'headSha' | 'headRef' | 'baseRef' | 'headRepoFullName' | 'baseRepoFullName' | 'authorLogin'

function assignString(target: PullRequestInfo, key: OptionalStringKey, value: unknown): void {
  if (typeof value === 'string' && value !== '') target[key] = value
}

function loginOf(user: unknown): string | undefined {
  return isRecord(user) && typeof user['login'] === 'string' ? user['login'] : undefined
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

function sameSha(a: string, b: string): boolean {
  return COMMIT_SHA.test(a) && a.toLowerCase() === b.toLowerCase()
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
