import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { readGitHubContext, type GitHubContext } from '../../src/report/github-context.js'
import {
  buildCommentBody,
  commentKey,
  commentMarker,
  MAX_COMMENT_CHARS,
  upsertPullRequestComment,
  type UpsertCommentOptions,
} from '../../src/report/comment.js'
import { githubErrors, startGitHubApi, type GitHubApi } from '../helpers/github-api-server.js'

const KEY = commentKey({ workflow: 'CI', job: 'scan', images: ['app:ci'] })

function prContext(api: GitHubApi, headRepo = 'acme/app', eventName = 'pull_request'): GitHubContext {
  const payload = JSON.stringify({
    number: 7,
    pull_request: {
      number: 7,
      head: { sha: 'b'.repeat(40), repo: { full_name: headRepo, fork: headRepo !== 'acme/app' } },
      base: { repo: { full_name: 'acme/app', fork: false } },
    },
  })
  return readGitHubContext(
    {
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: '/event.json',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_SHA: 'a'.repeat(40),
    },
    () => payload,
  )
}

describe('comment body', () => {
  it('keys the comment by workflow, job and the set of images', () => {
    const key = commentKey({ workflow: 'CI', job: 'scan', images: ['b:1', 'a:1'] })
    expect(key).toMatch(/^[0-9a-f]{16}$/)
    expect(commentKey({ workflow: 'CI', job: 'scan', images: ['a:1', 'b:1'] })).toBe(key)
    expect(commentKey({ workflow: 'CI', job: 'other', images: ['a:1', 'b:1'] })).not.toBe(key)
    expect(commentKey({ workflow: 'CI', job: 'scan', images: ['a:1'] })).not.toBe(key)
  })

  it('starts with the hidden marker', () => {
    const body = buildCommentBody('## Container security gate\n\nNo findings.', KEY)
    expect(body).toBe(`<!-- container-security-gate:${KEY} -->\n## Container security gate\n\nNo findings.`)
  })

  it('keeps a marker key from closing the HTML comment', () => {
    expect(commentMarker('x --> <script>')).toBe('<!-- container-security-gate:x______script_ -->')
  })

  it('cuts a long report on a line, closes an open code fence, and stays under the limit', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `| CVE-2024-${i} | openssl | critical |`).join('\n')
    const markdown = `## Findings\n\n\`\`\`text\n${rows}\n\`\`\`\n`
    const body = buildCommentBody(markdown, KEY)
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS)
    expect(body.startsWith(commentMarker(KEY))).toBe(true)
    expect(body).toMatch(/full report is in the job summary\.$/)
    const kept = body.slice(0, body.lastIndexOf('\n\n…'))
    expect(kept.split('\n').at(-2)).toMatch(/^\| CVE-2024-\d+ \| openssl \| critical \|$/)
    expect(kept.endsWith('\n```')).toBe(true)
  })

  it('never splits a surrogate pair', () => {
    const body = buildCommentBody('🔒'.repeat(40_000), KEY)
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS)
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})

describe('upsertPullRequestComment', () => {
  let api: GitHubApi
  let logger: RecordingLogger

  beforeEach(async () => {
    api = await startGitHubApi()
    logger = new RecordingLogger()
  })
  afterEach(async () => {
    await api.close()
  })

  const upsert = (
    overrides: Partial<UpsertCommentOptions> = {},
  ): ReturnType<typeof upsertPullRequestComment> =>
    upsertPullRequestComment({
      context: prContext(api),
      token: 'ghs_test',
      body: buildCommentBody('first run', KEY),
      key: KEY,
      logger,
      retryDelayMs: 1,
      ...overrides,
    })

  it('creates the comment on the first run and updates it in place on the second', async () => {
    const first = await upsert()
    expect(first.status).toBe('created')
    expect(first.url).toMatch(/#issuecomment-\d+$/)
    const second = await upsert({ body: buildCommentBody('second run', KEY) })
    expect(second).toMatchObject({ status: 'updated', commentId: first.commentId })
    const comments = api.comments(7)
    expect(comments).toHaveLength(1)
    expect(comments[0]?.body).toBe(buildCommentBody('second run', KEY))
    expect(api.requests.map((r) => `${r.method} ${r.route}`)).toEqual([
      'GET list-comments',
      'POST create-comment',
      'GET list-comments',
      'PATCH update-comment',
    ])
  })

  it('adds the marker to a body given without it', async () => {
    await upsert({ body: 'plain markdown' })
    expect(api.comments(7)[0]?.body).toBe(buildCommentBody('plain markdown', KEY))
  })

  it('cuts a marked body that is still over the limit', async () => {
    const result = await upsert({ body: `${commentMarker(KEY)}\n${'x'.repeat(70_000)}` })
    expect(result.status).toBe('created')
    const stored = api.comments(7)[0]!.body
    expect(stored.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS)
    expect(stored.startsWith(`${commentMarker(KEY)}\nxxx`)).toBe(true)
  })

  it('does not touch a comment whose body is already current', async () => {
    await upsert()
    const again = await upsert()
    expect(again.status).toBe('unchanged')
    expect(api.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0)
  })

  it('follows Link pagination to find its comment on a later page', async () => {
    const paged = await startGitHubApi({ maxPageSize: 2 })
    try {
      paged.seedComments(7, [
        { body: 'LGTM' },
        { body: `> ${commentMarker(KEY)}\n> quoted by a reviewer` },
        { body: 'another' },
        { body: 'and another' },
        { body: buildCommentBody('old report', KEY), login: 'github-actions[bot]', type: 'Bot' },
      ])
      const ours = paged.comments(7)[4]!
      const result = await upsert({ context: prContext(paged), body: buildCommentBody('new report', KEY) })
      expect(result).toMatchObject({ status: 'updated', commentId: ours.id })
      expect(paged.requests.filter((r) => r.route === 'list-comments').map((r) => r.query['page'])).toEqual([
        undefined,
        '2',
        '3',
      ])
      expect(paged.comments(7)).toHaveLength(5)
      expect(paged.comments(7)[1]?.body).toMatch(/^> /)
    } finally {
      await paged.close()
    }
  })

  it('prefers the marked comment a bot wrote over one a person pasted the marker into', async () => {
    api.seedComments(7, [
      { body: buildCommentBody('pasted', KEY), login: 'mallory', type: 'User' },
      { body: buildCommentBody('ours', KEY), login: 'github-actions[bot]', type: 'Bot' },
    ])
    const ours = api.comments(7)[1]!
    const result = await upsert({ body: buildCommentBody('fresh', KEY) })
    expect(result.commentId).toBe(ours.id)
    expect(api.comments(7)[0]?.body).toBe(buildCommentBody('pasted', KEY))
  })

  it('does not mistake another job’s comment for its own', async () => {
    const otherKey = commentKey({ workflow: 'CI', job: 'other', images: ['app:ci'] })
    api.seedComments(7, [{ body: buildCommentBody('other job', otherKey), type: 'Bot' }])
    const result = await upsert()
    expect(result.status).toBe('created')
    expect(api.comments(7)).toHaveLength(2)
  })

  it('creates a new comment when its old one was deleted meanwhile', async () => {
    api.seedComments(7, [{ body: buildCommentBody('old', KEY), type: 'Bot' }])
    api.setResponses('update-comment', githubErrors.notFound)
    const result = await upsert({ body: buildCommentBody('new', KEY) })
    expect(result.status).toBe('created')
  })

  it.each([
    ['create-comment', 'comment on'],
    ['list-comments', 'read the comments of'],
  ] as const)('skips with a warning when %s answers 403', async (route, action) => {
    api.setResponses(route, githubErrors.resourceNotAccessible)
    const result = await upsert()
    expect(result.status).toBe('skipped')
    expect(result.reason).toMatch(new RegExp(`403.*${action} pull request #7.*pull-requests: write`))
    expect(logger.messages('warning')).toEqual([`Pull request comment skipped: ${result.reason}`])
  })

  it('reports other failures without throwing', async () => {
    api.setResponses('create-comment', { status: 422, body: { message: 'Validation Failed' } })
    const result = await upsert()
    expect(result.status).toBe('failed')
    expect(result.reason).toMatch(/422.*Validation Failed/)
  })

  it('skips a run that is not for a pull request without calling the API', async () => {
    const context = readGitHubContext(
      { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'acme/app', GITHUB_EVENT_NAME: 'push' },
      () => undefined,
    )
    const result = await upsert({ context })
    expect(result.status).toBe('skipped')
    expect(api.requests).toHaveLength(0)
    expect(logger.messages('warning')).toEqual([])
  })

  it('skips a fork pull request without calling the API', async () => {
    const result = await upsert({ context: prContext(api, 'mallory/app') })
    expect(result.status).toBe('skipped')
    expect(result.reason).toMatch(/fork/)
    expect(api.requests).toHaveLength(0)
  })

  it('comments on a fork pull request under pull_request_target (base token)', async () => {
    const result = await upsert({ context: prContext(api, 'mallory/app', 'pull_request_target') })
    expect(result.status).toBe('created')
  })
})
