import { describe, it, expect } from '@jest/globals'
import {
  readGitHubContext,
  uploadBlockedReason,
  isForkPullRequest,
  isDependabotRun,
  type GitHubContext,
} from '../../src/report/github-context.js'

const MERGE_SHA = 'a'.repeat(40)
const HEAD_SHA = 'b'.repeat(40)
const BASE_SHA = 'c'.repeat(40)
const TOKEN = 'ghs_example'

interface PrShape {
  headRepo?: { full_name: string; fork: boolean } | null
  baseRepo?: { full_name: string; fork: boolean }
  author?: string
}

function prPayload(shape: PrShape = {}): Record<string, unknown> {
  const baseRepo = shape.baseRepo ?? { full_name: 'acme/app', fork: false }
  const headRepo = shape.headRepo === undefined ? baseRepo : shape.headRepo
  return {
    action: 'synchronize',
    number: 7,
    pull_request: {
      number: 7,
      user: { login: shape.author ?? 'octocat' },
      head: { sha: HEAD_SHA, ref: 'feature', repo: headRepo },
      base: { sha: BASE_SHA, ref: 'main', repo: baseRepo },
    },
    sender: { login: shape.author ?? 'octocat' },
  }
}

function contextFor(
  eventName: string,
  options: {
    ref?: string
    sha?: string
    payload?: Record<string, unknown>
    actor?: string
    checkedOutSha?: string
    env?: Record<string, string | undefined>
  } = {},
): GitHubContext {
  const files = new Map<string, string>()
  files.set('/runner/event.json', JSON.stringify(options.payload ?? {}))
  const env: Record<string, string | undefined> = {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: '/runner/event.json',
    GITHUB_REF: options.ref ?? 'refs/heads/main',
    GITHUB_SHA: options.sha ?? MERGE_SHA,
    GITHUB_ACTOR: options.actor ?? 'octocat',
    GITHUB_WORKFLOW: 'CI',
    GITHUB_JOB: 'scan',
    GITHUB_RUN_ID: '42',
    GITHUB_WORKSPACE: '/home/runner/work/app/app',
    ...options.env,
  }
  return readGitHubContext(env, (path) => files.get(path), options.checkedOutSha)
}

describe('readGitHubContext', () => {
  it('reads the repository, URLs and run identity from the environment', () => {
    const context = contextFor('push', {
      env: {
        GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
        GITHUB_SERVER_URL: 'https://ghe.example.com',
      },
    })
    expect(context.repository).toEqual({ owner: 'acme', name: 'app' })
    expect(context.apiUrl).toBe('https://ghe.example.com/api/v3')
    expect(context.serverUrl).toBe('https://ghe.example.com')
    expect(context).toMatchObject({
      eventName: 'push',
      workflow: 'CI',
      job: 'scan',
      runId: '42',
      actor: 'octocat',
      workspace: '/home/runner/work/app/app',
    })
    expect(context.warnings).toEqual([])
  })

  it('defaults to github.com when GITHUB_API_URL is unset', () => {
    const context = readGitHubContext({}, () => undefined)
    expect(context.apiUrl).toBe('https://api.github.com')
    expect(context.serverUrl).toBe('https://github.com')
    expect(context.repository).toBeUndefined()
    expect(context.event).toEqual({})
  })

  it.each([
    ['missing', undefined, /does not exist/],
    ['not JSON', '{ nope', /not valid JSON/],
    ['not an object', '[1, 2]', /not a JSON object/],
  ])('warns, without throwing, when the event payload is %s', (_label, text, warning) => {
    const context = readGitHubContext(
      { GITHUB_EVENT_PATH: '/event.json', GITHUB_EVENT_NAME: 'pull_request' },
      () => text,
    )
    expect(context.event).toEqual({})
    expect(context.pullRequest).toBeUndefined()
    expect(context.warnings).toEqual([expect.stringMatching(warning)])
  })

  it('warns about a GITHUB_REPOSITORY that is not owner/name', () => {
    const context = readGitHubContext({ GITHUB_REPOSITORY: 'just-a-name' }, () => undefined)
    expect(context.repository).toBeUndefined()
    expect(context.warnings[0]).toMatch(/not "owner\/name"/)
  })

  it('survives a reader that throws', () => {
    const context = readGitHubContext({ GITHUB_EVENT_PATH: '/event.json' }, () => {
      throw new Error('EACCES')
    })
    expect(context.warnings[0]).toMatch(/EACCES/)
  })
})

describe('upload target per event', () => {
  it.each<[string, Parameters<typeof contextFor>, { ref: string; commitSha: string } | undefined]>([
    [
      'push to a branch',
      ['push', { ref: 'refs/heads/main', sha: MERGE_SHA }],
      { ref: 'refs/heads/main', commitSha: MERGE_SHA },
    ],
    [
      'push of a tag',
      ['push', { ref: 'refs/tags/v1.2.0', sha: MERGE_SHA }],
      { ref: 'refs/tags/v1.2.0', commitSha: MERGE_SHA },
    ],
    [
      'pull_request on the merge commit',
      ['pull_request', { ref: 'refs/pull/7/merge', payload: prPayload(), checkedOutSha: MERGE_SHA }],
      { ref: 'refs/pull/7/merge', commitSha: MERGE_SHA },
    ],
    [
      'pull_request without a known checkout',
      ['pull_request', { ref: 'refs/pull/7/merge', payload: prPayload() }],
      { ref: 'refs/pull/7/merge', commitSha: MERGE_SHA },
    ],
    [
      'pull_request with the PR head checked out',
      [
        'pull_request',
        { ref: 'refs/pull/7/merge', payload: prPayload(), checkedOutSha: HEAD_SHA.toUpperCase() },
      ],
      { ref: 'refs/pull/7/head', commitSha: HEAD_SHA },
    ],
    [
      'pull_request_target (the head, not the base)',
      ['pull_request_target', { ref: 'refs/heads/main', sha: BASE_SHA, payload: prPayload() }],
      { ref: 'refs/pull/7/head', commitSha: HEAD_SHA },
    ],
    [
      'schedule',
      ['schedule', { ref: 'refs/heads/main', sha: MERGE_SHA }],
      { ref: 'refs/heads/main', commitSha: MERGE_SHA },
    ],
    [
      'workflow_dispatch on a tag',
      ['workflow_dispatch', { ref: 'refs/tags/v2', sha: MERGE_SHA }],
      { ref: 'refs/tags/v2', commitSha: MERGE_SHA },
    ],
    ['a ref code scanning does not take', ['push', { ref: 'refs/notes/commits', sha: MERGE_SHA }], undefined],
    ['a short sha', ['push', { ref: 'refs/heads/main', sha: 'abc123' }], undefined],
  ])('%s', (_label, args, expected) => {
    expect(contextFor(...args).uploadTarget).toEqual(expected)
  })

  it('reads the pull request of an issue comment', () => {
    const context = contextFor('issue_comment', {
      payload: {
        issue: { number: 12, pull_request: { url: 'x' }, user: { login: 'octocat' } },
        repository: { full_name: 'acme/app' },
      },
    })
    expect(context.pullRequest?.number).toBe(12)
    expect(isForkPullRequest(context)).toBe(false)
  })
})

describe('uploadBlockedReason', () => {
  it.each<[string, Parameters<typeof contextFor>, RegExp | undefined]>([
    ['a push', ['push', {}], undefined],
    [
      'a pull request from a branch',
      ['pull_request', { ref: 'refs/pull/7/merge', payload: prPayload() }],
      undefined,
    ],
    [
      'a pull request from a fork',
      [
        'pull_request',
        {
          ref: 'refs/pull/7/merge',
          payload: prPayload({ headRepo: { full_name: 'mallory/app', fork: true } }),
        },
      ],
      /mallory\/app.*read-only token/,
    ],
    [
      'a pull request whose fork was deleted',
      ['pull_request', { ref: 'refs/pull/7/merge', payload: prPayload({ headRepo: null }) }],
      /fork.*read-only/,
    ],
    [
      'a head flagged as a fork under the same name (odd payload)',
      [
        'pull_request',
        { ref: 'refs/pull/7/merge', payload: prPayload({ headRepo: { full_name: 'acme/app', fork: true } }) },
      ],
      /read-only/,
    ],
    [
      'a pull request inside a repository that is itself a fork',
      [
        'pull_request',
        {
          ref: 'refs/pull/7/merge',
          payload: prPayload({
            baseRepo: { full_name: 'me/app', fork: true },
            headRepo: { full_name: 'me/app', fork: true },
          }),
        },
      ],
      undefined,
    ],
    [
      'a fork pull request on pull_request_target (base token)',
      ['pull_request_target', { payload: prPayload({ headRepo: { full_name: 'mallory/app', fork: true } }) }],
      undefined,
    ],
    // Dependabot's token is read-only only by default (`permissions: security-events: write` lifts it):
    // GitHub's answer decides, so these are not blocked up front.
    ['a Dependabot push', ['push', { actor: 'dependabot[bot]' }], undefined],
    [
      'a pull request sent by Dependabot',
      ['pull_request', { ref: 'refs/pull/7/merge', payload: prPayload({ author: 'dependabot[bot]' }) }],
      undefined,
    ],
    [
      'pull_request_target on a Dependabot pull request',
      ['pull_request_target', { payload: prPayload({ author: 'dependabot[bot]' }) }],
      undefined,
    ],
    [
      'pull_request_target re-run by Dependabot on a person’s pull request',
      ['pull_request_target', { actor: 'dependabot[bot]', payload: prPayload() }],
      undefined,
    ],
    [
      'an event without an uploadable ref',
      ['push', { ref: 'refs/notes/commits' }],
      /no branch, tag or pull-request ref/,
    ],
  ])('%s', (_label, args, expected) => {
    const reason = uploadBlockedReason(contextFor(...args), TOKEN)
    if (expected === undefined) expect(reason).toBeUndefined()
    else expect(reason).toMatch(expected)
  })

  it('blocks without a token or a repository', () => {
    expect(uploadBlockedReason(contextFor('push'), undefined)).toMatch(/no GitHub token/)
    expect(uploadBlockedReason(contextFor('push'), '  ')).toMatch(/no GitHub token/)
    expect(uploadBlockedReason(contextFor('push', { env: { GITHUB_REPOSITORY: undefined } }), TOKEN)).toMatch(
      /GITHUB_REPOSITORY is not set/,
    )
  })

  it('names Dependabot from the event sender too', () => {
    const context = contextFor('push', { payload: { sender: { login: 'Dependabot[bot]' } } })
    expect(isDependabotRun(context)).toBe(true)
  })
})
