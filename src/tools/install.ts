/**
 * Installs a scanner from its GitHub release into the tool cache:
 * validate the version → resolve `latest` → tool-cache hit? → download (retries, stall timeout) →
 * expected sha256 (pinned in the action for pinned versions, else the release's checksum file) →
 * verify BEFORE extracting → extract into a staging directory → check the executable → cache it.
 * Nothing reaches the tool cache unless it was verified and extracted completely; the download and
 * the staging directory are always removed.
 */
import { chmod, copyFile, lstat, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { InstalledTool } from '../scanners/scanner.js'
import { ConfigurationError, ScannerError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { DebArchiveError, extractDeb } from './deb-archive.js'
import { expectedContent, verifyDownload, verifyExtractedFiles } from './expected-content.js'
import { downloadToFile, failureReason, isNoSpaceError, type TransferOptions } from './download.js'
import { resolveLatestRelease } from './latest.js'
import { platformArch, platformOs } from './platform.js'
import { LATEST, assetDownloadUrl, releaseBaseUrl, selectAsset, validateVersion } from './release-urls.js'
import { createActionsToolCache, type ToolCache } from './tool-cache.js'
import type { Platform, ReleaseAsset, ToolSpec } from './tool-spec.js'
import type { KnownSha256Lookup } from './versions.js'

export { validateVersion } from './release-urls.js'
export { describeInstallPlan, type InstallPlan } from './install-plan.js'
export type { ToolCache } from './tool-cache.js'

export interface InstallOptions {
  /** A release version (`1.2.3`, `v1.2.3`, `1.2.3-rc.1`) or `latest`. */
  version: string
  platform: Platform
  /**
   * Replaces `https://github.com` in every release download (never in API calls); a download from
   * another host (a tool's `downloadUrl`) is fetched as `<mirror>/<host>/<path>`.
   */
  mirror?: string
  /** Sent to the GitHub API only (resolving `latest`), never to release downloads or a mirror. */
  token?: string
  apiBaseUrl?: string
  /** Downloads and staging directories go under here; all are removed afterwards. */
  tempDir: string
  logger: Logger
  /** Default: `@actions/tool-cache` (needs `RUNNER_TOOL_CACHE`). */
  cache?: ToolCache
  /** Download attempts after the first. Default 3. */
  retries?: number
  /** A response that sends nothing for this long is abandoned. Default 30 s. */
  timeoutMs?: number
  /** First backoff pause between attempts, doubled each time. Default 1000 ms. */
  retryDelayMs?: number
  /** Default: the table in `versions.ts`. */
  knownSha256?: KnownSha256Lookup
}

async function resolveVersion(spec: ToolSpec, version: string, options: InstallOptions): Promise<string> {
  if (version !== LATEST) return version
  if (spec.latestUnsupported !== undefined) {
    throw new ConfigurationError(
      `${spec.name}-version "latest" cannot be resolved: ${spec.latestUnsupported}; pin a version`,
    )
  }
  const latest = await resolveLatestRelease({
    tool: spec.name,
    repository: spec.repository,
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.apiBaseUrl !== undefined ? { apiBaseUrl: options.apiBaseUrl } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  })
  const concrete = validateLatestTag(spec.name, latest.tag, latest.version)
  options.logger.info(`${spec.name}: "latest" is ${concrete} (release ${latest.tag})`)
  return concrete
}

function validateLatestTag(tool: string, tag: string, version: string): string {
  try {
    return validateVersion(tool, version)
  } catch {
    throw new ScannerError(
      tool,
      `${tool}: the latest release is tagged "${tag}", which is not a version this installer understands; pin a version instead`,
    )
  }
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile()
  } catch {
    return false
  }
}

/** A complete tool-cache entry that still holds the executable, or undefined. */
async function findCachedTool(
  cache: ToolCache,
  spec: ToolSpec,
  version: string,
  platform: Platform,
  asset: ReleaseAsset,
  logger: Logger,
): Promise<InstalledTool | undefined> {
  const dir = cache.find(spec.name, version, platformArch(platform))
  if (dir === '') return undefined
  const path = join(dir, asset.executable)
  if (await isRegularFile(path)) {
    logger.info(`${spec.name} ${version}: using the tool cache (${dir})`)
    return { path, version }
  }
  logger.warning(
    `${spec.name} ${version}: the tool cache entry ${dir} has no ${asset.executable}; reinstalling`,
  )
  return undefined
}

function transferOptions(spec: ToolSpec, options: InstallOptions): TransferOptions {
  return {
    tool: spec.name,
    logger: options.logger,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  }
}

async function downloadAsset(
  url: string,
  file: string,
  spec: ToolSpec,
  options: InstallOptions,
): Promise<void> {
  options.logger.info(`${spec.name}: downloading ${url}`)
  await downloadToFile(url, file, transferOptions(spec, options))
}

async function extractAsset(
  file: string,
  stagingDir: string,
  asset: ReleaseAsset,
  spec: ToolSpec,
  cache: ToolCache,
): Promise<void> {
  await mkdir(stagingDir, { recursive: true })
  try {
    if (asset.format === 'tar.gz') await cache.extractTar(file, stagingDir)
    else if (asset.format === 'zip') await cache.extractZip(file, stagingDir)
    else if (asset.format === 'deb')
      await extractDeb(file, stagingDir, { scratchDir: join(stagingDir, '..') })
    else {
      const target = join(stagingDir, asset.executable)
      await mkdir(join(target, '..'), { recursive: true })
      await copyFile(file, target)
    }
  } catch (error) {
    if (isNoSpaceError(error)) {
      throw new ScannerError(
        spec.name,
        `${spec.name}: no space left on device while extracting ${asset.name} into ${stagingDir}; free disk space under the temp directory`,
        { cause: error },
      )
    }
    const reason = error instanceof DebArchiveError ? error.message : failureReason(error)
    throw new ScannerError(
      spec.name,
      `${spec.name}: could not extract ${asset.name} (${asset.format}); the archive is truncated or corrupt: ${reason}`,
      { cause: error },
    )
  }
}

/** The executable inside the staging directory, made executable; a `ScannerError` when absent. */
async function locateExecutable(
  stagingDir: string,
  asset: ReleaseAsset,
  spec: ToolSpec,
  platform: Platform,
): Promise<string> {
  const path = join(stagingDir, asset.executable)
  if (!(await isRegularFile(path))) {
    throw new ScannerError(
      spec.name,
      `${spec.name}: ${asset.name} does not contain the executable ${asset.executable}`,
    )
  }
  if (platformOs(platform) !== 'win32') await chmod(path, 0o755)
  return path
}

async function cacheTool(
  stagingDir: string,
  executable: string,
  asset: ReleaseAsset,
  spec: ToolSpec,
  version: string,
  platform: Platform,
  cache: ToolCache,
): Promise<string> {
  const arch = platformArch(platform)
  try {
    const dir =
      asset.format === 'raw'
        ? await cache.cacheFile(executable, asset.executable, spec.name, version, arch)
        : await cache.cacheDir(stagingDir, spec.name, version, arch)
    const path = join(dir, asset.executable)
    if (platformOs(platform) !== 'win32') await chmod(path, 0o755)
    await stat(path)
    return path
  } catch (error) {
    const reason = isNoSpaceError(error) ? 'no space left on device' : failureReason(error)
    throw new ScannerError(
      spec.name,
      `${spec.name}: could not copy ${version} into the tool cache: ${reason}`,
      {
        cause: error,
      },
    )
  }
}

export async function installTool(spec: ToolSpec, options: InstallOptions): Promise<InstalledTool> {
  const cache = options.cache ?? createActionsToolCache()
  const base = releaseBaseUrl(options.mirror)
  const requested = validateVersion(spec.name, options.version)
  const version = await resolveVersion(spec, requested, options)
  const asset = selectAsset(spec, version, options.platform)
  const cached = await findCachedTool(cache, spec, version, options.platform, asset, options.logger)
  if (cached !== undefined) return cached

  const tag = spec.tag(version)
  const url = assetDownloadUrl(spec, version, tag, asset, base)
  await mkdir(options.tempDir, { recursive: true })
  const workDir = await mkdtemp(join(options.tempDir, `csg-${spec.name}-`))
  try {
    const download = join(workDir, asset.name)
    await downloadAsset(url, download, spec, options)
    const expected = await expectedContent(spec, version, tag, asset, {
      urls: { base, asset: url },
      logger: options.logger,
      transfer: transferOptions(spec, options),
      ...(options.knownSha256 !== undefined ? { knownSha256: options.knownSha256 } : {}),
    })
    if (expected.kind === 'digest') {
      await verifyDownload(download, expected, asset, spec)
      options.logger.info(`${spec.name}: ${asset.name} matches its sha256 (${expected.source})`)
    }
    const stagingDir = join(workDir, 'staging')
    await extractAsset(download, stagingDir, asset, spec, cache)
    if (expected.kind === 'file-list') {
      await verifyExtractedFiles(stagingDir, expected, spec)
      options.logger.info(`${spec.name}: every file of ${asset.name} matches ${expected.source}`)
    }
    const executable = await locateExecutable(stagingDir, asset, spec, options.platform)
    const path = await cacheTool(stagingDir, executable, asset, spec, version, options.platform, cache)
    options.logger.info(`${spec.name} ${version} installed at ${path}`)
    return { path, version }
  } finally {
    await rm(workDir, { recursive: true, force: true }).catch((error: unknown) => {
      options.logger.warning(`${spec.name}: could not remove ${workDir}: ${failureReason(error)}`)
    })
  }
}
