/**
 * Runs a scanner whose vulnerability DB is downloaded at scan time, and when that download fails while
 * a DB from an earlier run is in the cache, runs it once more without updating the DB and says so.
 * A registry rate limit then costs freshness, not the scan. Shared by Trivy and Grype.
 */
import { rm } from 'node:fs/promises'
import { ScannerError } from '../util/errors.js'
import type { RunResult } from '../util/exec.js'
import { runScanner, type ScannerInvocation, type ScannerRunOutput } from './run-scanner.js'
import type { ScanContext } from './scanner.js'

export interface DbFallbackOptions {
  scannerId: string
  /** The normal run, which updates the DB. */
  first: ScannerInvocation
  /** The run against the cached DB only. */
  fallback: ScannerInvocation
  /** True when a DB from an earlier run is in the cache directory. */
  cachedDbAvailable: boolean
  /** Recognises the scanner's own words for "the DB could not be downloaded" in its output. */
  isDbDownloadFailure(output: string): boolean
}

export async function runWithCachedDbFallback(
  ctx: ScanContext,
  options: DbFallbackOptions,
): Promise<ScannerRunOutput> {
  // Keep the raw outcome of the run so the decision does not depend on error message wording.
  let last: RunResult | undefined
  const recording: ScanContext = {
    ...ctx,
    run: async (command, args, runOptions) => {
      last = undefined
      const result = await ctx.run(command, args, runOptions)
      last = result
      return result
    },
  }
  try {
    await removeReport(options.first)
    return await runScanner(recording, options.scannerId, options.first)
  } catch (error) {
    const outcome = last
    const dbFailed =
      error instanceof ScannerError &&
      outcome !== undefined &&
      !outcome.timedOut &&
      outcome.exitCode !== null &&
      outcome.exitCode !== 0 &&
      options.isDbDownloadFailure(`${outcome.stderr}\n${outcome.stdout}`)
    if (!dbFailed || !options.cachedDbAvailable) throw error
    ctx.logger.warning(
      `${options.scannerId}: the vulnerability database could not be downloaded; scanning with the cached ` +
        `database from an earlier run instead, which may miss the newest vulnerabilities`,
    )
    ctx.logger.debug(`${options.scannerId}: first attempt failed: ${error.message}`)
    await removeReport(options.fallback)
    return runScanner(recording, options.scannerId, options.fallback)
  }
}

/** A report left by an earlier attempt must not pass for this attempt's. */
async function removeReport(invocation: ScannerInvocation): Promise<void> {
  if (invocation.reportFile !== undefined) await rm(invocation.reportFile, { force: true })
}
