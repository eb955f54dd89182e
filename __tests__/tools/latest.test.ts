import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolveLatestRelease, resolveLatestVersion, versionFromTag } from '../../src/tools/latest.js'
import { ScannerError } from '../../src/util/errors.js'
import { startReleaseServer, type ReleaseServer } from '../helpers/release-server.js'

const REPO = 'anchore/grype'
const LATEST_PATH = `/repos/${REPO}/releases/latest`

describe('resolveLatestRelease', () => {
  let server: ReleaseServer

  beforeEach(async () => {
    server = await startReleaseServer()
  })
  afterEach(async () => {
    await server.close()
  })

  const resolve = (
    extra: { token?: string; timeoutMs?: number } = {},
  ): ReturnType<typeof resolveLatestRelease> =>
    resolveLatestRelease({ tool: 'grype', repository: REPO, apiBaseUrl: `${server.url}/`, ...extra })

  async function failure(extra: { token?: string; timeoutMs?: number } = {}): Promise<ScannerError> {
    const error = await resolve(extra).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('grype')
    return error as ScannerError
  }

  it('resolves the tag of the latest release, without credentials when there is no token', async () => {
    server.setLatest(REPO, 'v0.111.0')
    expect(await resolve()).toEqual({ tag: 'v0.111.0', version: '0.111.0' })
    const request = server.requestsTo(LATEST_PATH)[0]
    expect(request?.headers['authorization']).toBeUndefined()
    expect(request?.headers['accept']).toBe('application/vnd.github+json')
  })

  it('sends the token as a bearer token', async () => {
    server.setLatest(REPO, 'v0.111.0')
    expect(
      await resolveLatestVersion({ tool: 'grype', repository: REPO, apiBaseUrl: server.url, token: 'ghs_x' }),
    ).toBe('0.111.0')
    expect(server.requestsTo(LATEST_PATH)[0]?.headers['authorization']).toBe('Bearer ghs_x')
  })

  it.each<[number, Record<string, string>]>([
    [403, { 'x-ratelimit-remaining': '0' }],
    [429, {}],
  ])('explains an exhausted rate limit (HTTP %i)', async (status, headers) => {
    server.alwaysFault(LATEST_PATH, { status, headers })
    const error = await failure()
    expect(error.message).toContain(`HTTP ${status}`)
    expect(error.message).toContain('rate limit')
    expect(error.message).toContain('Pass a token')
    expect(error.message).toContain('pin a version')
  })

  it.each<[number, string]>([
    [403, 'HTTP 403'],
    [404, 'has no published release'],
    [500, 'HTTP 500'],
    [401, 'HTTP 401'],
  ])('names the tool and the status for HTTP %i', async (status, text) => {
    server.alwaysFault(LATEST_PATH, { status, headers: { 'x-ratelimit-remaining': '42' } })
    const error = await failure()
    expect(error.message).toContain(`grype: could not resolve "latest" from ${server.url}${LATEST_PATH}`)
    expect(error.message).toContain(text)
    expect(error.message).not.toContain('rate limit')
  })

  it.each<[string, string]>([
    ['not JSON', '<html>oops</html>'],
    ['JSON without a tag', '{"name":"x"}'],
    ['an empty tag', '{"tag_name":"  "}'],
    ['a JSON array', '[]'],
  ])('rejects a response that is %s', async (_label, body) => {
    server.setFile(LATEST_PATH, body)
    const error = await failure()
    expect(error.message).toMatch(/not JSON|no tag_name/)
  })

  it('gives up on a stalled response', async () => {
    server.setLatest(REPO, 'v1.0.0')
    server.alwaysFault(LATEST_PATH, { stallAfterBytes: 5 })
    // Seconds of slack: the headers and first bytes must arrive within the timeout even on a loaded
    // machine, or the error is "no response" instead (a 200 ms timeout failed CI runs under load).
    const error = await failure({ timeoutMs: 3000 })
    expect(error.message).toContain('stalled')
  })

  it('reports a refused connection', async () => {
    const probe = createServer()
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
    const { port } = probe.address() as AddressInfo
    await new Promise<void>((done) => probe.close(() => done()))
    const error = await resolveLatestRelease({
      tool: 'grype',
      repository: REPO,
      apiBaseUrl: `http://127.0.0.1:${port}`,
    }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(/grype: could not resolve "latest".*ECONNREFUSED/)
  })

  it.each<[string, string]>([
    ['v1.2.3', '1.2.3'],
    ['1.2.3', '1.2.3'],
    ['version-1', 'version-1'],
    ['v', 'v'],
  ])('reads the version of tag %j as %j', (tag, version) => {
    expect(versionFromTag(tag)).toBe(version)
  })
})
