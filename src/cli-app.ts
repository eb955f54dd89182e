/**
 * The CLI application: the same pipeline as the action, with a table on stdout and exit codes
 * 0 pass, 1 gate failed, 2 bad usage or configuration, 3 an image, scanner or report could not be read.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildConfig } from './config/config.js'
import { TOP_HELP, installHelp, scanHelp } from './cli-help.js'
import { inFlagTerms } from './cli-errors.js'
import { withReportFormats } from './cli-reports.js'
import { parseCommandLine, type CliInstallOptions, type CliScanOptions } from './config/flags.js'
import { productionDeps, installScanner, versionFor } from './pipeline-deps.js'
import { runPipeline } from './pipeline.js'
import { formatConsoleTable } from './report/console.js'
import { buildLimitedSarif, writeFindingsFile, writeSarifFile } from './report/files.js'
import { buildFindingsDocument } from './report/findings-json.js'
import { writeSbom } from './report/inventory-delivery.js'
import { scannerById } from './scanners/registry.js'
import { isScannerId, SCANNER_IDS } from './scanners/scanner.js'
import { describeInstallPlan } from './tools/install.js'
import { currentPlatform, parsePlatform } from './tools/platform.js'
import { ConfigurationError, ScannerError, isGateError } from './util/errors.js'
import { stderrLogger } from './util/loggers.js'
import { describeFailure, exitCodeOf } from './verdict.js'
import { TOOL_VERSION } from './version.js'
import { readConfigFileSync } from './util/read-config-file.js'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  cwd: string
  isTty: boolean
  /** The terminal's width when stdout is one. */
  columns?: number
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv)
    switch (parsed.command) {
      case 'help':
        io.stdout(
          parsed.topic === 'scan' ? scanHelp() : parsed.topic === 'install' ? installHelp() : TOP_HELP,
        )
        return 0
      case 'version':
        io.stdout(`${TOOL_VERSION}\n`)
        return 0
      case 'install':
        return await install(parsed.options, io)
      case 'scan':
        return await scan(parsed.options, io)
    }
  } catch (error) {
    const message = describeFailure(error)
    io.stderr(
      `container-security-gate: ${error instanceof ConfigurationError ? inFlagTerms(message) : message}\n`,
    )
    return isGateError(error) ? error.exitCode : 70
  }
}

/** The tool cache and temp dirs @actions/tool-cache needs, outside a runner. */
function prepareRunnerDirs(env: Record<string, string | undefined>): void {
  if (!env['RUNNER_TOOL_CACHE']) {
    const cacheHome = env['XDG_CACHE_HOME'] || join(homedir(), '.cache')
    env['RUNNER_TOOL_CACHE'] = join(cacheHome, 'container-security-gate', 'tool-cache')
  }
}

async function scan(options: CliScanOptions, io: CliIo): Promise<number> {
  const logger = stderrLogger({ verbose: options.verbose, write: (line) => io.stderr(`${line}\n`) })
  prepareRunnerDirs(io.env)
  const tempDir = await mkdtemp(join(io.env['RUNNER_TEMP'] || tmpdir(), 'csg-'))
  io.env['RUNNER_TEMP'] ??= tempDir
  try {
    const reports = options.inputs.reports
    const inputs = Array.isArray(reports)
      ? { ...options.inputs, reports: await withReportFormats(reports, io.cwd) }
      : options.inputs
    const config = buildConfig(inputs, {
      workspace: io.cwd,
      tempDir,
      exists: existsSync,
      readFile: (path) => readConfigFileSync(path),
      defaultOutputs: 'none',
    })
    const deps = productionDeps({ logger, env: io.env, dbCache: false })
    const result = await runPipeline(config, deps)
    if (config.sarifFile !== undefined) {
      const categories = {
        ...(config.category !== undefined ? { category: config.category } : {}),
        ...(config.matrix !== undefined ? { matrix: config.matrix } : {}),
      }
      await writeSarifFile(
        config.sarifFile,
        buildLimitedSarif(result, {
          runPer: config.sarifRuns,
          categories,
          ...(config.sarifSeverity !== undefined ? { minSeverity: config.sarifSeverity } : {}),
        }),
      )
    }
    if (config.findingsFile !== undefined) await writeFindingsFile(config.findingsFile, result)
    await writeSbom(config, result)
    if (options.format === 'json') io.stdout(`${JSON.stringify(buildFindingsDocument(result), null, 2)}\n`)
    else
      io.stdout(
        formatConsoleTable(result, {
          color: options.color && io.isTty && !io.env['NO_COLOR'],
          ...(options.maxRows !== undefined ? { maxRows: options.maxRows } : {}),
          // --all lists the whole fix plan too.
          ...(options.maxRows === Infinity ? { maxFixes: Infinity } : {}),
          ...(io.columns !== undefined ? { columns: io.columns } : {}),
        }),
      )
    return exitCodeOf(result.verdict)
  } finally {
    await rm(tempDir, { recursive: true, force: true })
  }
}

async function install(options: CliInstallOptions, io: CliIo): Promise<number> {
  const platform = options.platform !== undefined ? parsePlatform(options.platform) : currentPlatform()
  const scanners = options.scanners.map((id) => {
    if (!isScannerId(id)) {
      throw new ConfigurationError(
        `--scanners: unknown scanner "${id}" (accepted: ${SCANNER_IDS.join(', ')})`,
      )
    }
    return scannerById(id)
  })
  // Only the version and mirror inputs matter for an install: scanner options (cosign keys, ...) are not needed.
  const config = buildConfig(
    {
      image: ['(none)'],
      scanners: ['builtin'],
      ...Object.fromEntries(Object.entries(options.versions).map(([id, v]) => [`${id}-version`, v])),
      ...(options.toolsMirror !== undefined ? { 'tools-mirror': options.toolsMirror } : {}),
    },
    {
      workspace: io.cwd,
      tempDir: tmpdir(),
      exists: existsSync,
      readFile: (path) => readConfigFileSync(path),
      defaultOutputs: 'none',
    },
  )
  let refused = 0
  for (const scanner of scanners) {
    if (scanner.tool === undefined) {
      io.stdout(`${scanner.id}: built in, nothing to install\n`)
      continue
    }
    try {
      const plan = describeInstallPlan(scanner.tool, {
        version: versionFor(scanner, config),
        platform,
        ...(config.toolsMirror !== undefined ? { mirror: config.toolsMirror } : {}),
      })
      io.stdout(
        `${scanner.id} ${plan.version} (${platform})\n  asset:    ${plan.url}\n  checksum: ${plan.checksumSource}` +
          `${plan.sha256 !== undefined ? `\n  sha256:   ${plan.sha256}` : ''}\n`,
      )
      if (!options.dryRun) {
        prepareRunnerDirs(io.env)
        const logger = stderrLogger({ verbose: false, write: (line) => io.stderr(`${line}\n`) })
        const tool = await installScanner(platform, logger)(scanner, { ...config, tempDir: tmpdir() })
        io.stdout(`  installed: ${tool.path}\n`)
      }
    } catch (error) {
      if (!(error instanceof ScannerError) && !(error instanceof ConfigurationError)) throw error
      io.stderr(`${scanner.id}: ${error.message}\n`)
      refused = Math.max(refused, error.exitCode)
    }
  }
  return refused
}
