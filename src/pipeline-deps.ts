/**
 * The production dependencies of the pipeline: real processes, the tool cache, the DB cache. The action
 * and the CLI differ only in the logger and in whether a cache service exists.
 */
import type { Config } from './config/config.js'
import type { DbCacheHooks, PipelineDeps } from './pipeline.js'
import type { Scanner, InstalledTool } from './scanners/scanner.js'
import { actionsCacheService, restoreDbCache, saveDbCache } from './tools/db-cache.js'
import { installTool } from './tools/install.js'
import { currentPlatform } from './tools/platform.js'
import type { Platform } from './tools/tool-spec.js'
import { DEFAULT_VERSIONS, isDownloadableTool } from './tools/versions.js'
import { runCommand } from './util/exec.js'
import type { Logger } from './util/logger.js'

/** Environment variable replacing CISA's KEV catalog URL (a mirror; documented in the README). */
export const KEV_URL_VARIABLE = 'CONTAINER_SECURITY_GATE_KEV_URL'

export function versionFor(scanner: Scanner, config: Config): string {
  const requested = config.versions[scanner.id]
  if (requested !== undefined) return requested
  if (isDownloadableTool(scanner.id)) return DEFAULT_VERSIONS[scanner.id]
  throw new Error(`no default version for ${scanner.id}`)
}

export function installScanner(platform: Platform, logger: Logger, apiBaseUrl?: string) {
  return async (scanner: Scanner, config: Config): Promise<InstalledTool> => {
    if (scanner.tool === undefined) throw new Error(`${scanner.id} has nothing to install`)
    return installTool(scanner.tool, {
      version: versionFor(scanner, config),
      platform,
      tempDir: config.tempDir,
      logger,
      ...(config.toolsMirror !== undefined ? { mirror: config.toolsMirror } : {}),
      ...(config.token !== undefined ? { token: config.token } : {}),
      ...(apiBaseUrl !== undefined ? { apiBaseUrl } : {}),
    })
  }
}

function actionsDbCache(platform: Platform, logger: Logger, now: () => Date): DbCacheHooks {
  return {
    restore: async (scanner, dir) =>
      (await restoreDbCache({ scanner, dir, date: now(), platform, logger })).restoredKey,
    save: async (scanner, dir, restoredKey) => {
      await saveDbCache({
        scanner,
        dir,
        date: now(),
        platform,
        logger,
        ...(restoredKey ? { restoredKey } : {}),
      })
    },
  }
}

export function productionDeps(options: {
  logger: Logger
  env: Readonly<Record<string, string | undefined>>
  /** The workflow's cache service (the action); the CLI has none. */
  dbCache: boolean
}): PipelineDeps {
  const platform = currentPlatform()
  const now = (): Date => new Date()
  const apiUrl = options.env['GITHUB_API_URL']?.trim()
  const deps: PipelineDeps = {
    run: runCommand,
    logger: options.logger,
    env: options.env,
    platform,
    now,
    install: installScanner(platform, options.logger, apiUrl || undefined),
  }
  if (options.dbCache) {
    deps.dbCache = actionsDbCache(platform, options.logger, now)
    deps.dataCache = actionsCacheService
  }
  // A mirror of CISA's catalog (and the tests' loopback server); read here, never at import.
  const kevUrl = options.env[KEV_URL_VARIABLE]?.trim()
  if (kevUrl) deps.kevCatalogUrl = kevUrl
  return deps
}
