/**
 * EPSS scores from FIRST's daily CSV (https://www.first.org/epss/data_stats; the file
 * `epss_scores-YYYY-MM-DD.csv.gz`, gunzipped): a `#model_version:…,score_date:…` comment line, a header
 * `cve,epss,percentile`, then one row per CVE with probabilities in 0..1. Findings take the score of the
 * CVE they name (rule id or alias). Pure.
 */
import { cveIdsOf, type EpssScore } from '../findings/exploit-data.js'
import type { Finding } from '../findings/finding.js'

export interface EpssTable {
  /** `model_version` from the comment line, when present. */
  modelVersion?: string
  /** `score_date` (`YYYY-MM-DD`) from the comment line, when present. */
  scoreDate?: string
  /** Upper-cased CVE id → score and percentile. */
  scores: Map<string, { score: number; percentile?: number }>
}

/** The file is not FIRST's EPSS CSV; the message names the line. */
export class EpssFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'EpssFileError'
  }
}

const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/i

export function parseEpssCsv(text: string): EpssTable {
  const table: EpssTable = { scores: new Map() }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  let columns: { cve: number; epss: number; percentile: number } | undefined
  lines.forEach((raw, index) => {
    const line = raw.trim()
    const lineNo = index + 1
    if (line === '') return
    if (line.startsWith('#')) {
      readMetadata(line.slice(1), table)
      return
    }
    const cells = line.split(',').map((cell) => cell.trim())
    if (columns === undefined) {
      const names = cells.map((c) => c.toLowerCase())
      columns = {
        cve: names.indexOf('cve'),
        epss: names.indexOf('epss'),
        percentile: names.indexOf('percentile'),
      }
      if (columns.cve < 0 || columns.epss < 0) {
        throw new EpssFileError(
          `line ${lineNo}: expected the header "cve,epss,percentile" (FIRST's EPSS CSV), got "${truncate(line)}"`,
        )
      }
      return
    }
    const cve = cells[columns.cve] ?? ''
    if (!CVE_ID.test(cve)) throw new EpssFileError(`line ${lineNo}: "${truncate(cve)}" is not a CVE id`)
    const score = probability(cells[columns.epss], 'epss', lineNo)
    const percentile =
      columns.percentile >= 0 ? probability(cells[columns.percentile], 'percentile', lineNo) : undefined
    table.scores.set(cve.toUpperCase(), { score, ...(percentile !== undefined ? { percentile } : {}) })
  })
  if (columns === undefined) throw new EpssFileError('no "cve,epss,percentile" header: not an EPSS CSV')
  if (table.scores.size === 0) throw new EpssFileError('the file has a header but no scores')
  return table
}

/** `model_version:v2025.03.14,score_date:2026-05-18T00:00:00Z`; unknown keys are ignored. */
function readMetadata(text: string, table: EpssTable): void {
  for (const part of text.split(',')) {
    const colon = part.indexOf(':')
    if (colon < 0) continue
    const key = part.slice(0, colon).trim().toLowerCase()
    const value = part.slice(colon + 1).trim()
    if (key === 'model_version' && value !== '') table.modelVersion = value
    if (key === 'score_date' && /^\d{4}-\d{2}-\d{2}/.test(value)) table.scoreDate = value.slice(0, 10)
  }
}

function probability(cell: string | undefined, column: string, lineNo: number): number {
  const text = cell ?? ''
  const value = /^\d*\.?\d+(e-?\d+)?$/i.test(text) ? Number(text) : Number.NaN
  if (!(value >= 0 && value <= 1))
    throw new EpssFileError(
      `line ${lineNo}: ${column} "${truncate(text)}" is not a probability between 0 and 1`,
    )
  return value
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}

/**
 * Gives each vulnerability finding the file's score for the CVE it names (the highest when it names
 * several). The file replaces a scanner's score: it is the data the user chose.
 */
export function applyEpssTable(findings: readonly Finding[], table: EpssTable): Finding[] {
  return findings.map((finding) => {
    if (finding.kind !== 'vulnerability') return finding
    let best: EpssScore | undefined
    for (const cve of cveIdsOf(finding)) {
      const entry = table.scores.get(cve)
      if (entry === undefined || (best !== undefined && best.score >= entry.score)) continue
      best = {
        cve,
        score: entry.score,
        ...(entry.percentile !== undefined ? { percentile: entry.percentile } : {}),
        ...(table.scoreDate !== undefined ? { date: table.scoreDate } : {}),
        source: 'epss-file',
      }
    }
    return best === undefined ? finding : { ...finding, epss: best }
  })
}
