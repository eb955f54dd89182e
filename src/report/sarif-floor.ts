/**
 * `sarif-severity`: a floor below which findings stay out of the SARIF log (and so out of code scanning)
 * and out of the annotations, while the findings file, the summary counts and the gate keep them. Pure.
 */
import type { Finding } from '../findings/finding.js'
import { severityRank, type Severity } from '../findings/severity.js'
import type { GateResult } from './gate-result.js'

/** True when `finding` is at or above the floor (every finding is, without one). */
export function meetsSarifFloor(finding: Finding, floor: Severity | undefined): boolean {
  return floor === undefined || severityRank(finding.severity) >= severityRank(floor)
}

/** `result` without the findings below `floor`, and a note saying how many were left out. */
export function applySarifFloor(
  result: GateResult,
  floor: Severity | undefined,
): { result: GateResult; below: number; notes: string[] } {
  if (floor === undefined) return { result, below: 0, notes: [] }
  let below = 0
  const images = result.images.map((image) => {
    const kept = image.findings.filter((f) => meetsSarifFloor(f, floor))
    below += image.findings.length - kept.length
    return kept.length === image.findings.length ? image : { ...image, findings: kept }
  })
  if (below === 0) return { result, below, notes: [] }
  return {
    result: { ...result, images },
    below,
    notes: [
      `${below} finding(s) below sarif-severity ${floor} were left out of the SARIF log and the annotations; ` +
        'they are in the findings file and counted above, and the gate judged them as usual.',
    ],
  }
}
