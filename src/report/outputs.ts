/**
 * The step outputs (`result`, counts, files, SARIF id and truncation) as strings, ready for
 * `core.setOutput`. Counts are of findings that are not suppressed. Pure.
 */
import type { GateResult } from './gate-result.js'

export interface OutputFiles {
  sarifFile?: string
  findingsFile?: string
}

export interface OutputExtras {
  /** The code scanning upload id, when the SARIF was uploaded. */
  sarifId?: string
  /** Results the limits guard left out of the SARIF. */
  sarifTruncated?: number
}

export function buildOutputs(
  result: GateResult,
  files: OutputFiles,
  extra: OutputExtras = {},
): Record<string, string> {
  const counts = result.verdict.counts
  const outputs: Record<string, string> = {
    result: result.verdict.result,
    total: String(counts.total),
    critical: String(counts.critical),
    high: String(counts.high),
    medium: String(counts.medium),
    low: String(counts.low),
    unknown: String(counts.unknown),
    'sarif-file': files.sarifFile ?? '',
    'findings-file': files.findingsFile ?? '',
    'sarif-truncated': String(Math.max(0, Math.floor(extra.sarifTruncated ?? 0))),
  }
  if (extra.sarifId !== undefined && extra.sarifId !== '') outputs['sarif-id'] = extra.sarifId
  return outputs
}
