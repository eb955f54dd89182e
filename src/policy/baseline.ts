/**
 * The baseline: the SARIF of an earlier run of this tool (say, on the default branch). Findings whose
 * fingerprint is in it are "existing"; with `gate-on: new` they do not fail the gate but are still counted
 * and reported. Pure.
 *
 * A bad baseline file is a `ConfigurationError`: the user named the file (it is an input of this run, not
 * the output of a scanner that failed), and it exits 2 like any other input that cannot be used.
 */
import type { GateOn } from '../config/inputs.js'
import type { Finding } from '../findings/finding.js'
import { fingerprintOf } from '../findings/fingerprint.js'
import { ConfigurationError } from '../util/errors.js'
import { jsonSyntaxProblem } from '../util/json-error.js'

export type BaselineState = 'new' | 'existing'

export interface BaselineOutcome {
  /** The findings; existing ones carry `suppression.kind = 'baseline'` when `gateOn` is `new`. */
  findings: Finding[]
  newCount: number
  existingCount: number
  /**
   * New or existing, for every returned finding (keyed by the returned objects): what a `baselineState`
   * field on `Finding` would hold. Existing findings that stay unsuppressed (`gate-on: all`, or suppressed
   * by another rule already) are told apart only here.
   */
  states: Map<Finding, BaselineState>
}

/** The `partialFingerprints.primaryLocationLineHash` of every result of every run. */
export function loadBaseline(sarifText: string, origin: string): Set<string> {
  const fail = (problem: string): never => {
    throw new ConfigurationError(`baseline ${origin}: ${problem}`)
  }
  let json: unknown
  try {
    json = JSON.parse(sarifText)
  } catch (error) {
    return fail(jsonSyntaxProblem(error, sarifText))
  }
  if (!isRecord(json) || !Array.isArray(json.runs)) {
    return fail('not a SARIF log (no runs): use the SARIF file an earlier run of this action wrote')
  }
  const fingerprints = new Set<string>()
  let results = 0
  json.runs.forEach((run: unknown, i) => {
    if (!isRecord(run)) fail(`runs[${i}] is not an object`)
    const list = (run as Record<string, unknown>).results
    if (list === undefined) return
    if (!Array.isArray(list)) fail(`runs[${i}].results is not a list`)
    for (const result of list as unknown[]) {
      results++
      if (!isRecord(result) || !isRecord(result.partialFingerprints)) continue
      const hash = result.partialFingerprints.primaryLocationLineHash
      if (typeof hash === 'string' && hash !== '') fingerprints.add(hash)
    }
  })
  // Results without our fingerprints mean another tool's SARIF: everything would look new.
  if (results > 0 && fingerprints.size === 0) {
    fail(
      `none of its ${results} result(s) has partialFingerprints.primaryLocationLineHash: is it a SARIF from container-security-gate?`,
    )
  }
  return fingerprints
}

export function markBaseline(
  findings: readonly Finding[],
  baseline: ReadonlySet<string>,
  repository: string,
  // Required, not defaulted: suppressing by accident would let a known problem pass the gate.
  options: { gateOn: GateOn },
): BaselineOutcome {
  const gateOnNew = options.gateOn === 'new'
  const states = new Map<Finding, BaselineState>()
  let newCount = 0
  let existingCount = 0
  const out = findings.map((finding) => {
    const existing = baseline.has(fingerprintOf(finding, repository))
    let result = finding
    if (existing) {
      existingCount++
      if (gateOnNew && !finding.suppression) {
        result = { ...finding, suppression: { kind: 'baseline', reason: 'present in baseline' } }
      }
    } else {
      newCount++
    }
    states.set(result, existing ? 'existing' : 'new')
    return result
  })
  return { findings: out, newCount, existingCount, states }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
