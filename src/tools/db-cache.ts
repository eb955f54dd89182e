/**
 * Caches a scanner's vulnerability database across workflow runs with `@actions/cache`, under one key
 * per day (`csg-trivy-db-linux-x64-2026-05-01`). Restore asks for today's key and falls back to the
 * newest older one (a stale database beats none when the fresh download fails). Where no cache service
 * exists (the CLI, local runs) everything is skipped quietly; a cache service error is a warning, never
 * a failure.
 */
import { readdir } from 'node:fs/promises'
import * as actionsCache from '@actions/cache'
import type { DbScanner } from '../scanners/scanner.js'
import type { Logger } from '../util/logger.js'
import { failureReason } from './download.js'
import type { Platform } from './tool-spec.js'

export type { DbScanner } from '../scanners/scanner.js'

/** The slice of `@actions/cache` used here, injectable for tests. */
export interface DbCacheService {
  isFeatureAvailable(): boolean
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>
  saveCache(paths: string[], key: string): Promise<number>
}

export const actionsCacheService: DbCacheService = {
  isFeatureAvailable: () => actionsCache.isFeatureAvailable(),
  restoreCache: (paths, primaryKey, restoreKeys) => actionsCache.restoreCache(paths, primaryKey, restoreKeys),
  saveCache: (paths, key) => actionsCache.saveCache(paths, key),
}

export interface DbCacheOptions {
  scanner: DbScanner
  /** The database directory, or directories cached together (restored into, saved from). */
  dir: string | readonly string[]
  /** The day the key is for (UTC). */
  date: Date
  platform: Platform
  logger: Logger
  cache?: DbCacheService
}

export interface DbRestoreResult {
  /** The key that was restored, if any. */
  restoredKey?: string
  /** True when what was restored is from an earlier day than `date`. */
  stale: boolean
}

export function dbCacheKeyPrefix(scanner: DbScanner, platform: Platform): string {
  return `csg-${scanner}-db-${platform}-`
}

/** `csg-<scanner>-db-<platform>-YYYY-MM-DD`, the date in UTC. */
export function dbCacheKey(scanner: DbScanner, platform: Platform, date: Date): string {
  return `${dbCacheKeyPrefix(scanner, platform)}${date.toISOString().slice(0, 10)}`
}

function serviceAvailable(service: DbCacheService, options: DbCacheOptions, action: string): boolean {
  let available = false
  try {
    available = service.isFeatureAvailable()
  } catch (error) {
    options.logger.debug(`${options.scanner} database cache: ${failureReason(error)}`)
  }
  if (!available) {
    options.logger.debug(`${options.scanner} database cache: no cache service here; ${action} skipped`)
  }
  return available
}

export async function restoreDbCache(options: DbCacheOptions): Promise<DbRestoreResult> {
  const service = options.cache ?? actionsCacheService
  if (!serviceAvailable(service, options, 'restore')) return { stale: false }
  const key = dbCacheKey(options.scanner, options.platform, options.date)
  const prefix = dbCacheKeyPrefix(options.scanner, options.platform)
  let restoredKey: string | undefined
  try {
    restoredKey = await service.restoreCache(pathsOf(options), key, [prefix])
  } catch (error) {
    options.logger.warning(`${options.scanner} database cache: restore failed: ${failureReason(error)}`)
    return { stale: false }
  }
  if (restoredKey === undefined) {
    options.logger.info(`${options.scanner} database cache: nothing cached yet`)
    return { stale: false }
  }
  const stale = restoredKey !== key
  options.logger.info(
    `${options.scanner} database cache: restored ${restoredKey}${stale ? ` (stale; today's key is ${key})` : ''}`,
  )
  return { restoredKey, stale }
}

function pathsOf(options: Pick<DbCacheOptions, 'dir'>): string[] {
  return typeof options.dir === 'string' ? [options.dir] : [...options.dir]
}

async function anyHasContent(dirs: readonly string[]): Promise<boolean> {
  for (const dir of dirs) if (await hasContent(dir)) return true
  return false
}

async function hasContent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0
  } catch {
    return false
  }
}

/**
 * Saves the database under today's key unless that key was just restored (cache keys are immutable;
 * saving an existing key only produces a service error).
 */
export async function saveDbCache(
  options: DbCacheOptions & { restoredKey?: string },
): Promise<{ saved: boolean; key: string }> {
  const service = options.cache ?? actionsCacheService
  const key = dbCacheKey(options.scanner, options.platform, options.date)
  if (!serviceAvailable(service, options, 'save')) return { saved: false, key }
  if (options.restoredKey === key) {
    options.logger.debug(`${options.scanner} database cache: ${key} already exists; not saved again`)
    return { saved: false, key }
  }
  if (!(await anyHasContent(pathsOf(options)))) {
    options.logger.debug(
      `${options.scanner} database cache: ${pathsOf(options).join(', ')} empty; nothing to save`,
    )
    return { saved: false, key }
  }
  try {
    const id = await service.saveCache(pathsOf(options), key)
    if (id === -1) {
      // @actions/cache has already logged why (often: another job is saving the same key).
      options.logger.info(`${options.scanner} database cache: ${key} was not saved`)
      return { saved: false, key }
    }
  } catch (error) {
    options.logger.warning(`${options.scanner} database cache: saving ${key} failed: ${failureReason(error)}`)
    return { saved: false, key }
  }
  options.logger.info(`${options.scanner} database cache: saved ${key}`)
  return { saved: true, key }
}
