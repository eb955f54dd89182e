/**
 * The scanner interface: every scanner is one file under `scanners/` that implements it, registered in
 * `registry.ts`. A scanner knows how it is installed, whether it can run here, how to run it against an
 * image, where it keeps its vulnerability DB and what is special about its findings. Report parsers for
 * `reports:` imports are listed in `report-formats.ts`. The README's "Adding a scanner" lists every step.
 */
import type { DockerfileModel } from '../findings/dockerfile.js'
import type { Finding } from '../findings/finding.js'
import type { OpenedImage, ImageSource } from '../target/image-types.js'
import type { ToolSpec, Platform } from '../tools/tool-spec.js'
import type { CommandRunner } from '../util/exec.js'
import type { Logger } from '../util/logger.js'

export const SCANNER_IDS = [
  'builtin',
  'trivy',
  'grype',
  'osv-scanner',
  'dockle',
  'hadolint',
  'snyk',
  'docker-bench',
  'cinc-auditor',
  'cosign',
] as const
export type ScannerId = (typeof SCANNER_IDS)[number]

/** Report formats `reports:` / `--report` accept: scanner ids with a parser, plus formats without a scanner. */
export const REPORT_FORMATS = [
  'trivy',
  'grype',
  'osv-scanner',
  'dockle',
  'hadolint',
  'snyk',
  'docker-bench',
  'cinc-auditor',
  'sarif',
  'defender',
  // Our own findings-file from matrix legs (the collect step; see stages/collect.ts).
  'findings',
] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** The scanners that download a vulnerability DB the pipeline caches across runs; each sets `db`. */
export const DB_SCANNERS = ['trivy', 'grype'] as const satisfies readonly ScannerId[]
export type DbScanner = (typeof DB_SCANNERS)[number]

export function isDbScanner(id: ScannerId): id is DbScanner {
  return (DB_SCANNERS as readonly ScannerId[]).includes(id)
}

export function isScannerId(value: string): value is ScannerId {
  return (SCANNER_IDS as readonly string[]).includes(value)
}

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value)
}

/** An installed scanner executable. */
export interface InstalledTool {
  /** Absolute path of the executable. */
  path: string
  /** The concrete version (never `latest`). */
  version: string
}

/** Context a report parser gets. Parsers are pure: they only read `text` and this. */
export interface ParseContext {
  /** The image the report is about, as the user named it; parsers fall back to the report's own name. */
  target?: string
  /** Where the report came from, for error messages (a file path or `trivy run`). */
  origin: string
}

/** Scanner-specific options from the inputs (only the ones a scanner reads are set). */
export interface ScannerOptions {
  cosignKey?: string
  cosignCertificateIdentity?: string
  cosignCertificateOidcIssuer?: string
  cosignSeverity?: string
  dockerBenchChecks?: string
  inspecProfile?: string
  trivyDbRepositories?: string[]
}

export interface ScanContext {
  /** The image as the user named it. */
  target: string
  source: ImageSource
  /** The opened image (its metadata always; its layers for scanners that read them natively). */
  image: OpenedImage
  /** Absolute path of the Dockerfile, when known. */
  dockerfile?: string
  /** The Dockerfile parsed once by the pipeline, when known, for scanners that read it natively. */
  dockerfileModel?: DockerfileModel
  /** A directory of this scan's own under RUNNER_TEMP for reports and scratch files. */
  workDir: string
  timeoutMs: number
  logger: Logger
  /** The installed executable; undefined for `builtin`. */
  tool?: InstalledTool
  run: CommandRunner
  /** The environment scanners may read (tokens, proxies), passed in rather than read globally. */
  env: Readonly<Record<string, string | undefined>>
  options: ScannerOptions
  /**
   * For a scanner with `db`: the DB directory the pipeline prepared for it (the user's `db.envVar` when
   * set), shared by the scans of every image and restored from the cache. Undefined otherwise.
   */
  dbDir?: string
}

/** Where a scanner keeps its vulnerability DB, so the pipeline can give it one directory and cache it. */
export interface ScannerDbLocation {
  /** The variable that names the DB directory (`TRIVY_CACHE_DIR`); a directory the user set is used. */
  envVar: string
  /** The parts of the directory worth caching across runs, in one cache entry (`.` for all of it). */
  cachedSubdirs: readonly string[]
}

/** What a scanner may check to decide whether it can run here. */
export interface UnavailabilityContext {
  env: Readonly<Record<string, string | undefined>>
  platform: Platform
  dockerAvailable: boolean
  /** Absolute path of the Dockerfile, when known. */
  dockerfile?: string
}

export interface Scanner {
  readonly id: ScannerId
  /** Display name: `Trivy`, `Grype`, `Built-in checks`. */
  readonly name: string
  /** How to install it; undefined when nothing is downloaded. */
  readonly tool?: ToolSpec
  /** Its vulnerability DB, for a scanner in `DB_SCANNERS`. */
  readonly db?: ScannerDbLocation
  /**
   * True for a linter whose findings name the Dockerfile as the scanner was given it: the pipeline points
   * them at the Dockerfile's workspace-relative path, for scans and imported reports alike.
   */
  readonly locatesInDockerfile?: boolean
  /** Checks its own options (`ScannerOptions`) when selected: a `ConfigurationError`, before any download. */
  validateOptions?(options: ScannerOptions): void
  /** Why it cannot run in this environment (no daemon, no token, unsupported platform), or undefined. */
  unavailableReason?(ctx: UnavailabilityContext): string | undefined
  /** Runs against the image and returns its findings. Throws `ScannerError` when the scan fails. */
  scan(ctx: ScanContext): Promise<Finding[]>
}
