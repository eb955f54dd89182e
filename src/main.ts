/**
 * The action: inputs → config → scan → reports → upload → comment → verdict, applied last so the
 * outputs, the summary and the upload always reach the user even when the job fails. `setFailed` is
 * called once, here.
 */
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as core from '@actions/core'
import { buildConfig, type Config } from './config/config.js'
import { readActionInputs } from './config/action-inputs.js'
import { productionDeps } from './pipeline-deps.js'
import { runPipeline, type PipelineDeps } from './pipeline.js'
import { AnnotationCounter, selectAnnotations, type AnnotationOptions } from './report/annotations.js'
import { buildErrorSummaryMarkdown, type RunErrorKind } from './report/error-summary.js'
import { buildCommentBody, commentKey, upsertPullRequestComment } from './report/comment.js'
import { buildLimitedSarif, writeFindingsFile, writeSarifFile, type SarifOutput } from './report/files.js'
import type { GateResult } from './report/gate-result.js'
import { readGitHubContext, type GitHubContext } from './report/github-context.js'
import { deliverInventory } from './report/inventory-delivery.js'
import type { CategoryOptions } from './report/sarif-naming.js'
import { buildOutputs } from './report/outputs.js'
import { buildSummaryMarkdown } from './report/summary.js'
import { formatConsoleTable } from './report/console.js'
import { deliverSarif, type DeliveryResult } from './report/upload.js'
import { describeFailure, failureOf, runErrorKind } from './verdict.js'
import { errorMessage } from './util/errors.js'
import { actionLogger } from './util/loggers.js'
import type { Logger } from './util/logger.js'
import { TOOL_NAME } from './version.js'
import { readConfigFileSync } from './util/read-config-file.js'

export interface ActionEnvironment {
  env: Readonly<Record<string, string | undefined>>
  logger: Logger
  /** Overrides for tests; production dependencies otherwise. */
  deps?: Partial<PipelineDeps>
}

export async function run(options?: ActionEnvironment): Promise<void> {
  const env = options?.env ?? { ...process.env }
  // Counted, so the findings' annotations leave room for the action's own warnings and errors.
  const logger = new AnnotationCounter(options?.logger ?? actionLogger())
  try {
    const config = loadConfig(env)
    const deps: PipelineDeps = { ...productionDeps({ logger, env, dbCache: true }), ...options?.deps }
    const result = await runPipeline(config, deps)
    // First in the step log: what may change the verdict (an expired ignore rule) as warnings, then the
    // verdict, the fix plan's top changes and the findings table, as the CLI prints them.
    for (const warning of result.warnings ?? []) logger.warning(warning)
    core.info(stepLog(result))
    const sarif = buildLimitedSarif(result, {
      runPer: config.sarifRuns,
      categories: categoriesOf(config),
      ...(config.sarifSeverity !== undefined ? { minSeverity: config.sarifSeverity } : {}),
    })
    await writeResultFiles(config, result, sarif)
    const github = await readContext(env, config, deps)
    const delivery = await uploadSarif(config, sarif, result, github, logger)
    const inventory = await deliverInventory({ config, result, context: github, logger })
    setOutputs(config, result, sarif, delivery)
    core.setOutput('sbom-file', inventory.sbomFile ?? '')
    const summary = await writeJobSummary(config, result, sarif, delivery, inventory.notes)
    // The verdict is the first error annotation of the step (the runner shows only 10 per level), so a
    // failing step always shows why; the findings' annotations follow in what is left.
    const failure = failureOf(result.verdict, delivery)
    if (failure !== undefined) core.setFailed(failure)
    annotate(result, config, {
      error: logger.errors + (failure !== undefined ? 1 : 0),
      // One warning kept free for a later one (a pull request comment that could not be written).
      warning: logger.warnings + 1,
    })
    await commentOnPullRequest(config, github, summary, logger)
  } catch (error) {
    const failure = describeFailure(error)
    await reportRunError({ kind: runErrorKind(error), message: failure })
    core.setFailed(failure)
  }
}

/**
 * A run that stopped before a verdict still tells the workflow: `result=error` (so
 * `if: steps.gate.outputs.result == 'error'` fires) and a job summary saying what failed. A failure to
 * write the summary must not hide the error itself.
 */
async function reportRunError(failure: { kind: RunErrorKind; message: string }): Promise<void> {
  try {
    core.setOutput('result', 'error')
    if (process.env['GITHUB_STEP_SUMMARY'])
      await core.summary.emptyBuffer().addRaw(buildErrorSummaryMarkdown(failure), true).write()
  } catch (error) {
    core.warning(`The outputs or the job summary could not be written: ${errorMessage(error)}`)
  }
}

/** The CLI's output for the step log; a line can never start a workflow command (`::`). */
function stepLog(result: GateResult): string {
  return formatConsoleTable(result, { color: false, columns: 120 })
    .trimEnd()
    .split('\n')
    .map((line) => (line.startsWith('::') ? ` ${line}` : line))
    .join('\n')
}

function categoriesOf(config: Config): CategoryOptions {
  return {
    ...(config.category !== undefined ? { category: config.category } : {}),
    ...(config.matrix !== undefined ? { matrix: config.matrix } : {}),
  }
}

function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const tempDir = env['RUNNER_TEMP']?.trim() || tmpdir()
  return buildConfig(
    readActionInputs((name) => {
      const value = core.getInput(name)
      // Masked before anything can print it (a registry error never names it, but a debug log might).
      if (name === 'registry-password' && value !== '') core.setSecret(value)
      return value
    }),
    {
      workspace: env['GITHUB_WORKSPACE']?.trim() || process.cwd(),
      tempDir,
      exists: existsSync,
      readFile: (path) => readConfigFileSync(path),
      defaultOutputs: 'temp-dir',
      // In a workflow the catalog download is cheap and cached: KEV marks are on unless `kev: off`.
      kevDownloadsByDefault: true,
    },
  )
}

async function writeResultFiles(config: Config, result: GateResult, sarif: SarifOutput): Promise<void> {
  if (config.sarifFile !== undefined) await writeSarifFile(config.sarifFile, sarif)
  if (config.findingsFile !== undefined) await writeFindingsFile(config.findingsFile, result)
}

async function readContext(
  env: Readonly<Record<string, string | undefined>>,
  config: Config,
  deps: PipelineDeps,
): Promise<GitHubContext> {
  // The checked-out commit only decides which pull request ref an upload goes to.
  const checkedOut =
    config.upload !== 'never'
      ? await deps
          .run('git', ['rev-parse', 'HEAD'], { cwd: config.workspace, timeoutMs: 10_000 })
          .then((r) => (r.exitCode === 0 ? r.stdout.trim() : undefined))
          .catch(() => undefined)
      : undefined
  const context = readGitHubContext({ ...env }, (path) => readFileOrUndefined(path), checkedOut)
  for (const warning of context.warnings) deps.logger.warning(warning)
  return context
}

function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

async function uploadSarif(
  config: Config,
  sarif: SarifOutput,
  result: GateResult,
  context: GitHubContext,
  logger: Logger,
): Promise<DeliveryResult> {
  const failed = result.images.flatMap((i) => i.scanners).filter((r) => r.status === 'failed')
  if (failed.length > 0 && config.upload === 'auto') {
    // Code scanning closes the alerts a run no longer reports: a partial log would mark them fixed.
    const names = [...new Set(failed.map((r) => r.name))].join(', ')
    const warning =
      `Code scanning upload skipped: ${names} did not complete, and a partial SARIF would close its open alerts ` +
      'as fixed. Set `upload: always` to upload anyway.'
    logger.warning(warning)
    return { status: 'skipped', warning }
  }
  return deliverSarif({
    mode: config.upload,
    log: sarif.uploadLog,
    context,
    token: config.token,
    toolName: TOOL_NAME,
    logger,
    startedAt: result.startedAt,
    waitForProcessing: config.waitForProcessing,
  })
}

function setOutputs(config: Config, result: GateResult, sarif: SarifOutput, delivery: DeliveryResult): void {
  const outputs = buildOutputs(
    result,
    {
      ...(config.sarifFile !== undefined ? { sarifFile: config.sarifFile } : {}),
      ...(config.findingsFile !== undefined ? { findingsFile: config.findingsFile } : {}),
    },
    {
      sarifTruncated: sarif.notShownResults,
      ...(delivery.sarifId !== undefined ? { sarifId: delivery.sarifId } : {}),
    },
  )
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
}

async function writeJobSummary(
  config: Config,
  result: GateResult,
  sarif: SarifOutput,
  delivery: DeliveryResult,
  inventoryNotes: readonly string[],
): Promise<string> {
  const notes = [...sarif.notes, ...deliveryNotes(delivery), ...inventoryNotes]
  const markdown = buildSummaryMarkdown(result, {
    truncatedResults: sarif.droppedResults,
    notes,
    ...(config.sarifFile !== undefined ? { sarifFile: config.sarifFile } : {}),
  })
  if (process.env['GITHUB_STEP_SUMMARY']) await core.summary.addRaw(markdown, true).write()
  return markdown
}

function deliveryNotes(delivery: DeliveryResult): string[] {
  if (delivery.status === 'uploaded') {
    return [
      `SARIF uploaded to code scanning (id ${delivery.sarifId ?? '?'}, processing ${delivery.processing ?? 'unknown'}).`,
    ]
  }
  if (delivery.status === 'failed')
    return [`Code scanning upload failed: ${delivery.error?.message ?? 'unknown error'}`]
  return delivery.warning !== undefined ? [delivery.warning] : []
}

function annotate(
  result: GateResult,
  config: Config,
  alreadyWritten: AnnotationOptions['alreadyWritten'],
): void {
  for (const annotation of selectAnnotations(result, {
    ...(config.sarifFile !== undefined ? { sarifFile: config.sarifFile } : {}),
    ...(alreadyWritten !== undefined ? { alreadyWritten } : {}),
    ...(config.sarifSeverity !== undefined ? { minSeverity: config.sarifSeverity } : {}),
  })) {
    const properties: core.AnnotationProperties = { title: annotation.title }
    if (annotation.file !== undefined) properties.file = annotation.file
    if (annotation.startLine !== undefined) properties.startLine = annotation.startLine
    if (annotation.endLine !== undefined) properties.endLine = annotation.endLine
    if (annotation.level === 'error') core.error(annotation.message, properties)
    else if (annotation.level === 'warning') core.warning(annotation.message, properties)
    else core.notice(annotation.message, properties)
  }
}

async function commentOnPullRequest(
  config: Config,
  context: GitHubContext,
  summary: string,
  logger: Logger,
): Promise<void> {
  if (!config.comment) return
  const key = commentKey({
    ...(context.workflow !== undefined ? { workflow: context.workflow } : {}),
    ...(context.job !== undefined ? { job: context.job } : {}),
    images: config.images,
  })
  await upsertPullRequestComment({
    context,
    token: config.token,
    body: buildCommentBody(summary, key),
    key,
    logger,
  })
}
