/**
 * The tool cache the installer writes into, as an interface so tests (and a failing-disk simulation)
 * can substitute it. The default wraps `@actions/tool-cache`, which reads `RUNNER_TOOL_CACHE` at call
 * time; the CLI must set that variable (and `RUNNER_TEMP`) before installing.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import * as toolCache from '@actions/tool-cache'
import { ConfigurationError } from '../util/errors.js'

export interface ToolCache {
  /** The cached directory of `tool` `version` `arch`, or '' when it is not (completely) cached. */
  find(tool: string, version: string, arch: string): string
  /** Extracts a `.tar.gz` into `dest` (which exists and is empty). */
  extractTar(file: string, dest: string): Promise<void>
  /** Extracts a `.zip` into `dest` (which exists and is empty). */
  extractZip(file: string, dest: string): Promise<void>
  /** Copies a directory into the cache and marks it complete; returns the cached directory. */
  cacheDir(sourceDir: string, tool: string, version: string, arch: string): Promise<string>
  /** Copies one file into the cache as `targetFile`; returns the cached directory. */
  cacheFile(
    sourceFile: string,
    targetFile: string,
    tool: string,
    version: string,
    arch: string,
  ): Promise<string>
}

function toolCacheRoot(): string {
  const root = process.env['RUNNER_TOOL_CACHE']
  if (root === undefined || root === '') {
    throw new ConfigurationError(
      'RUNNER_TOOL_CACHE is not set: it names the directory downloaded scanners are cached in',
    )
  }
  return root
}

/**
 * `@actions/tool-cache` leaves a half-copied directory behind when a copy fails (it is not marked
 * complete, so `find` ignores it, but it takes disk space and confuses people); remove it.
 */
async function removePartialEntry(tool: string, version: string, arch: string): Promise<void> {
  const dir = join(toolCacheRoot(), tool, version, arch)
  await rm(dir, { recursive: true, force: true })
  await rm(`${dir}.complete`, { force: true })
}

export function createActionsToolCache(): ToolCache {
  return {
    find(tool, version, arch) {
      toolCacheRoot()
      return toolCache.find(tool, version, arch)
    },
    async extractTar(file, dest) {
      await toolCache.extractTar(file, dest)
    },
    async extractZip(file, dest) {
      await toolCache.extractZip(file, dest)
    },
    async cacheDir(sourceDir, tool, version, arch) {
      toolCacheRoot()
      try {
        return await toolCache.cacheDir(sourceDir, tool, version, arch)
      } catch (error) {
        await removePartialEntry(tool, version, arch)
        throw error
      }
    },
    async cacheFile(sourceFile, targetFile, tool, version, arch) {
      toolCacheRoot()
      try {
        return await toolCache.cacheFile(sourceFile, targetFile, tool, version, arch)
      } catch (error) {
        await removePartialEntry(tool, version, arch)
        throw error
      }
    },
  }
}
