/**
 * The gate: findings and scanner outcomes → a verdict. Pure.
 * `error` wins over `fail`: a scan that did not complete cannot be called clean, and a crashed scanner
 * must not read as "vulnerabilities found" either.
 */
import type { GateOn } from '../config/inputs.js'
import type { Finding, Kind } from '../findings/finding.js'
import { countBySeverity, meetsThreshold, type SeverityCounts, type Threshold } from '../findings/severity.js'
import type { ScannerRun } from '../report/gate-result.js'
import { appendAll } from '../util/arrays.js'
import { exploitDataError, exploitGateMatch, exploitReasons, type ExploitGatePolicy } from './exploit-gate.js'
import { baseExemptionReason, isBaseExempt } from './base-exemption.js'

export type VerdictResult = 'pass' | 'fail' | 'error'

export interface GatePolicy extends ExploitGatePolicy {
  /** Threshold per finding kind. */
  failOn: Record<Kind, Threshold>
  /** Unfixed vulnerabilities are reported but do not fail the gate. */
  onlyFixed: boolean
  /** `new`: findings also present in the baseline do not fail the gate. */
  gateOn: GateOn
  /** A scanner error is reported but does not make the verdict `error`. */
  continueOnScannerError: boolean
  /** Findings from the final stage's base image are reported but do not fail the gate. */
  ignoreBase?: boolean
}

export interface Verdict {
  result: VerdictResult
  /** Why: one line per reason (the scanners that failed, the counts over threshold). */
  reasons: string[]
  /** Counts of findings that are not suppressed, by severity. */
  counts: SeverityCounts
  /** Findings that are suppressed (ignore rules, VEX, baseline). */
  suppressed: number
  /** Findings that met their kind's threshold and were not exempted. */
  failing: number
  /** Scanners that failed (whether or not the verdict is `error`). */
  scannerErrors: number
  /** With `ignore-base`: findings at or above the threshold that came with the base image. */
  baseExempt?: number
}

export function uniformFailOn(threshold: Threshold): Record<Kind, Threshold> {
  return { vulnerability: threshold, misconfiguration: threshold, secret: threshold, compliance: threshold }
}

/** True when `finding` fails the gate under `policy`. */
export function isFailing(finding: Finding, policy: GatePolicy): boolean {
  if (isBaseExempt(finding, policy)) return false
  return failsIgnoringBase(finding, policy)
}

function failsIgnoringBase(finding: Finding, policy: GatePolicy): boolean {
  if (finding.suppression !== undefined) return false
  if (
    !meetsThreshold(finding.severity, policy.failOn[finding.kind]) &&
    exploitGateMatch(finding, policy) === undefined
  )
    return false
  if (policy.onlyFixed && finding.kind === 'vulnerability' && finding.fix?.state !== 'fixed') return false
  return true
}

export function evaluateGate(
  findings: readonly Finding[],
  runs: readonly ScannerRun[],
  policy: GatePolicy,
): Verdict {
  const active = findings.filter((f) => f.suppression === undefined)
  const counts = countBySeverity(active)
  const failingFindings = active.filter((f) => isFailing(f, policy))
  const failed = runs.filter((r) => r.status === 'failed')
  const baseExempt = active.filter((f) => isBaseExempt(f, policy) && failsIgnoringBase(f, policy)).length
  const reasons: string[] = []

  for (const run of failed) {
    reasons.push(`${run.name} failed on ${run.target}: ${run.message ?? 'unknown error'}`)
  }
  const overThreshold = failingFindings.filter((f) => meetsThreshold(f.severity, policy.failOn[f.kind]))
  if (overThreshold.length > 0) {
    const bySeverity = countBySeverity(overThreshold)
    const parts = (['critical', 'high', 'medium', 'low'] as const)
      .filter((s) => bySeverity[s] > 0)
      .map((s) => `${bySeverity[s]} ${s}`)
    reasons.push(`${overThreshold.length} finding(s) at or above the fail-on threshold (${parts.join(', ')})`)
  }
  appendAll(reasons, exploitReasons(failingFindings, policy))
  const dataError = exploitDataError(policy)
  if (dataError !== undefined) reasons.push(dataError)

  let result: VerdictResult = 'pass'
  if (failingFindings.length > 0) result = 'fail'
  if ((failed.length > 0 || dataError !== undefined) && !policy.continueOnScannerError) result = 'error'
  if (result === 'pass') reasons.push('no finding at or above the fail-on threshold')
  const baseReason = baseExemptionReason(baseExempt)
  if (baseReason !== undefined) reasons.push(baseReason)

  return {
    result,
    reasons,
    counts,
    suppressed: findings.length - active.length,
    failing: failingFindings.length,
    scannerErrors: failed.length,
    ...(policy.ignoreBase === true ? { baseExempt } : {}),
  }
}
