/**
 * CVSS base scores from vectors, for reports that give a vector without a score. Pure: a vector that is
 * not a complete v2/v3.0/v3.1/v4.0 base vector simply has no score.
 */
import cvss from 'ae-cvss-calculator'

const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvss

/** The base score of a CVSS v2/v3.0/v3.1/v4.0 vector, or undefined when it is not a complete vector. */
export function cvssBaseScore(vector: string): number | undefined {
  const v = vector.trim()
  try {
    const result = withoutConsoleWarnings(() => calculate(v))
    const base = result?.base
    return typeof base === 'number' && Number.isFinite(base) && base > 0 ? base : undefined
  } catch {
    return undefined
  }
}

function calculate(v: string): { base?: number | undefined } | undefined {
  if (v.startsWith('CVSS:4.0/')) return new Cvss4P0(v).calculateScores()
  if (v.startsWith('CVSS:3.1/')) return new Cvss3P1(v).calculateScores()
  if (v.startsWith('CVSS:3.0/')) return new Cvss3P0(v).calculateScores()
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(v)) return new Cvss2(v.replace(/[()]/g, '')).calculateScores()
  return undefined
}

/**
 * Runs `compute` with `console.warn` muted: the calculator warns on the console about vectors it cannot
 * read (`Invalid component/value pair`), which would land in the user's job log for every odd advisory.
 * Synchronous, so nothing else can log in between.
 */
function withoutConsoleWarnings<T>(compute: () => T): T {
  const warn = console.warn
  console.warn = () => undefined
  try {
    return compute()
  } finally {
    console.warn = warn
  }
}
