/**
 * Getting CISA's KEV catalog: a loopback server stands in for CISA's URL (a static JSON file,
 * /sites/default/files/feeds/known_exploited_vulnerabilities.json), an in-memory cache for @actions/cache
 * (restoreCache with an exact key then prefix restore keys, saveCache under a new key, as
 * actions/toolkit packages/cache documents). Download, today's cache hit, the stale fallback with a
 * warning, and "unavailable" with a warning: never a silent empty catalog.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DbCacheService } from '../../src/tools/db-cache.js'
import { kevCacheKey, loadKevCatalog } from '../../src/stages/kev-catalog.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { startReleaseServer, type ReleaseServer } from '../helpers/release-server.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
const PATH = '/sites/default/files/feeds/known_exploited_vulnerabilities.json'
const TODAY = new Date('2026-12-07T04:00:00Z')

function catalog(version: string, cves: string[]): string {
  return JSON.stringify({
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: version,
    dateReleased: `${version.replace(/\./g, '-')}T17:02:11.6219Z`,
    count: cves.length,
    vulnerabilities: cves.map((cveID) => ({
      cveID,
      vendorProject: 'Acme',
      product: 'Widget',
      vulnerabilityName: 'Widget flaw',
      dateAdded: '2024-01-10',
      shortDescription: 'A flaw.',
      requiredAction: 'Apply updates.',
      dueDate: '2024-01-31',
      knownRansomwareCampaignUse: 'Unknown',
    })),
  })
}

/** @actions/cache in memory: entries are the files of the cached directory, by key. */
class MemoryCache implements DbCacheService {
  readonly entries = new Map<string, Map<string, string>>()
  readonly saved: string[] = []
  isFeatureAvailable(): boolean {
    return true
  }
  async restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys: string[] = [],
  ): Promise<string | undefined> {
    let key: string | undefined = this.entries.has(primaryKey) ? primaryKey : undefined
    for (const prefix of restoreKeys) {
      if (key !== undefined) break
      // The newest entry whose key starts with the prefix (keys here end in dates, so the greatest).
      key = [...this.entries.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .pop()
    }
    if (key === undefined) return undefined
    const dir = paths[0]!
    await mkdir(dir, { recursive: true })
    for (const [name, text] of this.entries.get(key)!) await writeFile(join(dir, name), text)
    return key
  }
  async saveCache(paths: string[], key: string): Promise<number> {
    const files = new Map<string, string>()
    for (const name of await readdir(paths[0]!))
      files.set(name, await readFile(join(paths[0]!, name), 'utf8'))
    this.entries.set(key, files)
    this.saved.push(key)
    return 1
  }
}

function cached(cache: MemoryCache, key: string, text: string): void {
  cache.entries.set(key, new Map([['known_exploited_vulnerabilities.json', text]]))
}

let server: ReleaseServer
beforeAll(async () => {
  server = await startReleaseServer()
})
afterAll(async () => {
  await server.close()
})

async function load(options: { cache?: DbCacheService; path?: string } = {}) {
  const logger = new RecordingLogger()
  const result = await loadKevCatalog({
    source: { kind: 'download' },
    tempDir: await tempDir('csg-kev-'),
    logger,
    now: () => TODAY,
    url: `${server.url}${options.path ?? PATH}`,
    retries: 1,
    retryDelayMs: 10,
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
  })
  return { ...result, logger }
}

describe('loadKevCatalog', () => {
  it("uses today's key: csg-kev-catalog-YYYY-MM-DD", () => {
    expect(kevCacheKey(TODAY)).toBe('csg-kev-catalog-2026-12-07')
  })

  it('downloads the catalog and saves it under today’s key', async () => {
    server.setFile(PATH, catalog('2026.12.06', ['CVE-2021-44228', 'CVE-2014-0160']), {
      'content-type': 'application/json',
    })
    const cache = new MemoryCache()
    const { catalog: loaded, status, logger } = await load({ cache })
    expect(loaded?.entries.has('CVE-2014-0160')).toBe(true)
    expect(status).toEqual({
      state: 'loaded',
      source: 'download',
      origin: `${server.url}${PATH}`,
      catalogVersion: '2026.12.06',
      dateReleased: '2026-12-06T17:02:11.6219Z',
      count: 2,
    })
    expect(cache.saved).toEqual(['csg-kev-catalog-2026-12-07'])
    expect(logger.messages('warning')).toEqual([])
  })

  it("does not download when today's catalog is cached", async () => {
    const cache = new MemoryCache()
    cached(cache, 'csg-kev-catalog-2026-12-07', catalog('2026.12.07', ['CVE-2021-44228']))
    const before = server.requestsTo('/cached-today').length
    const { status } = await load({ cache, path: '/cached-today' })
    expect(status).toMatchObject({ state: 'loaded', source: 'cache', catalogVersion: '2026.12.07', count: 1 })
    expect(server.requestsTo('/cached-today').length).toBe(before)
    expect(cache.saved).toEqual([])
  })

  it('falls back to an older cached catalog with a warning when the download fails', async () => {
    server.alwaysFault('/down', { status: 503 })
    const cache = new MemoryCache()
    cached(cache, 'csg-kev-catalog-2026-12-01', catalog('2026.12.01', ['CVE-2021-44228']))
    const { catalog: loaded, status, logger } = await load({ cache, path: '/down' })
    expect(loaded?.entries.has('CVE-2021-44228')).toBe(true)
    expect(status).toMatchObject({ state: 'stale', source: 'cache', catalogVersion: '2026.12.01', count: 1 })
    expect(status.reason).toMatch(/HTTP 503/)
    expect(logger.messages('warning').at(-1)).toMatch(
      /^KEV catalog: .*HTTP 503.*; using the cached catalog 2026\.12\.01 \(csg-kev-catalog-2026-12-01\), which may miss the newest entries$/,
    )
    expect(cache.saved).toEqual([])
  })

  it('says KEV data is unavailable, with a warning, when the download fails and nothing is cached', async () => {
    const {
      catalog: loaded,
      status,
      logger,
    } = await load({ cache: new MemoryCache(), path: '/missing.json' })
    expect(loaded).toBeUndefined()
    expect(status.state).toBe('unavailable')
    expect(status.reason).toMatch(/not found \(HTTP 404\)/)
    expect(logger.messages('warning')).toEqual([
      expect.stringMatching(
        /^KEV catalog: .*HTTP 404.*; no cached copy either: findings are not marked known-exploited$/,
      ),
    ])
  })

  it.each([
    [
      'an HTML error page',
      '<html><body>Access Denied</body></html>',
      /did not return CISA's KEV catalog: not JSON/,
    ],
    [
      'an empty catalog',
      JSON.stringify({
        catalogVersion: '1',
        dateReleased: '2026-12-07T00:00:00Z',
        count: 0,
        vulnerabilities: [],
      }),
      /did not return CISA's KEV catalog: "vulnerabilities" is empty/,
    ],
  ])('never takes %s for a catalog', async (_name, body, reason) => {
    const path = `/malformed-${_name.replace(/\W/g, '')}`
    server.setFile(path, body)
    const cache = new MemoryCache()
    const { catalog: loaded, status, logger } = await load({ cache, path })
    expect(loaded).toBeUndefined()
    expect(status.state).toBe('unavailable')
    expect(status.reason).toMatch(reason)
    expect(logger.messages('warning')).toHaveLength(1)
    expect(cache.saved).toEqual([])
  })

  it('retries a server error and warns once, about the outcome', async () => {
    server.alwaysFault('/flaky', { status: 502 })
    const { status, logger } = await load({ path: '/flaky' })
    expect(status.state).toBe('unavailable')
    expect(status.reason).toMatch(
      /^downloading http:\/\/127\.0\.0\.1:\d+\/flaky failed: HTTP 502 \(gave up after 2 attempts\)$/,
    )
    expect(logger.messages('warning')).toHaveLength(1)
    expect(logger.messages('info')).toEqual([expect.stringMatching(/failed \(HTTP 502\); retrying/)])
  })

  it('works without a cache service (the CLI)', async () => {
    const { status } = await load()
    expect(status).toMatchObject({ state: 'loaded', source: 'download', count: 2 })
  })

  it('reports kev: off and not-requested without touching the network', async () => {
    const logger = new RecordingLogger()
    const common = { tempDir: '/nonexistent', logger, now: () => TODAY, url: 'http://127.0.0.1:1/never' }
    expect((await loadKevCatalog({ ...common, source: { kind: 'off' } })).status).toEqual({ state: 'off' })
    expect((await loadKevCatalog({ ...common, source: { kind: 'not-requested' } })).status).toEqual({
      state: 'not-requested',
    })
    expect(logger.lines).toEqual([])
  })
})
