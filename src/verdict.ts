/**
 * The last stage: what fails the step or sets the CLI exit code. A failed scan must say "the scan
 * failed", never "vulnerabilities found", and a gate failure must say which findings.
 */
import type { Verdict } from './policy/gate.js'
import type { DeliveryResult } from './report/upload.js'
import type { RunErrorKind } from './report/error-summary.js'
import {
  ConfigurationError,
  errorMessage,
  ImageError,
  isGateError,
  ScannerError,
  UploadError,
} from './util/errors.js'

/** The message the step fails with, or undefined when it passes. */
export function failureOf(verdict: Verdict, delivery?: DeliveryResult): string | undefined {
  const lines: string[] = []
  if (verdict.result === 'error') {
    lines.push(
      `The scan did not complete, so the image cannot be called clean: ${verdict.reasons.join('; ')}`,
    )
  } else if (verdict.result === 'fail') {
    lines.push(`Security gate failed: ${verdict.reasons.join('; ')}`)
  }
  if (delivery?.status === 'failed')
    lines.push(`Code scanning upload failed: ${delivery.error?.message ?? 'unknown error'}`)
  return lines.length > 0 ? lines.join('\n') : undefined
}

/** CLI exit code: 0 pass, 1 gate failed, 3 a scan or upload did not complete. */
export function exitCodeOf(verdict: Verdict): number {
  if (verdict.result === 'error') return 3
  if (verdict.result === 'fail') return 1
  return 0
}

/** One line for an error that stopped the run: ours are the user's to fix; anything else is our bug. */
export function describeFailure(error: unknown): string {
  if (isGateError(error)) return error.message
  const detail = error instanceof Error && error.stack ? error.stack : errorMessage(error)
  return `container-security-gate hit an internal error (a bug; please report it): ${detail}`
}

/** Whose fault an error that stopped the run is, for the job summary. */
export function runErrorKind(error: unknown): RunErrorKind {
  if (error instanceof ConfigurationError) return 'configuration'
  if (error instanceof ImageError) return 'image'
  if (error instanceof ScannerError) return 'scanner'
  if (error instanceof UploadError) return 'upload'
  return 'internal'
}
