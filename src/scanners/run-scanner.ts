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

/**
 * The largest report read into memory; past it the scan fails with a clear message instead of running out
 * of memory. At the 2.3–3.6 KB per finding scanners write, 448 MiB holds 130,000–200,000 findings (the
 * benchmark's 100,000-finding Grype report is 363 MB); parsing takes about 2.7 times the report's size
 * in heap, some 1.2 GB at the limit, within Node's default heap on a 7 GB runner. It stays below V8's
 * longest string (512 MiB), which a report must fit in.
 */
export const MAX_REPORT_BYTES = 448 * 1024 * 1024

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

/** Reads a report a scanner wrote, refusing a missing, empty, oversized or unreadable one. */
export async function readReportFile(scannerId: string, file: string, stderrTail = ''): Promise<string> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch {
    const suffix = stderrTail ? `\n${stderrTail}` : ''
    throw new ScannerError(scannerId, `${scannerId} exited without writing its report (${file})${suffix}`)
  }
  if (size === 0) throw new ScannerError(scannerId, `${scannerId} wrote an empty report (${file})`)
  checkReportSize(scannerId, file, size)
  return readReportContent(scannerId, file, (bytes) => bytes.toString('utf8'))
}

/** Refuses a report over `MAX_REPORT_BYTES` with a `ScannerError` naming the scanner (or format) and file. */
export function checkReportSize(scanner: string, file: string, size: number): void {
  if (size <= MAX_REPORT_BYTES) return
  throw new ScannerError(
    scanner,
    `${scanner} report ${file} is ${Math.round(size / 1048576)} MiB, over the ${MAX_REPORT_BYTES / 1048576} MiB limit`,
  )
}

/**
 * Reads and decodes a report file of a checked size. Any failure — the file vanished or became unreadable,
 * a directory, text too long for a JavaScript string (`ERR_STRING_TOO_LONG`) — is a `ScannerError` naming
 * the scanner (or format) and the file, never a raw error.
 */
export async function readReportContent(
  scanner: string,
  file: string,
  decode: (bytes: Buffer) => string,
): Promise<string> {
  try {
    return decode(await readFile(file))
  } catch (error) {
    throw new ScannerError(scanner, `${scanner} report ${file} could not be read: ${errorMessage(error)}`, {
      cause: error,
    })
  }
}
