/**
 * Runs a scanner executable and maps its outcome: the exit codes that mean "completed" (with or without
 * findings) are success; anything else, a timeout, or a missing report is a `ScannerError` carrying the
 * stderr tail. Shared by every scanner file.
 */
import { readFile, stat } from 'node:fs/promises'
import { ScannerError, errorMessage } from '../util/errors.js'
import { tailLines, type RunResult } from '../util/exec.js'
import type { ScanContext } from './scanner.js'

export interface ScannerInvocation {
  /** Arguments after the executable. */
  args: readonly string[]
  /** Exit codes that mean the scan completed. Default `[0]`. */
  okExitCodes?: readonly number[]
  /** Extra environment on top of `ctx.env` (e.g. cache directories). Values are never logged. */
  env?: Record<string, string>
  /** Absolute path of the report file the scanner writes; it must exist after a successful run. */
  reportFile?: string
  cwd?: string
}

export interface ScannerRunOutput {
  result: RunResult
  /** The report text, when `reportFile` was given. */
  report?: string
}

/** The largest report read into memory; past it the scan fails with a clear message instead of OOM. */
export const MAX_REPORT_BYTES = 512 * 1024 * 1024

export async function runScanner(
  ctx: ScanContext,
  scannerId: string,
  invocation: ScannerInvocation,
): Promise<ScannerRunOutput> {
  const executable = ctx.tool?.path
  if (executable === undefined) throw new ScannerError(scannerId, `${scannerId} is not installed`)
  const env: NodeJS.ProcessEnv = { ...ctx.env, ...invocation.env }
  ctx.logger.debug(`${scannerId}: ${executable} ${invocation.args.join(' ')}`)
  let result: RunResult
  try {
    result = await ctx.run(executable, invocation.args, {
      env,
      timeoutMs: ctx.timeoutMs,
      ...(invocation.cwd !== undefined ? { cwd: invocation.cwd } : {}),
    })
  } catch (error) {
    throw new ScannerError(
      scannerId,
      `${scannerId} could not be started (${executable}): ${errorMessage(error)}`,
      {
        cause: error,
      },
    )
  }
  const stderrTail = tailLines(result.stderr || result.stdout)
  const withTail = (message: string): string => (stderrTail ? `${message}\n${stderrTail}` : message)
  if (result.timedOut) {
    throw new ScannerError(
      scannerId,
      withTail(
        `${scannerId} did not finish within the scan timeout (${Math.round(ctx.timeoutMs / 1000)}s) and was killed`,
      ),
    )
  }
  const ok = invocation.okExitCodes ?? [0]
  if (result.exitCode === null || !ok.includes(result.exitCode)) {
    const how =
      result.exitCode === null
        ? `was killed by ${result.signal ?? 'a signal'}`
        : `exited with code ${result.exitCode}`
    throw new ScannerError(scannerId, withTail(`${scannerId} ${how}`))
  }
  if (invocation.reportFile === undefined) return { result }
  return { result, report: await readReportFile(scannerId, invocation.reportFile, stderrTail) }
}

/** Reads a report a scanner wrote, refusing a missing, empty or oversized one. */
export async function readReportFile(scannerId: string, file: string, stderrTail = ''): Promise<string> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch {
    const suffix = stderrTail ? `\n${stderrTail}` : ''
    throw new ScannerError(scannerId, `${scannerId} exited without writing its report (${file})${suffix}`)
  }
  if (size === 0) throw new ScannerError(scannerId, `${scannerId} wrote an empty report (${file})`)
  if (size > MAX_REPORT_BYTES) {
    throw new ScannerError(
      scannerId,
      `${scannerId} report is ${Math.round(size / 1048576)} MiB, over the ${MAX_REPORT_BYTES / 1048576} MiB limit (${file})`,
    )
  }
  return readFile(file, 'utf8')
}
