/**
 * The CLI's table on stdout: verdict, counts per image, scanner problems, the most severe findings.
 * Columns have bounded widths; colour only when asked (a terminal); text from reports is stripped of
 * control characters so a crafted title cannot move the cursor or recolour the terminal. Pure.
 */
import type { KevStatus } from '../findings/exploit-data.js'
import type { Finding } from '../findings/finding.js'
import { countBySeverity, SEVERITIES, type Severity } from '../findings/severity.js'
import type { VerdictResult } from '../policy/gate.js'
import {
  allFindings,
  compareForReport,
  fixedVersionsText,
  locationText,
  oneLine,
  truncate,
} from './finding-text.js'
import { baseImageText } from './summary-base.js'
import type { GateResult } from './gate-result.js'
import { buildFixPlan, fixActionText } from './fix-plan.js'
import { appendAll } from '../util/arrays.js'

export interface ConsoleTableOptions {
  color: boolean
  /** Findings listed (default 25; `Infinity` for all); the rest are counted. */
  maxRows?: number
  /** Terminal width the table must fit (default 80, what a terminal of unknown width is assumed to be). */
  columns?: number
  /** Changes of the fix plan listed (default 3). */
  maxFixes?: number
}

const DEFAULT_COLUMNS = 80
const DEFAULT_MAX_FIXES = 3

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
  /** Where a cut value keeps its text: the start (names, ids) or both ends (a path's file and line). */
  cut?: 'end' | 'middle'
  /** Width an 80-column terminal shrinks it to (floors add up to 66 + 14 spaces), never below
   * its title. */
  floor: number
}

const COLUMNS: readonly Column[] = [
  // FAIL marks what failed the gate; `-` is reported but exempt (the verdict lines say by which rule).
  {
    title: 'GATE',
    max: 4,
    floor: 4,
    value: (f) => (f.gate === undefined ? '' : f.gate.status === 'fail' ? 'FAIL' : '-'),
  },
  { title: 'SEVERITY', max: 8, floor: 8, value: (f) => f.severity.toUpperCase() },
  // CVE-2023-12345 whole.
  { title: 'ID', max: 24, floor: 14, value: (f) => f.ruleId },
  {
    // A package, or the check's title for findings that are not about one.
    title: 'PACKAGE',
    max: 32,
    floor: 9,
    value: (f) => (f.package !== undefined && f.package.name !== '' ? f.package.name : f.title),
  },
  { title: 'VERSION', max: 20, floor: 7, value: (f) => f.package?.version ?? '' },
  { title: 'FIXED IN', max: 20, floor: 8, value: (f) => fixedVersionsText(f) },
  { title: 'SCANNERS', max: 20, floor: 8, value: (f) => f.detectedBy.join(',') },
  { title: 'LOCATION', max: 40, floor: 8, value: (f) => locationText(f), cut: 'middle' },
]

/** The KEV catalog a run used, or why none; nothing when the run did not ask for KEV data. */
function kevConsoleLine(kev: KevStatus): string | undefined {
  switch (kev.state) {
    case 'loaded':
    case 'stale':
      return (
        `kev: ${kev.marked ?? 0} known exploited (CISA catalog ${kev.catalogVersion ?? '?'}, ${kev.count ?? 0} entries` +
        `${kev.state === 'stale' ? ', cached: the download failed' : ''})`
      )
    case 'unavailable':
      return `KEV data unavailable: ${kev.reason ?? 'unknown error'}`
    default:
      return undefined
  }
}

export function formatConsoleTable(result: GateResult, options: ConsoleTableOptions): string {
  const paint = (text: string, code: string): string => (options.color ? `${code}${text}${ANSI.reset}` : text)
  const lines: string[] = []
  const v = result.verdict

  lines.push(
    paint(v.result.toUpperCase(), VERDICT_COLOR[v.result] + ANSI.bold) + ` — container security gate`,
  )
  for (const warning of (result.warnings ?? []).slice(0, 20))
    lines.push(paint(`  warning: ${oneLine(warning, 300)}`, ANSI.yellow))
  for (const reason of v.reasons.slice(0, 20)) lines.push(`  ${oneLine(reason, 300)}`)
  if (result.baseline !== undefined) {
    lines.push(`  baseline: ${result.baseline.newCount} new, ${result.baseline.existingCount} already known`)
  }
  const baseText = baseImageText(result)
  if (baseText !== undefined) lines.push(`  base image: ${oneLine(baseText, 400)}`)
  for (const note of (result.notes ?? []).slice(0, 20))
    lines.push(paint(`  note: ${oneLine(note, 300)}`, ANSI.yellow))
  const kev = result.exploitData !== undefined ? kevConsoleLine(result.exploitData.kev) : undefined
  if (kev !== undefined) {
    const text = `  ${oneLine(kev, 300)}`
    lines.push(kev.startsWith('KEV data') ? paint(text, ANSI.yellow) : text)
  }
  appendAll(
    lines,
    fixPlanLines(result, options.maxFixes ?? DEFAULT_MAX_FIXES, options.columns ?? DEFAULT_COLUMNS),
  )
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
    .sort(compareForReport)
  if (active.length === 0) return `${lines.join('\n')}\n`

  const shown = active.slice(0, Math.max(0, options.maxRows ?? DEFAULT_MAX_ROWS))
  const full = shown.map((f) => COLUMNS.map((c) => oneLine(c.value(f), 300)))
  // Columns empty on every row say nothing; severity and id always stay.
  const kept = COLUMNS.map((_, i) => i).filter(
    (i) => i === 1 || i === 2 || full.some((row) => (row[i] ?? '') !== ''),
  )
  const columns = kept.map((i) => COLUMNS[i] as Column)
  const widths = fitWidths(
    columns.map((c, k) =>
      Math.min(c.max, Math.max(c.title.length, ...full.map((row) => width(row[kept[k] ?? 0] ?? '')))),
    ),
    [columns.map((c) => c.floor), columns.map((c) => c.title.length)],
    options.columns ?? DEFAULT_COLUMNS,
  )
  const cells = full.map((row) =>
    columns.map((c, k) => cut(row[kept[k] ?? 0] ?? '', widths[k] ?? 0, c.cut ?? 'end')),
  )
  lines.push('')
  lines.push(
    paint(
      columns
        .map((c, i) => pad(c.title, widths[i] ?? 0))
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
      const column = columns[i]?.title
      if (column === 'SEVERITY') return paint(padded, SEVERITY_COLOR[finding.severity])
      return column === 'GATE' && value === 'FAIL' ? paint(padded, ANSI.red + ANSI.bold) : padded
    })
    lines.push(text.join('  ').trimEnd())
  })
  if (active.length > shown.length) {
    lines.push(
      paint(
        `… and ${active.length - shown.length} more finding(s): --all or --max-rows N lists them.`,
        ANSI.dim,
      ),
    )
  }
  return `${lines.join('\n')}\n`
}

/** `Fix first:` and the top changes of the fix plan, numbered; nothing when there is nothing to change. */
function fixPlanLines(result: GateResult, max: number, columns: number): string[] {
  const plan = buildFixPlan(result)
  if (plan.length === 0) return []
  const shown = plan.slice(0, Math.max(0, max))
  const lines = ['', 'Fix first:']
  shown.forEach((action, i) => {
    const number = `  ${i + 1}. `
    lines.push(
      number + cut(oneLine(fixActionText(action), 300), Math.max(20, columns - number.length), 'middle'),
    )
  })
  if (plan.length > shown.length) lines.push(`  … and ${plan.length - shown.length} more change(s)`)
  return lines
}

/**
 * Column widths that fit `total` characters with two spaces between columns: the widest column gives up
 * a character at a time, down to each column's floor, then (a very narrow terminal) to its title, never
 * below it (a header is not broken mid-word).
 */
function fitWidths(
  natural: readonly number[],
  minimums: readonly (readonly number[])[],
  total: number,
): number[] {
  const widths = [...natural]
  const used = (): number => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1)
  for (const minimum of minimums) {
    while (used() > total) {
      let widest = -1
      widths.forEach((w, i) => {
        if (w > (minimum[i] ?? 0) && (widest < 0 || w > (widths[widest] ?? 0))) widest = i
      })
      if (widest < 0) break
      widths[widest] = (widths[widest] ?? 0) - 1
    }
  }
  return widths
}

/** `text` in `max` characters: cut at the end, or in the middle keeping the end (`/usr/…/Dockerfile:7`). */
function cut(text: string, max: number, where: 'end' | 'middle'): string {
  if (where === 'end' || width(text) <= max) return truncate(text, max)
  const chars = Array.from(text)
  // A narrow column keeps only the end (`…erfile:4-5`); a wider one a little of the start too.
  const head = max > 20 ? Math.floor((max - 1) / 3) : 0
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`
}

/** Display width in code points (close enough for the ASCII most reports use). */
function width(text: string): number {
  return Array.from(text).length
}

function pad(text: string, to: number): string {
  return text + ' '.repeat(Math.max(0, to - width(text)))
}
