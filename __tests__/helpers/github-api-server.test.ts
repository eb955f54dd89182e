import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { gzipSync } from 'node:zlib'
import { startGitHubApi, type GitHubApi } from './github-api-server.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'
const LOG = { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [] }] }
const encode = (value: unknown): string => gzipSync(JSON.stringify(value)).toString('base64')

describe('the GitHub API stand-in checks the upload contract', () => {
  let api: GitHubApi
  beforeAll(async () => {
    api = await startGitHubApi()
  })
  afterAll(async () => {
    await api.close()
  })

  const post = async (body: unknown, auth = true): Promise<{ status: number; json: unknown }> => {
    const response = await fetch(`${api.url}/repos/acme/app/code-scanning/sarifs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: 'Bearer t' } : {}) },
      body: JSON.stringify(body),
    })
    return { status: response.status, json: await response.json() }
  }

  it('accepts a valid body with 202 and an id and url', async () => {
    const result = await post({ commit_sha: SHA, ref: 'refs/heads/main', sarif: encode(LOG), tool_name: 't' })
    expect(result.status).toBe(202)
    expect(result.json).toEqual({
      id: expect.any(String),
      url: expect.stringContaining('/code-scanning/sarifs/'),
    })
  })

  it.each([
    [
      'an undocumented field',
      { commit_sha: SHA, ref: 'refs/heads/main', sarif: encode(LOG), category: 'x' },
      /"category" is not a permitted key/,
    ],
    ['a short commit_sha', { commit_sha: 'abc', ref: 'refs/heads/main', sarif: encode(LOG) }, /40-character/],
    ['a ref outside heads/tags/pull', { commit_sha: SHA, ref: 'main', sarif: encode(LOG) }, /does not match/],
    ['a missing sarif', { commit_sha: SHA, ref: 'refs/heads/main' }, /"sarif" wasn't supplied/],
    [
      'sarif that is not gzip',
      { commit_sha: SHA, ref: 'refs/heads/main', sarif: Buffer.from('{}').toString('base64') },
      /does not decode/,
    ],
    [
      'a log that is not SARIF 2.1.0',
      { commit_sha: SHA, ref: 'refs/heads/main', sarif: encode({ version: '2.0.0', runs: [] }) },
      /not a SARIF 2\.1\.0 log/,
    ],
    [
      'a checkout_uri that is not file://',
      { commit_sha: SHA, ref: 'refs/heads/main', sarif: encode(LOG), checkout_uri: '/w' },
      /file:\/\//,
    ],
    [
      'a started_at that is not a date-time',
      { commit_sha: SHA, ref: 'refs/heads/main', sarif: encode(LOG), started_at: 'today' },
      /ISO 8601/,
    ],
  ])('refuses %s with 422 and records it', async (_label, body, problem) => {
    const before = api.violations().length
    const result = await post(body)
    expect(result.status).toBe(422)
    expect((result.json as { message: string }).message).toMatch(problem)
    expect(api.violations().slice(before).join('\n')).toMatch(problem)
  })

  it('answers 401 without an Authorization header', async () => {
    const result = await post({ commit_sha: SHA, ref: 'refs/heads/main', sarif: encode(LOG) }, false)
    expect(result.status).toBe(401)
  })

  it('answers 404 for a SARIF id it never issued', async () => {
    const response = await fetch(`${api.url}/repos/acme/app/code-scanning/sarifs/nope`, {
      headers: { authorization: 'Bearer t' },
    })
    expect(response.status).toBe(404)
  })
})

describe('the GitHub API stand-in models what GitHub keeps', () => {
  let api: GitHubApi
  beforeAll(async () => {
    api = await startGitHubApi()
  })
  afterAll(async () => {
    await api.close()
  })

  const run = (category: string, levels: string[]) => ({
    tool: { driver: { name: 'tool' } },
    automationDetails: { id: category },
    results: levels.map((level, i) => ({
      ruleId: 'r',
      level,
      message: { text: 'm' },
      partialFingerprints: { primaryLocationLineHash: `fp${i}` },
    })),
  })
  const upload = (runs: unknown[], quotaHeaders?: (h: Headers) => void) =>
    fetch(`${api.url}/repos/acme/app/code-scanning/sarifs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({
        commit_sha: SHA,
        ref: 'refs/heads/main',
        sarif: encode({ version: '2.1.0', runs }),
      }),
    }).then((r) => {
      quotaHeaders?.(r.headers)
      return r.status
    })

  it('replaces an analysis with the same commit, ref, tool and category; keeps other categories', async () => {
    expect(await upload([run('a/', ['error'])])).toBe(202)
    expect(await upload([run('b/', ['error'])])).toBe(202)
    expect(await upload([run('a/', ['note', 'note'])])).toBe(202)
    expect(api.analyses().map((a) => [a.category, a.results])).toEqual([
      ['a/', 2],
      ['b/', 1],
    ])
    expect(api.replacedAnalyses()).toBe(1)
  })

  it('stores only the first 5,000 results of a run, in file order, and says so', async () => {
    const levels = [...Array<string>(5000).fill('note'), 'error']
    await upload([run('big/', levels)])
    const big = api.analyses().find((a) => a.category === 'big/')!
    expect(big.results).toBe(5001)
    expect(big.shownLevels).toHaveLength(5000)
    expect(big.shownLevels.includes('error')).toBe(false)
    expect(big.warnings).toEqual([
      'An analysis file contained 5001 results which is more than our limit of 5000. Only 5000 were stored',
    ])
  })

  it('sends the rate-limit headers, and a 403 with remaining 0 once the quota is spent', async () => {
    api.setQuota({ remaining: 1, resetEpochSeconds: 1_900_000_000 })
    let remaining: string | null = null
    expect(await upload([run('q/', [])], (h) => (remaining = h.get('x-ratelimit-remaining')))).toBe(202)
    expect(remaining).toBe('0')
    let reset: string | null = null
    expect(await upload([run('q/', [])], (h) => (reset = h.get('x-ratelimit-reset')))).toBe(403)
    expect(reset).toBe('1900000000')
    api.setQuota({ remaining: 5000, resetEpochSeconds: 1_900_000_000 })
  })
})
