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
