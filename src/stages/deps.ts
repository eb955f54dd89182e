/** What the pipeline stages depend on outside themselves: processes, the tool cache, the clock, caches. */
import type { Config } from '../config/config.js'
import type { DbScanner, InstalledTool, Scanner } from '../scanners/scanner.js'
import type { DbCacheService } from '../tools/db-cache.js'
import type { Platform } from '../tools/tool-spec.js'
import type { CommandRunner } from '../util/exec.js'
import type { Logger } from '../util/logger.js'

export interface PipelineDeps {
  run: CommandRunner
  logger: Logger
  /** The environment scanners may read (tokens, proxies). */
  env: Readonly<Record<string, string | undefined>>
  platform: Platform
  now: () => Date
  /** Installs a scanner's executable (the tool cache in production). */
  install: (scanner: Scanner, config: Config) => Promise<InstalledTool>
  /** Vulnerability DB caching across workflow runs (the action's @actions/cache); absent in the CLI. */
  dbCache?: DbCacheHooks
  /** Cache for downloaded data (the KEV catalog) across workflow runs: the action's @actions/cache. */
  dataCache?: DbCacheService
  /** Where the KEV catalog is downloaded from (default: CISA's URL). */
  kevCatalogUrl?: string
  /** Concurrent scanner runs (one scanner never runs twice at once: its DB directory is shared). */
  concurrency?: number
}

export type { DbScanner } from '../scanners/scanner.js'

export interface DbCacheHooks {
  /** Restores the cached DB into `dirs` (one cache entry); returns the restored key. */
  restore(scanner: DbScanner, dirs: readonly string[]): Promise<string | undefined>
  save(scanner: DbScanner, dirs: readonly string[], restoredKey: string | undefined): Promise<void>
}
