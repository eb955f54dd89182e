/**
 * Trivy: OS and language package vulnerabilities, secrets, and misconfigurations of the image config.
 * How it is published, the argument vector for each image form, the scan with its DB-cache fallback,
 * and the report reader (in trivy-report.ts).
 */
import { access, mkdir, rm, symlink } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Finding } from '../findings/finding.js'
import { ScannerError, errorMessage } from '../util/errors.js'
import { imageSourceIn } from '../target/image-forms.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ReleaseAsset, ToolSpec } from '../tools/tool-spec.js'
import { runWithCachedDbFallback } from './db-fallback.js'
import type { ScanContext, Scanner } from './scanner.js'
import { parseTrivyReport } from './trivy-report.js'

export { parseTrivyReport } from './trivy-report.js'

/** The order: Google's mirror first (no GHCR rate limit), then GHCR. */
export const TRIVY_DEFAULT_DB_REPOSITORIES: readonly string[] = [
  'mirror.gcr.io/aquasec/trivy-db:2',
  'ghcr.io/aquasecurity/trivy-db:2',
]
export const TRIVY_DEFAULT_JAVA_DB_REPOSITORIES: readonly string[] = [
  'mirror.gcr.io/aquasec/trivy-java-db:1',
  'ghcr.io/aquasecurity/trivy-java-db:1',
]

/** Trivy's own timeout is set this much past ours, so our kill (with its clear message) comes first. */
const TRIVY_TIMEOUT_MARGIN_S = 60

/** Asset name parts from trivy's goreleaser `archives.name_template` (`{{.Os}}-{{.Arch}}` with replacements). */
const TRIVY_ASSETS: Record<Platform, { suffix: string; format: 'tar.gz' | 'zip'; executable: string }> = {
  'linux-x64': { suffix: 'Linux-64bit', format: 'tar.gz', executable: 'trivy' },
  'linux-arm64': { suffix: 'Linux-ARM64', format: 'tar.gz', executable: 'trivy' },
  'darwin-x64': { suffix: 'macOS-64bit', format: 'tar.gz', executable: 'trivy' },
  'darwin-arm64': { suffix: 'macOS-ARM64', format: 'tar.gz', executable: 'trivy' },
  'win32-x64': { suffix: 'windows-64bit', format: 'zip', executable: 'trivy.exe' },
}

/** `v0.58.1` and `0.58.1` name the same release. */
export function bareVersion(version: string): string {
  return version.trim().replace(/^v/i, '')
}

export const trivyTool: ToolSpec = {
  name: 'trivy',
  repository: 'aquasecurity/trivy',
  tag: (version) => `v${bareVersion(version)}`,
  asset(version, platform): ReleaseAsset | undefined {
    const a = TRIVY_ASSETS[platform] as (typeof TRIVY_ASSETS)[Platform] | undefined
    if (!a) return undefined
    return {
      name: `trivy_${bareVersion(version)}_${a.suffix}.${a.format}`,
      format: a.format,
      executable: a.executable,
    }
  },
  checksums: (version) => ({ kind: 'checksums-file', name: `trivy_${bareVersion(version)}_checksums.txt` }),
}

export interface TrivyArgsOptions {
  source: ImageSource
  /** Absolute path of the JSON report Trivy writes. */
  reportFile: string
  /** Trivy's cache directory (vulnerability DB, Java DB, layer cache). */
  cacheDir: string
  /** Vulnerability DB repositories in order of preference (default: mirror.gcr.io, then ghcr.io). */
  dbRepositories?: readonly string[]
  javaDbRepositories?: readonly string[]
  /** Our scan timeout; Trivy's own (5 minutes by default) is set a minute past it. */
  timeoutMs?: number
  /** Use the vulnerability DB in the cache as it is (the fallback after a failed download). */
  skipDbUpdate?: boolean
  /**
   * Use the Java DB in the cache as it is. Only when one is there: Trivy refuses the flag on a run without
   * a Java DB ("'--skip-java-db-update' cannot be specified on the first run", pkg/javadb/client.go).
   */
  skipJavaDbUpdate?: boolean
  /** The path to give `--input` instead of `source.path` (see `trivyInputLink`). */
  inputPath?: string
}

/**
 * The argument vector of `trivy image`. Pure. A saved archive (a `daemon` source's exported tar
 * included) is read with `--input`, which takes docker-archive tars and OCI layout directories (not OCI
 * archive tars: see `TRIVY_INPUT_FORMS`); only a daemon image that has no archive is named by reference.
 */
export function trivyArgs(options: TrivyArgsOptions): string[] {
  const dbRepositories = nonEmpty(options.dbRepositories) ?? TRIVY_DEFAULT_DB_REPOSITORIES
  const javaDbRepositories = nonEmpty(options.javaDbRepositories) ?? TRIVY_DEFAULT_JAVA_DB_REPOSITORIES
  const args = [
    'image',
    '--format',
    'json',
    '--output',
    options.reportFile,
    // Our policy decides pass/fail; Trivy's own switch stays off.
    '--exit-code',
    '0',
    '--scanners',
    'vuln,secret',
    // The image config (ENV, history, USER, HEALTHCHECK) is checked too: Dockerfile checks and secrets.
    '--image-config-scanners',
    'misconfig,secret',
    '--cache-dir',
    options.cacheDir,
    '--db-repository',
    dbRepositories.join(','),
    '--java-db-repository',
    javaDbRepositories.join(','),
    // No progress bars; log lines (and the FATAL reason) stay on stderr for our error message.
    '--no-progress',
  ]
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
    args.push('--timeout', `${Math.ceil(options.timeoutMs / 1000) + TRIVY_TIMEOUT_MARGIN_S}s`)
  }
  if (options.skipDbUpdate) args.push('--skip-db-update')
  if (options.skipJavaDbUpdate) args.push('--skip-java-db-update')
  const source = options.source
  if (source.kind === 'daemon' && source.path.trim() === '') {
    // Only the local engines: falling back to a registry would scan another image of the same name.
    args.push('--image-src', 'docker,containerd,podman', source.reference ?? source.input)
  } else if (source.kind === 'oci-archive') {
    throw new ScannerError(
      'trivy',
      `Trivy cannot read an OCI archive (${source.input}) with --input; it needs the OCI layout directory`,
    )
  } else {
    args.push('--input', options.inputPath ?? source.path)
  }
  return args
}

/**
 * The forms `trivy image --input` reads, the one written for an OCI archive first. Trivy 0.70 tries a
 * docker-archive (go-containerregistry `tarball.Image`, which needs `manifest.json`: pkg/fanal/image/
 * docker.go), then an OCI layout *directory* (`layout.FromPath`, which reads `<path>/index.json`:
 * pkg/fanal/image/oci.go, archive.go). An OCI archive tar is neither, so it is unpacked once to a layout.
 */
export const TRIVY_INPUT_FORMS = ['oci-dir', 'docker-archive'] as const

/**
 * Trivy cuts an OCI path at `@`, else at `:`, to read a tag from it (pkg/fanal/image/oci.go `tryOCI`).
 * For such a directory this returns the relative path of a link to create under the scan directory (run
 * with that directory as cwd); otherwise undefined.
 */
export function trivyInputLink(source: ImageSource): string | undefined {
  if (source.kind !== 'oci-dir') return undefined
  return /[:@]/.test(source.path) ? join('trivy-input', 'image') : undefined
}

/** Recognises Trivy's messages for a failed vulnerability or Java DB download (incl. registry rate limits). */
export function isTrivyDbDownloadFailure(output: string): boolean {
  return [
    /failed to download (the )?(vulnerability|java) DB/i,
    /\bDB error\b/i,
    /java DB update (failed|error)/i,
    /unable to initialize the java DB/i,
    /failed to download artifact from any source/i,
    /TOOMANYREQUESTS/,
  ].some((re) => re.test(output))
}

export interface TrivyDbOptions {
  /** Where the DBs live; the pipeline restores/saves it with @actions/cache. Default: see `trivyCacheDir`. */
  cacheDir?: string
  /**
   * Whether a DB from an earlier run was restored into `cacheDir`. When undefined, the cache directory is
   * looked at (`db/metadata.json`) before the scan.
   */
  cachedDbAvailable?: boolean
  javaDbRepositories?: readonly string[]
}

/** The pipeline's DB directory, else `TRIVY_CACHE_DIR` from the environment, else `trivy-cache` in the work dir. */
export function trivyCacheDir(ctx: Pick<ScanContext, 'env' | 'workDir' | 'dbDir'>): string {
  if (ctx.dbDir !== undefined) return ctx.dbDir
  const fromEnv = ctx.env['TRIVY_CACHE_DIR']
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : join(ctx.workDir, 'trivy-cache')
}

/**
 * Scans `ctx.source` with Trivy and reads its report. When the DB download fails and a cached DB is
 * available, scans again with `--skip-db-update` (and `--skip-java-db-update` when a Java DB is cached
 * too) and logs a warning.
 */
export async function scanTrivyWithDb(ctx: ScanContext, db: TrivyDbOptions = {}): Promise<Finding[]> {
  await mkdir(ctx.workDir, { recursive: true })
  const cacheDir = db.cacheDir ?? trivyCacheDir(ctx)
  await mkdir(cacheDir, { recursive: true })
  const cachedDbAvailable = db.cachedDbAvailable ?? (await exists(join(cacheDir, 'db', 'metadata.json')))
  // pkg/javadb/client.go at v0.70.0 keeps the Java DB in <cache>/java-db with its metadata.json.
  const cachedJavaDbAvailable = await exists(join(cacheDir, 'java-db', 'metadata.json'))
  const reportFile = join(ctx.workDir, 'trivy-report.json')
  // A layout holding several images (one platform picked from it) is written once holding that one alone:
  // Trivy would scan the first image it lists (pkg/fanal/image/oci.go getOCIImage).
  const needsCopy =
    ctx.source.kind === 'oci-archive' ||
    (ctx.source.kind === 'oci-dir' && ctx.source.selectedImage !== undefined)
  const source = needsCopy ? await imageSourceIn(ctx, TRIVY_INPUT_FORMS) : ctx.source
  const inputPath = await linkInput(source, ctx.workDir)
  const base: TrivyArgsOptions = {
    source,
    reportFile,
    cacheDir,
    timeoutMs: ctx.timeoutMs,
    ...(ctx.options.trivyDbRepositories ? { dbRepositories: ctx.options.trivyDbRepositories } : {}),
    ...(db.javaDbRepositories ? { javaDbRepositories: db.javaDbRepositories } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
  }
  const invocation = { reportFile, cwd: ctx.workDir, env: { TRIVY_CACHE_DIR: cacheDir } }
  const output = await runWithCachedDbFallback(ctx, {
    scannerId: 'trivy',
    first: { ...invocation, args: trivyArgs(base) },
    fallback: {
      ...invocation,
      args: trivyArgs({ ...base, skipDbUpdate: true, skipJavaDbUpdate: cachedJavaDbAvailable }),
    },
    cachedDbAvailable,
    isDbDownloadFailure: isTrivyDbDownloadFailure,
  })
  return parseTrivyReport(output.report ?? '', { target: ctx.target, origin: `trivy scan of ${ctx.target}` })
}

export const trivyScanner: Scanner = {
  id: 'trivy',
  name: 'Trivy',
  tool: trivyTool,
  // Trivy's cache dir also holds a per-image layer cache (fanal/); the vulnerability DB (db/) and the Java
  // DB (java-db/, pkg/javadb/client.go at v0.70.0) are worth keeping, or the Java DB is downloaded every run.
  db: { envVar: 'TRIVY_CACHE_DIR', cachedSubdirs: ['db', 'java-db'] },
  scan: (ctx) => scanTrivyWithDb(ctx),
}

async function linkInput(source: ImageSource, workDir: string): Promise<string | undefined> {
  const link = trivyInputLink(source)
  if (link === undefined) return undefined
  const linkPath = join(workDir, link)
  await mkdir(join(workDir, 'trivy-input'), { recursive: true })
  await rm(linkPath, { force: true })
  try {
    await symlink(resolve(source.path), linkPath, 'dir')
  } catch (error) {
    throw new ScannerError('trivy', `could not link ${source.path} for Trivy: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  return link
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  const cleaned = list?.map((s) => s.trim()).filter((s) => s !== '')
  return cleaned && cleaned.length > 0 ? cleaned : undefined
}
