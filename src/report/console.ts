/**
 * The CLI's table on stdout: verdict, counts per image, scanner problems, the most severe findings.
 * Columns have bounded widths; colour only when asked (a terminal); text from reports is stripped of
 * control characters so a crafted title cannot move the cursor or recolour the terminal. Pure.
 */
import type { Finding } from '../findings/finding.js'
import { countBySeverity, SEVERITIES, type Severity } from '../findings/severity.js'
import type { VerdictResult } from '../policy/gate.js'
import {
  allFindings,
  compareFindings,
  fixedVersionsText,
  locationText,
  oneLine,
  truncate,
} from './finding-text.js'
import type { GateResult } from './gate-result.js'

export interface ConsoleTableOptions {
  color: boolean
  /** Findings listed (default 25); the rest are counted. */
  maxRows?: number
}

const DEFAULT_MAX_ROWS = 25

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  brightRed: '\u001b[91m',
} as const

const SEVERITY_COLOR: Record<Severity, string> = {
  critical: ANSI.brightRed + ANSI.bold,
  high: ANSI.red,
  medium: ANSI.yellow,
  low: ANSI.blue,
  unknown: ANSI.dim,
}

const VERDICT_COLOR: Record<VerdictResult, string> = { pass: ANSI.green, fail: ANSI.red, error: ANSI.magenta }

interface Column {
  title: string
  max: number
  value: (finding: Finding) => string
}

const COLUMNS: readonly Column[] = [
  { title: 'SEVERITY', max: 8, value: (f) => f.severity.toUpperCase() },
  { title: 'ID', max: 24, value: (f) => f.ruleId },
  {
    title: 'PACKAGE / CHECK',
    max: 32,
    value: (f) => (f.package !== undefined && f.package.name !== '' ? f.package.name : f.title),
  },
  { title: 'VERSION', max: 20, value: (f) => f.package?.version ?? '' },
  { title: 'FIXED IN', max: 20, value: (f) => fixedVersionsText(f) },
  { title: 'SCANNERS', max: 20, value: (f) => f.detectedBy.join(',') },
  { title: 'LOCATION', max: 30, value: (f) => locationText(f) },
]

export function formatConsoleTable(result: GateResult, options: ConsoleTableOptions): string {
  const paint = (text: string, code: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text)
  const lines: string[] = []
  const v = result.verdict

  lines.push(
    paint(v.result.toUpperCase(), VERDICT_COLOR[v.result] + ANSI.bold) + ` — container security gate`,
  )
  for (const reason of v.reasons.slice(0, 20)) lines.push(`  ${oneLine(reason, 300)}`)
  if (result.baseline !== undefined) {
    lines.push(`  baseline: ${result.baseline.newCount} new, ${result.baseline.existingCount} already known`)
  }
  for (const note of (result.notes ?? []).slice(0, 20))
    lines.push(paint(`  note: ${oneLine(note, 300)}`, ANSI.yellow))
  lines.push('')

  for (const image of result.images) {
    const counts = countBySeverity(image.findings.filter((f) => f.suppression === undefined))
    const suppressed = image.findings.length - counts.total
    const parts = SEVERITIES.map((s) =>
      paint(`${s} ${counts[s]}`, counts[s] > 0 ? SEVERITY_COLOR[s] : ANSI.dim),
    )
    lines.push(
      `${oneLine(image.target, 80)}: ${counts.total} finding(s) — ${parts.join(', ')}` +
        (suppressed > 0 ? ` (+${suppressed} suppressed)` : ''),
    )
    for (const run of image.scanners.filter((r) => r.status !== 'ok')) {
      const text = `  ${run.status === 'failed' ? 'FAILED' : 'skipped'}: ${oneLine(run.name, 40)}: ${oneLine(run.message ?? 'no reason given', 200)}`
      lines.push(run.status === 'failed' ? paint(text, ANSI.red) : text)
    }
  }

  const active = allFindings(result)
    .filter((f) => f.finding.suppression === undefined)
    .map((f) => f.finding)
    .sort(compareFindings)
  if (active.length === 0) return `${lines.join('\n')}\n`

  const shown = active.slice(0, Math.max(0, options.maxRows ?? DEFAULT_MAX_ROWS))
  const cells = shown.map((f) => COLUMNS.map((c) => truncate(oneLine(c.value(f), 300), c.max)))
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => width(row[i] ?? ''))))
  lines.push('')
  lines.push(
    paint(
      COLUMNS.map((c, i) => pad(c.title, widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
      ANSI.bold,
    ),
  )
  shown.forEach((finding, r) => {
    const row = cells[r] ?? []
    const text = row.map((value, i) => {
      const padded = pad(value, widths[i] ?? 0)
      // Colour after padding so escape codes never count towards the width.
      return i === 0 ? paint(padded, SEVERITY_COLOR[finding.severity]) : padded
    })
    lines.push(text.join('  ').trimEnd())
  })
  if (active.length > shown.length) {
    lines.push(
      paint(
        `… and ${active.length - shown.length} more finding(s); see the SARIF or --json output.`,
        ANSI.dim,
      ),
    )
  }
  return `${lines.join('\n')}\n`
}

/** Display width in code points (close enough for the ASCII most reports use). */
function width(text: string): number {
  return Array.from(text).length
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)))
}
