/**
 * The scan pipeline shared by the action and the CLI:
 *   resolve targets → install scanners → scan (concurrent, bounded) → import reports → per image:
 *   merge → attribute → suppress → gate.
 * Everything it touches outside itself (processes, the tool cache, the clock, the environment) comes in
 * through `PipelineDeps`, so tests drive it with replaying scanners and a loopback release host.
 */
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import type { Config } from './config/config.js'
import type { Finding } from './findings/finding.js'
import { attributeFindings } from './findings/attribution.js'
import { parseDockerfile, type DockerfileModel } from './findings/dockerfile.js'
import { mergeFindings } from './findings/merge.js'
import { applyPolicy } from './policy/apply-policy.js'
import { evaluateGate, type GatePolicy } from './policy/gate.js'
import type { GateResult, ImageResult, ScannerRun } from './report/gate-result.js'
import { scannerById } from './scanners/registry.js'
import type { InstalledTool, Scanner, ScanContext, ScannerId } from './scanners/scanner.js'
import { parseReportFile } from './scanners/report-formats.js'
import { resolveImageSource, dockerAvailable } from './target/image.js'
import { openImage } from './target/image-reader.js'
import type { OpenedImage } from './target/image-types.js'
import { repositoryOf, parseReference } from './target/reference.js'
import type { Platform } from './tools/tool-spec.js'
import { isGateError, ScannerError } from './util/errors.js'
import type { CommandRunner } from './util/exec.js'
import type { Logger } from './util/logger.js'
import { TOOL_VERSION } from './version.js'

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
  /** Concurrent scanner runs (one scanner never runs twice at once: its DB directory is shared). */
  concurrency?: number
}

export type DbScanner = 'trivy' | 'grype'

export interface DbCacheHooks {
  /** Restores the cached DB into `dir`; returns the restored key. */
  restore(scanner: DbScanner, dir: string): Promise<string | undefined>
  save(scanner: DbScanner, dir: string, restoredKey: string | undefined): Promise<void>
}

/** Where each DB-downloading scanner keeps its DB, and which part of it is worth caching. */
const DB_LOCATIONS: Record<DbScanner, { envVar: string; cachedSubdir: string }> = {
  // Trivy's cache dir also holds a per-image layer cache; only the vulnerability DB is worth keeping.
  trivy: { envVar: 'TRIVY_CACHE_DIR', cachedSubdir: 'db' },
  grype: { envVar: 'GRYPE_DB_CACHE_DIR', cachedSubdir: '.' },
}

function isDbScanner(id: ScannerId): id is DbScanner {
  return id === 'trivy' || id === 'grype'
}

/** An image that was found and opened, ready for scanners. */
export interface ScanTarget {
  name: string
  image: OpenedImage
  repository: string
}

export async function resolveTargets(config: Config, deps: PipelineDeps): Promise<ScanTarget[]> {
  const targets: ScanTarget[] = []
  try {
    for (const name of config.images) {
      const source = await resolveImageSource(name, {
        cwd: config.workspace,
        tempDir: config.tempDir,
        run: deps.run,
        logger: deps.logger,
      })
      const image = await openImage(source, { tempDir: config.tempDir, logger: deps.logger })
      targets.push({ name, image, repository: repositoryOf(source, image) })
    }
  } catch (error) {
    await closeTargets(targets)
    throw error
  }
  return targets
}

export async function closeTargets(targets: readonly ScanTarget[]): Promise<void> {
  await Promise.all(targets.map((t) => t.image.close().catch(() => undefined)))
}

interface ScanOutcome {
  target: string
  findings: Finding[]
  run: ScannerRun
}

/** Installs every selected scanner once; a failure is kept per scanner, not thrown. */
async function installScanners(
  scanners: readonly Scanner[],
  config: Config,
  deps: PipelineDeps,
): Promise<Map<ScannerId, InstalledTool | ScannerError>> {
  const installed = new Map<ScannerId, InstalledTool | ScannerError>()
  await Promise.all(
    scanners
      .filter((s) => s.tool !== undefined)
      .map(async (scanner) => {
        try {
          installed.set(scanner.id, await deps.install(scanner, config))
        } catch (error) {
          if (!isGateError(error)) throw error
          installed.set(
            scanner.id,
            new ScannerError(scanner.id, `could not install ${scanner.name}: ${error.message}`),
          )
        }
      }),
  )
  return installed
}

async function scanOne(
  scanner: Scanner,
  target: ScanTarget,
  index: number,
  tool: InstalledTool | ScannerError | undefined,
  config: Config,
  deps: PipelineDeps,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ScanOutcome> {
  const base = { scanner: scanner.id, name: scanner.name, target: target.name, origin: 'run' as const }
  if (tool instanceof ScannerError) {
    return {
      target: target.name,
      findings: [],
      run: { ...base, status: 'failed', findings: 0, message: tool.message },
    }
  }
  const started = Date.now()
  const workDir = join(config.tempDir, 'container-security-gate', `${index}-${scanner.id}`)
  await mkdir(workDir, { recursive: true })
  const ctx: ScanContext = {
    target: target.name,
    source: target.image.source,
    image: target.image,
    workDir,
    timeoutMs: config.scanTimeoutMs,
    logger: deps.logger,
    run: deps.run,
    env,
    options: config.scannerOptions,
  }
  if (config.dockerfile !== undefined) ctx.dockerfile = config.dockerfile
  if (tool !== undefined) ctx.tool = tool
  try {
    const findings = await scanner.scan(ctx)
    const run: ScannerRun = {
      ...base,
      status: 'ok',
      findings: findings.length,
      durationMs: Date.now() - started,
    }
    if (tool !== undefined) run.version = tool.version
    return { target: target.name, findings, run }
  } catch (error) {
    if (!isGateError(error)) throw error
    deps.logger.error(`${scanner.name} failed on ${target.name}: ${error.message}`)
    const run: ScannerRun = {
      ...base,
      status: 'failed',
      findings: 0,
      message: error.message,
      durationMs: Date.now() - started,
    }
    if (tool !== undefined) run.version = tool.version
    return { target: target.name, findings: [], run }
  }
}

/** Scanners that cannot run in this environment, with the reason. */
async function unavailableScanners(
  scanners: readonly Scanner[],
  config: Config,
  deps: PipelineDeps,
): Promise<Map<ScannerId, string>> {
  const reasons = new Map<ScannerId, string>()
  const needsProbe = scanners.some((s) => s.unavailableReason !== undefined)
  const docker = needsProbe ? await dockerAvailable(deps.run) : false
  for (const scanner of scanners) {
    const reason = scanner.unavailableReason?.({
      env: deps.env,
      platform: deps.platform,
      dockerAvailable: docker,
      ...(config.dockerfile !== undefined ? { dockerfile: config.dockerfile } : {}),
    })
    if (reason !== undefined) reasons.set(scanner.id, reason)
  }
  return reasons
}

export async function scanTargets(
  targets: readonly ScanTarget[],
  config: Config,
  deps: PipelineDeps,
): Promise<ScanOutcome[]> {
  if (targets.length === 0) return []
  const scanners = config.scanners.map((id) => scannerById(id))
  const unavailable = await unavailableScanners(scanners, config, deps)
  const runnable = scanners.filter((s) => !unavailable.has(s.id))
  const installed = await installScanners(runnable, config, deps)
  const limit = pLimit(deps.concurrency ?? 3)
  const perScanner = scanners.map(async (scanner): Promise<ScanOutcome[]> => {
    const reason = unavailable.get(scanner.id)
    if (reason !== undefined) {
      const status = config.continueOnScannerError ? 'skipped' : 'failed'
      deps.logger.warning(`${scanner.name} ${status === 'skipped' ? 'skipped' : 'cannot run'}: ${reason}`)
      return targets.map((target) => ({
        target: target.name,
        findings: [],
        run: {
          scanner: scanner.id,
          name: scanner.name,
          target: target.name,
          status,
          findings: 0,
          message: reason,
        },
      }))
    }
    const tool = installed.get(scanner.id)
    const db =
      isDbScanner(scanner.id) && !(tool instanceof ScannerError)
        ? await prepareDb(scanner.id, config, deps)
        : undefined
    const outcomes: ScanOutcome[] = []
    // One image after another for a given scanner: its DB directory is shared and scanners lock it.
    for (const [index, target] of targets.entries()) {
      outcomes.push(
        await limit(() => scanOne(scanner, target, index, tool, config, deps, db?.env ?? deps.env)),
      )
    }
    if (db !== undefined && outcomes.some((o) => o.run.status === 'ok')) await db.save()
    return outcomes
  })
  return (await Promise.all(perScanner)).flat()
}

/** Points the scanner at a stable DB directory and restores the cached DB into it. */
async function prepareDb(
  scanner: DbScanner,
  config: Config,
  deps: PipelineDeps,
): Promise<{ env: Readonly<Record<string, string | undefined>>; save: () => Promise<void> }> {
  const location = DB_LOCATIONS[scanner]
  const dir =
    deps.env[location.envVar]?.trim() || join(config.tempDir, 'container-security-gate', 'db', scanner)
  const cached = join(dir, location.cachedSubdir)
  await mkdir(cached, { recursive: true })
  const restoredKey = await deps.dbCache?.restore(scanner, cached)
  return {
    env: { ...deps.env, [location.envVar]: dir },
    save: async () => deps.dbCache?.save(scanner, cached, restoredKey),
  }
}

/** Imports `reports:` files; each is attributed to the one scanned image, or to the target it names. */
export async function importReports(config: Config, deps: PipelineDeps): Promise<ScanOutcome[]> {
  const imageName = config.images[0]
  const outcomes: ScanOutcome[] = []
  for (const report of config.reports) {
    const started = Date.now()
    const base = { scanner: report.format, name: `${report.format} report`, origin: 'report' as const }
    try {
      const findings = await parseReportFile(report.format, report.path, {
        origin: report.spec,
        ...(imageName !== undefined ? { target: imageName } : {}),
      })
      const target = imageName ?? findings[0]?.target ?? report.path
      outcomes.push({
        target,
        findings,
        run: { ...base, target, status: 'ok', findings: findings.length, durationMs: Date.now() - started },
      })
    } catch (error) {
      if (!isGateError(error)) throw error
      deps.logger.error(`could not import ${report.spec}: ${error.message}`)
      const target = imageName ?? report.path
      outcomes.push({
        target,
        findings: [],
        run: { ...base, target, status: 'failed', findings: 0, message: error.message },
      })
    }
  }
  return outcomes
}

/** Stable repository name for a target known only from a report (no image was opened). */
export function repositoryOfName(name: string): string {
  const ref = parseReference(name)
  if (ref !== undefined) {
    const registry =
      ref.registry !== undefined && ref.registry !== 'docker.io' ? `${ref.registry.replace(/:/g, '-')}/` : ''
    return `${registry}${ref.repository}`
  }
  const base = name.split(/[\\/]/).pop() ?? name
  return (
    base
      .replace(/\.(tar\.gz|tgz|tar|json|sarif)$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9._/-]/g, '-') || 'image'
  )
}

export function groupByImage(
  outcomes: readonly ScanOutcome[],
  targets: readonly ScanTarget[],
): ImageResult[] {
  const images = new Map<string, ImageResult>()
  for (const target of targets) {
    images.set(target.name, {
      target: target.name,
      repository: target.repository,
      imageId: target.image.imageId,
      findings: [],
      scanners: [],
    })
  }
  for (const outcome of outcomes) {
    let image = images.get(outcome.target)
    if (image === undefined) {
      image = {
        target: outcome.target,
        repository: repositoryOfName(outcome.target),
        findings: [],
        scanners: [],
      }
      images.set(outcome.target, image)
    }
    image.findings.push(...outcome.findings)
    image.scanners.push(outcome.run)
  }
  return [...images.values()]
}

export function gatePolicy(config: Config): GatePolicy {
  return {
    failOn: config.policy.failOn,
    onlyFixed: config.policy.onlyFixed,
    gateOn: config.policy.gateOn,
    continueOnScannerError: config.continueOnScannerError,
  }
}

/** Reads and parses the Dockerfile once for attribution; an unreadable one is a configuration error. */
async function loadDockerfile(config: Config): Promise<{ model: DockerfileModel; path: string } | undefined> {
  if (config.dockerfile === undefined) return undefined
  const path = relativeToWorkspace(config.dockerfile, config.workspace)
  return { model: parseDockerfile(await readText(config.dockerfile), path), path }
}

/** One image's findings from every scanner as one list: merged across scanners, located in the Dockerfile. */
export function consolidate(
  image: ImageResult,
  target: ScanTarget | undefined,
  dockerfile: { model: DockerfileModel; path: string } | undefined,
  severitySource: string,
): Finding[] {
  const merged = mergeFindings(
    image.findings.map((f) => withDockerfilePath(f, dockerfile?.path)),
    { severitySource },
  )
  return attributeFindings(merged, {
    history: target?.image.history ?? [],
    layers: target?.image.layers ?? [],
    ...(dockerfile !== undefined ? { dockerfile: dockerfile.model, dockerfilePath: dockerfile.path } : {}),
  })
}

/** Lint findings (hadolint) name the Dockerfile as the scanner saw it; point them at the repository path. */
function withDockerfilePath(finding: Finding, dockerfilePath: string | undefined): Finding {
  if (
    dockerfilePath === undefined ||
    finding.location === undefined ||
    !finding.detectedBy.includes('hadolint')
  )
    return finding
  return { ...finding, location: { ...finding.location, path: dockerfilePath } }
}

/** Runs the whole scan and returns the result every report is written from. */
export async function runPipeline(config: Config, deps: PipelineDeps): Promise<GateResult> {
  const startedAt = deps.now().toISOString()
  const targets = await resolveTargets(config, deps)
  try {
    const dockerfile = await loadDockerfile(config)
    const outcomes = [...(await scanTargets(targets, config, deps)), ...(await importReports(config, deps))]
    const images = groupByImage(outcomes, targets)
    for (const image of images) {
      const target = targets.find((t) => t.name === image.target)
      image.findings = consolidate(image, target, dockerfile, config.policy.severitySource)
    }
    const policy = applyPolicy(images, config.policy, deps.now())
    images.forEach((image, i) => (image.findings = policy.findings[i] ?? image.findings))
    const verdict = evaluateGate(
      images.flatMap((i) => i.findings),
      images.flatMap((i) => i.scanners),
      gatePolicy(config),
    )
    const result: GateResult = { images, verdict, startedAt, toolVersion: TOOL_VERSION }
    if (dockerfile !== undefined) result.dockerfile = dockerfile.path
    if (policy.notes.length > 0) result.notes = policy.notes
    if (policy.baseline !== undefined) result.baseline = policy.baseline
    return result
  } finally {
    await closeTargets(targets)
  }
}

export function relativeToWorkspace(path: string, workspace: string): string {
  const normalized = path.replace(/\\/g, '/')
  const root = workspace.replace(/\\/g, '/').replace(/\/+$/, '')
  return normalized.startsWith(`${root}/`)
    ? normalized.slice(root.length + 1)
    : normalized.replace(/^\/+/, '')
}

/** Reads a UTF-8 file, for the few edges that need one. */
export async function readText(path: string): Promise<string> {
  return readFile(path, 'utf8')
}
