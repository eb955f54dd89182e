/**
 * Gets CISA's KEV catalog for a run: the kev-file when given, else a download from CISA's published
 * URL, cached across workflow runs with @actions/cache under one key per day (`csg-kev-catalog-YYYY-MM-DD`)
 * as the scanners' databases are (tools/db-cache.ts). Today's cached copy saves the download; when the
 * download fails (or returns something that is not the catalog) an older cached copy is used with a
 * warning; with none, the run goes on with a warning and the status says KEV data is unavailable.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { KevSource } from '../config/exploit-config.js'
import type { KevStatus } from '../findings/exploit-data.js'
import { KEV_CATALOG_URL, parseKevCatalog, type KevCatalog } from '../policy/kev.js'
import type { DbCacheService } from '../tools/db-cache.js'
import { downloadText, failureReason } from '../tools/download.js'
import type { Logger } from '../util/logger.js'

/** The catalog is about 1.5 MB (2026); a response far larger than that is not the catalog. */
export const MAX_KEV_CATALOG_BYTES = 32 * 1024 * 1024
const CACHE_PREFIX = 'csg-kev-catalog-'
const FILE_NAME = 'known_exploited_vulnerabilities.json'

export interface KevLoadOptions {
  source: KevSource | undefined
  /** Where the downloaded catalog is kept (and cached from). */
  tempDir: string
  logger: Logger
  now: () => Date
  /** CISA's URL unless overridden (a mirror, or a loopback server in tests). */
  url?: string
  /** The workflow's cache service (the action); absent in the CLI. */
  cache?: DbCacheService
  /** Transfer tuning (tests shorten the retry pause). */
  retries?: number
  retryDelayMs?: number
}

export interface KevLoad {
  catalog?: KevCatalog
  status: KevStatus
}

export function kevCacheKey(date: Date): string {
  return `${CACHE_PREFIX}${date.toISOString().slice(0, 10)}`
}

export async function loadKevCatalog(options: KevLoadOptions): Promise<KevLoad> {
  const source = options.source ?? { kind: 'not-requested' }
  switch (source.kind) {
    case 'off':
      return { status: { state: 'off' } }
    case 'not-requested':
      return { status: { state: 'not-requested' } }
    case 'file':
      return { catalog: source.catalog, status: loadedStatus(source.catalog, 'kev-file', source.path) }
    case 'download':
      return download(options)
  }
}

function loadedStatus(catalog: KevCatalog, source: KevStatus['source'], origin: string): KevStatus {
  return {
    state: 'loaded',
    source,
    origin,
    catalogVersion: catalog.catalogVersion,
    dateReleased: catalog.dateReleased,
    count: catalog.count,
  }
}

async function download(options: KevLoadOptions): Promise<KevLoad> {
  const url = options.url ?? KEV_CATALOG_URL
  const dir = join(options.tempDir, 'kev-catalog')
  const file = join(dir, FILE_NAME)
  await mkdir(dir, { recursive: true })
  const key = kevCacheKey(options.now())
  const restoredKey = await restore(options, dir, key)
  let cached: KevCatalog | undefined
  if (restoredKey !== undefined) {
    try {
      cached = parseKevCatalog(await readFile(file, 'utf8'))
    } catch (error) {
      options.logger.warning(
        `KEV catalog: the cached copy (${restoredKey}) is unreadable: ${failureReason(error)}`,
      )
    }
  }
  if (cached !== undefined && restoredKey === key) {
    options.logger.info(`KEV catalog: using today's cached copy (${key})`)
    return { catalog: cached, status: loadedStatus(cached, 'cache', url) }
  }
  let reason = ''
  try {
    const text = await downloadText(url, {
      tool: 'KEV catalog',
      // Retries are logged as info: the outcome gets one warning below, not one per attempt.
      logger: quietRetries(options.logger),
      maxBytes: MAX_KEV_CATALOG_BYTES,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 1000,
    })
    let catalog: KevCatalog | undefined
    try {
      catalog = parseKevCatalog(text)
    } catch (error) {
      reason = `${url} did not return CISA's KEV catalog: ${failureReason(error)}`
    }
    if (catalog !== undefined) {
      options.logger.info(
        `KEV catalog: downloaded ${catalog.catalogVersion} (${catalog.count} entries) from ${url}`,
      )
      await keep(options, { dir, file, key, text })
      return { catalog, status: loadedStatus(catalog, 'download', url) }
    }
  } catch (error) {
    reason = failureReason(error).replace(/^KEV catalog: /, '')
  }
  if (cached !== undefined) {
    options.logger.warning(
      `KEV catalog: ${reason}; using the cached catalog ${cached.catalogVersion} (${restoredKey ?? ''}), which may miss the newest entries`,
    )
    return {
      catalog: cached,
      status: { ...loadedStatus(cached, 'cache', url), state: 'stale', reason },
    }
  }
  options.logger.warning(
    `KEV catalog: ${reason}; no cached copy either: findings are not marked known-exploited`,
  )
  return { status: { state: 'unavailable', origin: url, reason } }
}

function quietRetries(logger: Logger): Logger {
  return {
    debug: (message) => logger.debug(message),
    info: (message) => logger.info(message),
    warning: (message) => logger.info(message),
    error: (message) => logger.error(message),
  }
}

function cacheAvailable(cache: DbCacheService | undefined, logger: Logger): cache is DbCacheService {
  if (cache === undefined) return false
  try {
    return cache.isFeatureAvailable()
  } catch (error) {
    logger.debug(`KEV catalog cache: ${failureReason(error)}`)
    return false
  }
}

async function restore(options: KevLoadOptions, dir: string, key: string): Promise<string | undefined> {
  if (!cacheAvailable(options.cache, options.logger)) return undefined
  try {
    return await options.cache.restoreCache([dir], key, [CACHE_PREFIX])
  } catch (error) {
    options.logger.warning(`KEV catalog cache: restore failed: ${failureReason(error)}`)
    return undefined
  }
}

/** Writes the catalog where the cache saves it from; a failure costs tomorrow's cache, not this run. */
async function keep(
  options: KevLoadOptions,
  where: { dir: string; file: string; key: string; text: string },
): Promise<void> {
  try {
    await writeFile(where.file, where.text)
  } catch (error) {
    options.logger.warning(`KEV catalog: could not keep a copy for the cache: ${failureReason(error)}`)
    return
  }
  await save(options, where.dir, where.key)
}

async function save(options: KevLoadOptions, dir: string, key: string): Promise<void> {
  if (!cacheAvailable(options.cache, options.logger)) return
  try {
    const id = await options.cache.saveCache([dir], key)
    if (id !== -1) options.logger.info(`KEV catalog cache: saved ${key}`)
  } catch (error) {
    options.logger.warning(`KEV catalog cache: saving ${key} failed: ${failureReason(error)}`)
  }
}
