/** Severities, their order, and the mapping of scanner vocabularies onto them. Pure. */

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const
export type Severity = (typeof SEVERITIES)[number]

/** What `fail-on` accepts: a severity at or above which the gate fails, or `none`. */
export const THRESHOLDS = ['critical', 'high', 'medium', 'low', 'none'] as const
export type Threshold = (typeof THRESHOLDS)[number]

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 }

/** Higher is more severe; `unknown` ranks lowest. */
export function severityRank(severity: Severity): number {
  return RANK[severity]
}

/** Sort comparator: most severe first. */
export function bySeverityDesc(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a]
}

export function maxSeverity(severities: Iterable<Severity>): Severity {
  let best: Severity = 'unknown'
  for (const s of severities) if (RANK[s] > RANK[best]) best = s
  return best
}

/** True when a finding of `severity` meets the `threshold` (`none` is never met; `unknown` never meets one). */
export function meetsThreshold(severity: Severity, threshold: Threshold): boolean {
  if (threshold === 'none' || severity === 'unknown') return false
  return RANK[severity] >= RANK[threshold]
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value)
}

export function isThreshold(value: string): value is Threshold {
  return (THRESHOLDS as readonly string[]).includes(value)
}

/**
 * Maps a scanner's severity word onto ours: CRITICAL/High/moderate/negligible/... Negligible and
 * informational map to `low` (the original word is kept by the caller). Anything unrecognised is `unknown`.
 */
export function normalizeSeverity(word: string | undefined | null): Severity {
  switch ((word ?? '').trim().toLowerCase()) {
    case 'critical':
      return 'critical'
    case 'high':
    case 'important':
    case 'error':
      return 'high'
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium'
    case 'low':
    case 'negligible':
    case 'minor':
    case 'info':
    case 'informational':
    case 'note':
      return 'low'
    default:
      return 'unknown'
  }
}

/** CVSS v3 qualitative rating of a base score (0 is none → unknown). */
export function severityFromScore(score: number): Severity {
  if (!Number.isFinite(score) || score <= 0) return 'unknown'
  if (score >= 9) return 'critical'
  if (score >= 7) return 'high'
  if (score >= 4) return 'medium'
  return 'low'
}

/** The numeric `security-severity` GitHub reads when no CVSS score is known. */
export const DEFAULT_SECURITY_SEVERITY: Record<Severity, number | undefined> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  unknown: undefined,
}

export type SeverityCounts = Record<Severity, number> & { total: number }

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }
}

export function countBySeverity(items: Iterable<{ severity: Severity }>): SeverityCounts {
  const counts = emptyCounts()
  for (const item of items) {
    counts[item.severity]++
    counts.total++
  }
  return counts
}
