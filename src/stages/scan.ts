/**
 * Stage: install the selected scanners once, then run each against each image — scanners concurrently
 * (bounded), one image after another per scanner. A scanner that cannot run, fails to install or fails to
 * scan becomes a failed (or skipped) `ScannerRun`; it never hides the others' results.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import pLimit from 'p-limit'
import type { Config } from '../config/config.js'
import type { DockerfileModel } from '../findings/dockerfile.js'
import type { Finding } from '../findings/finding.js'
import type { ScannerRun } from '../report/gate-result.js'
import { scannerById } from '../scanners/registry.js'
import {
  isDbScanner,
  type DbScanner,
  type InstalledTool,
  type Scanner,
  type ScanContext,
  type ScannerDbLocation,
  type ScannerId,
} from '../scanners/scanner.js'
import { runNoteOf } from '../scanners/run-notes.js'
import { dockerAvailable } from '../target/image.js'
import { isGateError, ScannerError } from '../util/errors.js'
import type { PipelineDeps } from './deps.js'
import type { ScanTarget } from './targets.js'

export interface ScanOutcome {
  target: string
  findings: Finding[]
  run: ScannerRun
  /** The image ID an imported report names, when it names one (groups reports of one image). */
  imageId?: string
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
  dbDir: string | undefined,
  dockerfile: DockerfileModel | undefined,
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
    env: deps.env,
    options: config.scannerOptions,
  }
  if (dbDir !== undefined) ctx.dbDir = dbDir
  if (config.dockerfile !== undefined) ctx.dockerfile = config.dockerfile
  if (dockerfile !== undefined) ctx.dockerfileModel = dockerfile
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
    const note = runNoteOf(findings)
    if (note !== undefined) run.message = note
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
  /** The Dockerfile the pipeline parsed, for scanners that read it natively. */
  options: { dockerfile?: DockerfileModel | undefined } = {},
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
      scanner.db !== undefined && isDbScanner(scanner.id) && !(tool instanceof ScannerError)
        ? await prepareDb(scanner.id, scanner.db, config, deps)
        : undefined
    const outcomes: ScanOutcome[] = []
    // One image after another for a given scanner: its DB directory is shared and scanners lock it.
    for (const [index, target] of targets.entries()) {
      outcomes.push(
        await limit(() => scanOne(scanner, target, index, tool, config, deps, db?.dir, options.dockerfile)),
      )
    }
    if (db !== undefined && outcomes.some((o) => o.run.status === 'ok')) await db.save()
    return outcomes
  })
  return (await Promise.all(perScanner)).flat()
}

/** A stable DB directory for the scanner (its own variable's when the user set it), the cached DB restored into it. */
async function prepareDb(
  scanner: DbScanner,
  location: ScannerDbLocation,
  config: Config,
  deps: PipelineDeps,
): Promise<{ dir: string; save: () => Promise<void> }> {
  const dir =
    deps.env[location.envVar]?.trim() || join(config.tempDir, 'container-security-gate', 'db', scanner)
  const cached = location.cachedSubdirs.map((subdir) => join(dir, subdir))
  for (const path of cached) await mkdir(path, { recursive: true })
  const restoredKey = await deps.dbCache?.restore(scanner, cached)
  return {
    dir,
    save: async () => deps.dbCache?.save(scanner, cached, restoredKey),
  }
}

/** Imports `reports:` files; each is attributed to the one scanned image, or to the target it names. */
