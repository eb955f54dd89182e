/**
 * One sticky pull-request comment per (workflow, job, images): found again by a hidden marker, updated in
 * place on every run, created the first time. Comments are a courtesy: when the run cannot comment (not a
 * pull request, a fork's read-only token, a 403) it is skipped with a warning, never a failure.
 */
import { createHash } from 'node:crypto'
import { errorMessage } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { isForkPullRequest, repositoryApiUrl, type GitHubContext } from './github-context.js'
import {
  actionsHttpTransport,
  apiMessage,
  githubRequest,
  nextPageUrl,
  type GitHubClientOptions,
  type GitHubResponse,
  type HttpTransport,
  type Sleep,
} from './github-http.js'

/** GitHub refuses comment bodies longer than this. */
export const MAX_COMMENT_CHARS = 65_536
const MARKER_PREFIX = '<!-- container-security-gate:'
const TRUNCATION_NOTE =
  '\n\n… The report was cut to fit a pull request comment; the full report is in the job summary.'
/** Enough for any real pull request; bounds the walk if a thread is enormous. */
const MAX_PAGES = 50

/** The stable key of this run's comment: the same workflow, job and images update the same comment. */
export function commentKey(input: { workflow?: string; job?: string; images: readonly string[] }): string {
  const parts = [input.workflow ?? '', input.job ?? '', ...[...input.images].sort()]
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16)
}

export function commentMarker(key: string): string {
  // Only characters that cannot end or break an HTML comment.
  const safe = key.replace(/[^A-Za-z0-9_.:]/g, '_')
  return `${MARKER_PREFIX}${safe} -->`
}

/** The marker line, then the summary's markdown, cut (on a line, closing an open code fence) to fit. */
export function buildCommentBody(markdownFromSummary: string, key: string): string {
  const head = `${commentMarker(key)}\n`
  const full = head + markdownFromSummary
  if (full.length <= MAX_COMMENT_CHARS) return full
  const room = MAX_COMMENT_CHARS - head.length - TRUNCATION_NOTE.length - '\n```'.length
  let kept = markdownFromSummary.slice(0, room)
  const lastNewline = kept.lastIndexOf('\n')
  if (lastNewline > room - 4000) kept = kept.slice(0, lastNewline)
  // Never leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1)
  const fences = kept.match(/^\s*```/gm)?.length ?? 0
  if (fences % 2 === 1) kept += '\n```'
  return head + kept + TRUNCATION_NOTE
}

export interface UpsertCommentOptions {
  context: GitHubContext
  token: string | undefined
  /** The comment: usually `buildCommentBody(...)`; the marker is added when missing. */
  body: string
  key: string
  http?: HttpTransport
  logger: Logger
  retries?: number
  retryDelayMs?: number
  sleep?: Sleep
}

export interface CommentResult {
  status: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed'
  commentId?: number
  /** The comment's page (`html_url`). */
  url?: string
  /** Why it was skipped or failed; logged as a warning, except for a run that is not for a pull request. */
  reason?: string
}

/** Creates or updates this run's pull-request comment. Never throws. */
export async function upsertPullRequestComment(options: UpsertCommentOptions): Promise<CommentResult> {
  const { context, logger } = options
  const skip = (reason: string): CommentResult => {
    logger.warning(`Pull request comment skipped: ${reason}`)
    return { status: 'skipped', reason }
  }
  const pr = context.pullRequest
  if (!pr) {
    logger.debug('Not a pull request: no comment.')
    return { status: 'skipped', reason: 'this run is not for a pull request.' }
  }
  if (isForkPullRequest(context)) {
    return skip('the pull request comes from a fork, and its workflow token is read-only.')
  }
  if (options.token === undefined || options.token.trim() === '') return skip('no GitHub token was given.')
  if (!context.repository) return skip('GITHUB_REPOSITORY is not set.')

  const marker = commentMarker(options.key)
  const markdown = options.body.startsWith(marker)
    ? options.body.slice(marker.length).replace(/^\n/, '')
    : options.body
  const body = buildCommentBody(markdown, options.key)
  const client: GitHubClientOptions = {
    token: options.token,
    logger,
    http: options.http ?? actionsHttpTransport(),
    retries: options.retries ?? 2,
  }
  if (options.retryDelayMs !== undefined) client.retryDelayMs = options.retryDelayMs
  if (options.sleep !== undefined) client.sleep = options.sleep
  const repo = repositoryApiUrl(context)

  try {
    const found = await findMarkedComment(client, `${repo}/issues/${pr.number}/comments?per_page=100`, marker)
    if (found.refused) return refused(found.refused, 'read the comments of', pr.number, skip, logger)
    if (found.comment) {
      if (found.comment.body === body)
        return withUrl({ status: 'unchanged', commentId: found.comment.id }, found.comment)
      const response = await githubRequest(client, 'PATCH', `${repo}/issues/comments/${found.comment.id}`, {
        body,
      })
      if (response.status === 200) {
        logger.info(`Updated the pull request comment ${found.comment.id}.`)
        return withUrl({ status: 'updated', commentId: found.comment.id }, commentOf(response.json))
      }
      // Deleted between the listing and the update: create a new one below.
      if (response.status !== 404) return refused(response, 'update a comment on', pr.number, skip, logger)
    }
    const response = await githubRequest(client, 'POST', `${repo}/issues/${pr.number}/comments`, { body })
    if (response.status !== 201 && response.status !== 200) {
      return refused(response, 'comment on', pr.number, skip, logger)
    }
    const created = commentOf(response.json)
    logger.info(`Commented on pull request #${pr.number}.`)
    const result: CommentResult = { status: 'created' }
    if (created) result.commentId = created.id
    return withUrl(result, created)
  } catch (error) {
    const reason = `could not reach the GitHub API: ${errorMessage(error)}`
    logger.warning(`Pull request comment failed: ${reason}`)
    return { status: 'failed', reason }
  }
}

interface IssueComment {
  id: number
  body: string
  htmlUrl?: string
  byBot: boolean
}

async function findMarkedComment(
  client: GitHubClientOptions,
  firstPage: string,
  marker: string,
): Promise<{ comment?: IssueComment; refused?: GitHubResponse }> {
  const candidates: IssueComment[] = []
  let url: string | undefined = firstPage
  for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
    const response = await githubRequest(client, 'GET', url)
    if (response.status !== 200) return { refused: response }
    const items = Array.isArray(response.json) ? (response.json as unknown[]) : []
    for (const item of items) {
      const comment = commentOf(item)
      // At the very start only: a reply quoting our comment starts with "> " and is not ours.
      if (comment?.body.startsWith(marker)) candidates.push(comment)
    }
    url = nextPageUrl(response)
  }
  // Prefer a comment a bot wrote (ours, with the workflow token) over one a person pasted the marker into.
  const comment = candidates.find((c) => c.byBot) ?? candidates[0]
  return comment ? { comment } : {}
}

function refused(
  response: GitHubResponse,
  action: string,
  prNumber: number,
  skip: (reason: string) => CommentResult,
  logger: Logger,
): CommentResult {
  const said = `GitHub answered ${response.status} ("${apiMessage(response)}") when asked to ${action} pull request #${prNumber}`
  if (response.status === 403 || response.status === 404 || response.status === 401) {
    return skip(
      `${said}; the token cannot comment. Give the job \`permissions: pull-requests: write\` to get the comment.`,
    )
  }
  const reason = `${said}.`
  logger.warning(`Pull request comment failed: ${reason}`)
  return { status: 'failed', reason }
}

function commentOf(value: unknown): IssueComment | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const id = record['id']
  const body = record['body']
  if (typeof id !== 'number' || typeof body !== 'string') return undefined
  const user = record['user']
  const byBot =
    typeof user === 'object' && user !== null && (user as Record<string, unknown>)['type'] === 'Bot'
  const comment: IssueComment = { id, body, byBot }
  if (typeof record['html_url'] === 'string') comment.htmlUrl = record['html_url']
  return comment
}

function withUrl(result: CommentResult, comment: IssueComment | undefined): CommentResult {
  if (comment?.htmlUrl !== undefined) result.url = comment.htmlUrl
  return result
}
