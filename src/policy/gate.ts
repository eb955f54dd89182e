/**
 * The gate: findings and scanner outcomes → a verdict. Pure.
 * `error` wins over `fail`: a scan that did not complete cannot be called clean, and a crashed scanner
 * must not read as "vulnerabilities found" either.
 */
import type { GateOn } from '../config/inputs.js'
import type { ExemptReason, Finding, GateStatus, Kind } from '../findings/finding.js'
import { countBySeverity, meetsThreshold, type SeverityCounts, type Threshold } from '../findings/severity.js'
import type { ScannerRun } from '../report/gate-result.js'
import { appendAll } from '../util/arrays.js'
import { exploitDataError, exploitGateMatch, exploitReasons, type ExploitGatePolicy } from './exploit-gate.js'
import { isBaseExempt } from './base-exemption.js'

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
  /** Findings reported but exempt from the gate, by the rule that exempted them (absent: none). */
  exempt?: Partial<Record<ExemptReason, number>>
}

/** What each exemption means, for the verdict's reasons and the reports. */
export const EXEMPT_REASON_TEXT: Record<ExemptReason, string> = {
  'below-threshold': 'below the fail-on threshold',
  'only-fixed': 'no fix available (only-fixed)',
  baseline: 'already in the baseline (gate-on: new)',
  'base-image': 'came with the base image (ignore-base)',
}

export function uniformFailOn(threshold: Threshold): Record<Kind, Threshold> {
  return { vulnerability: threshold, misconfiguration: threshold, secret: threshold, compliance: threshold }
}

/**
 * The gate's judgement of one finding, its rules in order: suppressed (ignore rule, VEX; a baseline match
 * under `gate-on: new` is an exemption), below its kind's threshold (unless `fail-on-kev`/`fail-on-epss`
 * reaches it whatever its severity), then each exemption rule. The first rule that applies names the status.
 */
export function gateStatusOf(finding: Finding, policy: GatePolicy): GateStatus {
  const suppression = finding.suppression
  if (suppression !== undefined && suppression.kind !== 'baseline')
    return { status: 'suppressed', source: suppression.kind }
  if (
    !meetsThreshold(finding.severity, policy.failOn[finding.kind]) &&
    exploitGateMatch(finding, policy) === undefined
  )
    return { status: 'exempt', reason: 'below-threshold' }
  if (suppression?.kind === 'baseline') return { status: 'exempt', reason: 'baseline' }
  if (policy.onlyFixed && finding.kind === 'vulnerability' && finding.fix?.state !== 'fixed')
    return { status: 'exempt', reason: 'only-fixed' }
  if (isBaseExempt(finding, policy)) return { status: 'exempt', reason: 'base-image' }
  return { status: 'fail' }
}

/** Every finding with its `gate` status: computed here once, read by every report. */
export function withGateStatus(findings: readonly Finding[], policy: GatePolicy): Finding[] {
  return findings.map((finding) => ({ ...finding, gate: gateStatusOf(finding, policy) }))
}

/** True when `finding` fails the gate under `policy`. */
export function isFailing(finding: Finding, policy: GatePolicy): boolean {
  return (finding.gate ?? gateStatusOf(finding, policy)).status === 'fail'
}

/** `11 at or above high exempted: no fix available (only-fixed)`: one line per rule that exempted any. */
function exemptionReasons(exempt: Partial<Record<ExemptReason, number>>, policy: GatePolicy): string[] {
  const thresholds = new Set(Object.values(policy.failOn))
  const [only] = [...thresholds]
  const threshold = thresholds.size === 1 && only !== undefined ? only : "their kind's fail-on threshold"
  return (Object.keys(EXEMPT_REASON_TEXT) as ExemptReason[])
    .filter((reason) => reason !== 'below-threshold' && (exempt[reason] ?? 0) > 0)
    .map((reason) => `${exempt[reason]} at or above ${threshold} exempted: ${EXEMPT_REASON_TEXT[reason]}`)
}

export function evaluateGate(
  findings: readonly Finding[],
  runs: readonly ScannerRun[],
  policy: GatePolicy,
): Verdict {
  const active = findings.filter((f) => f.suppression === undefined)
  const counts = countBySeverity(active)
  const statuses = findings.map((f) => f.gate ?? gateStatusOf(f, policy))
  const failingFindings = findings.filter((_, i) => statuses[i]?.status === 'fail')
  const exempt: Partial<Record<ExemptReason, number>> = {}
  for (const status of statuses)
    if (status.status === 'exempt') exempt[status.reason] = (exempt[status.reason] ?? 0) + 1
  const failed = runs.filter((r) => r.status === 'failed')
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
  appendAll(reasons, exemptionReasons(exempt, policy))

  return {
    result,
    reasons,
    counts,
    suppressed: findings.length - active.length,
    failing: failingFindings.length,
    scannerErrors: failed.length,
    ...(policy.ignoreBase === true ? { baseExempt: exempt['base-image'] ?? 0 } : {}),
    ...(Object.keys(exempt).length > 0 ? { exempt } : {}),
  }
}
