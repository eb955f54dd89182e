/**
 * Grype: OS and language package vulnerabilities. How it is published, the argument vector for each
 * image form, the scan with its DB-cache fallback, and the report reader (in grype-report.ts).
 */
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../findings/finding.js'
import { imageSourceIn } from '../target/image-forms.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ReleaseAsset, ToolSpec } from '../tools/tool-spec.js'
import { runWithCachedDbFallback } from './db-fallback.js'
import { parseGrypeReport } from './grype-report.js'
import type { ScanContext, Scanner } from './scanner.js'

export { parseGrypeReport } from './grype-report.js'

/** Asset name parts from grype's goreleaser (`grype_{V}_{os}_{arch}`; zip for Windows). */
const GRYPE_ASSETS: Record<Platform, { suffix: string; format: 'tar.gz' | 'zip'; executable: string }> = {
  'linux-x64': { suffix: 'linux_amd64', format: 'tar.gz', executable: 'grype' },
  'linux-arm64': { suffix: 'linux_arm64', format: 'tar.gz', executable: 'grype' },
  'darwin-x64': { suffix: 'darwin_amd64', format: 'tar.gz', executable: 'grype' },
  'darwin-arm64': { suffix: 'darwin_arm64', format: 'tar.gz', executable: 'grype' },
  'win32-x64': { suffix: 'windows_amd64', format: 'zip', executable: 'grype.exe' },
}

/** `v0.87.0` and `0.87.0` name the same release. */
function bareVersion(version: string): string {
  return version.trim().replace(/^v/i, '')
}

export const grypeTool: ToolSpec = {
  name: 'grype',
  repository: 'anchore/grype',
  tag: (version) => `v${bareVersion(version)}`,
  asset(version, platform): ReleaseAsset | undefined {
    const a = GRYPE_ASSETS[platform] as (typeof GRYPE_ASSETS)[Platform] | undefined
    if (!a) return undefined
    return {
      name: `grype_${bareVersion(version)}_${a.suffix}.${a.format}`,
      format: a.format,
      executable: a.executable,
    }
  },
  checksums: (version) => ({ kind: 'checksums-file', name: `grype_${bareVersion(version)}_checksums.txt` }),
}

/**
 * The source argument in grype's scheme syntax. A saved archive (a `daemon` source's exported tar
 * included) is read from disk; only a daemon image without an archive is read from Docker.
 */
export function grypeSourceArg(source: ImageSource): string {
  switch (source.kind) {
    case 'docker-archive':
      return `docker-archive:${source.path}`
    case 'oci-dir':
      return `oci-dir:${source.path}`
    case 'oci-archive':
      return `oci-archive:${source.path}`
    case 'daemon':
      return source.path.trim() !== ''
        ? `docker-archive:${source.path}`
        : `docker:${source.reference ?? source.input}`
  }
}

export interface GrypeArgsOptions {
  source: ImageSource
  /** Absolute path of the JSON report grype writes. */
  reportFile: string
}

/** The argument vector of a grype scan. Pure. No `--fail-on`: exit 0 is a completed scan, 1 an error. */
export function grypeArgs(options: GrypeArgsOptions): string[] {
  return [grypeSourceArg(options.source), '-o', 'json', '--file', options.reportFile]
}

/** The environment of a grype scan: its DB cache, and no update check of grype itself. */
export function grypeEnv(options: { cacheDir: string; useCachedDbOnly?: boolean }): Record<string, string> {
  return {
    GRYPE_DB_CACHE_DIR: options.cacheDir,
    GRYPE_CHECK_FOR_APP_UPDATE: 'false',
    // The fallback: the cached DB as it is, even past grype's maximum age (5 days by default).
    ...(options.useCachedDbOnly ? { GRYPE_DB_AUTO_UPDATE: 'false', GRYPE_DB_VALIDATE_AGE: 'false' } : {}),
  }
}

/** Recognises grype's messages for a failed DB update or a DB too old to use. */
export function isGrypeDbDownloadFailure(output: string): boolean {
  return [
    /unable to update vulnerability database/i,
    /error updating db/i,
    /unable to (download|check for) .*(listing|vulnerability database update)/i,
    /check for vulnerability database update failed/i,
    /failed to load vulnerability db/i,
    /vulnerability database was built .* ago \(max allowed age/i,
    /TOOMANYREQUESTS|429 Too Many Requests/i,
  ].some((re) => re.test(output))
}

export interface GrypeDbOptions {
  /** Where the DB lives; the pipeline restores/saves it with @actions/cache. Default: see `grypeCacheDir`. */
  cacheDir?: string
  /** Whether a DB from an earlier run was restored; when undefined, the cache directory is looked at. */
  cachedDbAvailable?: boolean
}

/** The pipeline's DB directory, else `GRYPE_DB_CACHE_DIR` from the environment, else `grype-db` in the work dir. */
export function grypeCacheDir(ctx: Pick<ScanContext, 'env' | 'workDir' | 'dbDir'>): string {
  if (ctx.dbDir !== undefined) return ctx.dbDir
  const fromEnv = ctx.env['GRYPE_DB_CACHE_DIR']
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : join(ctx.workDir, 'grype-db')
}

/**
 * Scans `ctx.source` with grype and reads its report. When the DB update fails and a cached DB is
 * available, scans again with auto-update and the age check off, and logs a warning.
 */
export async function scanGrypeWithDb(ctx: ScanContext, db: GrypeDbOptions = {}): Promise<Finding[]> {
  await mkdir(ctx.workDir, { recursive: true })
  const cacheDir = db.cacheDir ?? grypeCacheDir(ctx)
  await mkdir(cacheDir, { recursive: true })
  const cachedDbAvailable = db.cachedDbAvailable ?? (await hasCachedGrypeDb(cacheDir))
  const reportFile = join(ctx.workDir, 'grype-report.json')
  // A layout holding several images (one platform picked from it) is written once holding that one alone.
  const source =
    ctx.source.selectedImage !== undefined &&
    (ctx.source.kind === 'oci-dir' || ctx.source.kind === 'oci-archive')
      ? await imageSourceIn(ctx, ['oci-dir'])
      : ctx.source
  const args = grypeArgs({ source, reportFile })
  const output = await runWithCachedDbFallback(ctx, {
    scannerId: 'grype',
    first: { args, reportFile, env: grypeEnv({ cacheDir }) },
    fallback: { args, reportFile, env: grypeEnv({ cacheDir, useCachedDbOnly: true }) },
    cachedDbAvailable,
    isDbDownloadFailure: isGrypeDbDownloadFailure,
  })
  return parseGrypeReport(output.report ?? '', { target: ctx.target, origin: `grype scan of ${ctx.target}` })
}

export const grypeScanner: Scanner = {
  id: 'grype',
  name: 'Grype',
  tool: grypeTool,
  db: { envVar: 'GRYPE_DB_CACHE_DIR', cachedSubdirs: ['.'] },
  scan: (ctx) => scanGrypeWithDb(ctx),
}

/** Grype keeps its DB as `<cache>/<schema>/vulnerability.db` (`5/`, `6/`). */
async function hasCachedGrypeDb(cacheDir: string): Promise<boolean> {
  const entries = await readdir(cacheDir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const files = await readdir(join(cacheDir, entry.name)).catch(() => [] as string[])
    if (files.includes('vulnerability.db')) return true
  }
  return false
}
