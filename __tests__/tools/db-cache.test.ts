import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dbCacheKey, restoreDbCache, saveDbCache, type DbCacheService } from '../../src/tools/db-cache.js'
import { RecordingLogger } from '../helpers/recording-logger.js'

/** An in-memory cache service with GitHub's matching rules: exact key, else newest entry with a prefix. */
class FakeCacheService implements DbCacheService {
  readonly entries: { key: string; created: number }[] = []
  readonly saves: string[] = []
  available = true
  failWith: Error | undefined
  private clock = 0

  seed(key: string): void {
    this.entries.push({ key, created: ++this.clock })
  }
  isFeatureAvailable(): boolean {
    return this.available
  }
  restoreCache(
    _paths: string[],
    primaryKey: string,
    restoreKeys: string[] = [],
  ): Promise<string | undefined> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith)
    if (this.entries.some((e) => e.key === primaryKey)) return Promise.resolve(primaryKey)
    for (const prefix of restoreKeys) {
      const newest = this.entries
        .filter((e) => e.key.startsWith(prefix))
        .sort((a, b) => b.created - a.created)[0]
      if (newest !== undefined) return Promise.resolve(newest.key)
    }
    return Promise.resolve(undefined)
  }
  saveCache(_paths: string[], key: string): Promise<number> {
    if (this.failWith !== undefined) return Promise.reject(this.failWith)
    this.saves.push(key)
    this.seed(key)
    return Promise.resolve(this.clock)
  }
}

describe('vulnerability DB cache', () => {
  const date = new Date('2026-05-02T23:30:00Z')
  let dir: string
  let logger: RecordingLogger
  let service: FakeCacheService

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-db-'))
    await writeFile(join(dir, 'trivy.db'), 'db')
    logger = new RecordingLogger()
    service = new FakeCacheService()
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  const base = (): {
    scanner: 'trivy'
    dir: string
    date: Date
    platform: 'linux-x64'
    logger: RecordingLogger
    cache: FakeCacheService
  } => ({
    scanner: 'trivy',
    dir,
    date,
    platform: 'linux-x64',
    logger,
    cache: service,
  })

  it('keys by scanner, platform and UTC day', () => {
    expect(dbCacheKey('grype', 'darwin-arm64', date)).toBe('csg-grype-db-darwin-arm64-2026-05-02')
  })

  it("restores today's key as fresh", async () => {
    service.seed('csg-trivy-db-linux-x64-2026-05-02')
    expect(await restoreDbCache(base())).toEqual({
      restoredKey: 'csg-trivy-db-linux-x64-2026-05-02',
      stale: false,
    })
  })

  it('restores the newest older database as stale', async () => {
    service.seed('csg-trivy-db-linux-x64-2026-04-28')
    service.seed('csg-trivy-db-linux-x64-2026-05-01')
    service.seed('csg-grype-db-linux-x64-2026-05-02')
    service.seed('csg-trivy-db-linux-arm64-2026-05-02')
    expect(await restoreDbCache(base())).toEqual({
      restoredKey: 'csg-trivy-db-linux-x64-2026-05-01',
      stale: true,
    })
  })

  it('restores nothing when nothing is cached', async () => {
    expect(await restoreDbCache(base())).toEqual({ stale: false })
  })

  it('skips quietly where there is no cache service', async () => {
    service.available = false
    service.seed('csg-trivy-db-linux-x64-2026-05-02')
    expect(await restoreDbCache(base())).toEqual({ stale: false })
    expect(await saveDbCache(base())).toEqual({ saved: false, key: 'csg-trivy-db-linux-x64-2026-05-02' })
    expect(service.saves).toEqual([])
    expect(logger.messages('warning')).toEqual([])
    expect(logger.messages('debug').join('\n')).toContain('no cache service')
  })

  it('turns cache service errors into warnings', async () => {
    service.failWith = new Error('cache service unreachable')
    expect(await restoreDbCache(base())).toEqual({ stale: false })
    expect(await saveDbCache(base())).toEqual({ saved: false, key: 'csg-trivy-db-linux-x64-2026-05-02' })
    expect(logger.messages('warning')).toEqual([
      'trivy database cache: restore failed: cache service unreachable',
      'trivy database cache: saving csg-trivy-db-linux-x64-2026-05-02 failed: cache service unreachable',
    ])
  })

  it('saves under a new key only', async () => {
    service.seed('csg-trivy-db-linux-x64-2026-05-01')
    const restored = await restoreDbCache(base())
    expect(restored.stale).toBe(true)
    expect(
      await saveDbCache({
        ...base(),
        ...(restored.restoredKey ? { restoredKey: restored.restoredKey } : {}),
      }),
    ).toEqual({
      saved: true,
      key: 'csg-trivy-db-linux-x64-2026-05-02',
    })
    const fresh = await restoreDbCache(base())
    expect(fresh).toEqual({ restoredKey: 'csg-trivy-db-linux-x64-2026-05-02', stale: false })
    expect(await saveDbCache({ ...base(), restoredKey: 'csg-trivy-db-linux-x64-2026-05-02' })).toEqual({
      saved: false,
      key: 'csg-trivy-db-linux-x64-2026-05-02',
    })
    expect(service.saves).toEqual(['csg-trivy-db-linux-x64-2026-05-02'])
  })

  it('does not save an empty or missing database directory', async () => {
    expect(await saveDbCache({ ...base(), dir: join(dir, 'missing') })).toMatchObject({ saved: false })
    expect(service.saves).toEqual([])
  })
})
