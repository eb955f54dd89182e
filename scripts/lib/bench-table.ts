/** Formats the benchmark's results: the comparison table, the growth line, the targets, the heap figures. */
import { constants } from 'node:buffer'

export interface SizeResult {
  /** Findings per scanner. */
  size: number
  inputBytes: number
  ours: {
    workMs: number
    wallMs: number
    maxRssBytes: number
    findingsIn: number
    findingsOut: number
    sarifResults: number
  }
  floor: { workMs: number; wallMs: number; maxRssBytes: number }
  multitool?: { wallMs: number; peakRssBytes: number }
  repetitions: number
}

export interface HeapFigures {
  format: 'trivy' | 'grype'
  reportBytes: number
  findings: number
  textHeapBytes: number
  treeHeapBytes: number
  findingsHeapBytes: number
  maxRssBytes: number
}

export function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MiB`
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`
}

function ratio(a: number, b: number | undefined): string {
  return b === undefined || !Number.isFinite(a / b) ? 'n/a' : `${(a / b).toFixed(2)}×`
}

function count(n: number): string {
  return n >= 1000 ? `${n / 1000}k` : String(n)
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
}

export function formatTable(results: readonly SizeResult[]): string {
  const header = [
    'size',
    'ours',
    'floor',
    'ours/floor',
    'multitool',
    'ours/multitool',
    'ours peak RSS',
    'RSS/input size',
  ]
  const rows = results.map((r) => [
    `${count(r.size)}+${count(r.size)} (${mib(r.inputBytes)})`,
    ms(r.ours.workMs),
    ms(r.floor.workMs),
    ratio(r.ours.workMs, r.floor.workMs),
    r.multitool ? ms(r.multitool.wallMs) : 'n/a',
    ratio(r.ours.wallMs, r.multitool?.wallMs),
    mib(r.ours.maxRssBytes),
    ratio(r.ours.maxRssBytes, r.inputBytes),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  return [
    pad(header, widths),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map((row) => pad(row, widths)),
  ].join('\n')
}

/** Microseconds per input finding for each size, and the ratio of each step to the one before. */
export function formatGrowth(results: readonly SizeResult[]): string {
  const perFinding = results.map((r) => (r.ours.workMs * 1000) / (2 * r.size))
  const steps = results.map((r, i) => {
    const here = `${count(r.size)}: ${perFinding[i]!.toFixed(1)} µs/finding`
    return i === 0 ? here : `${here} (×${(perFinding[i]! / perFinding[i - 1]!).toFixed(2)})`
  })
  return `growth (ours, time per input finding): ${steps.join(' → ')}`
}

export interface TargetCheck {
  name: string
  met: boolean
  detail: string
}

/** The targets at the largest size; "linear" compares the last two sizes' time per finding. */
export function checkTargets(results: readonly SizeResult[]): TargetCheck[] {
  const largest = results.at(-1)
  if (largest === undefined) return []
  const checks: TargetCheck[] = [
    {
      name: `ours ≤ 2× the floor at ${count(largest.size)}+${count(largest.size)}`,
      met: largest.ours.workMs <= 2 * largest.floor.workMs,
      detail: ratio(largest.ours.workMs, largest.floor.workMs),
    },
    {
      name: 'faster than the SARIF Multitool merge',
      met: largest.multitool !== undefined && largest.ours.wallMs < largest.multitool.wallMs,
      detail:
        largest.multitool === undefined
          ? 'Multitool not run'
          : `${ms(largest.ours.wallMs)} vs ${ms(largest.multitool.wallMs)} (whole processes)`,
    },
    {
      name: 'peak RSS ≤ 10× the input size',
      met: largest.ours.maxRssBytes <= 10 * largest.inputBytes,
      detail: `${mib(largest.ours.maxRssBytes)} for ${mib(largest.inputBytes)} (${ratio(largest.ours.maxRssBytes, largest.inputBytes)})`,
    },
  ]
  const previous = results.at(-2)
  if (previous !== undefined) {
    const growth = largest.ours.workMs / (2 * largest.size) / (previous.ours.workMs / (2 * previous.size))
    checks.push({
      name: 'linear growth (time per finding grows < 1.5× from one size to the next)',
      met: growth < 1.5,
      detail: `×${growth.toFixed(2)} from ${count(previous.size)} to ${count(largest.size)}`,
    })
  }
  return checks
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `  [${c.met ? 'met' : 'MISSED'}] ${c.name}: ${c.detail}`).join('\n')
}

export function formatHeap(figures: readonly HeapFigures[], heapLimitBytes: number): string {
  const lines = figures.map((f) => {
    const perFinding = f.reportBytes / f.findings
    const treePerByte = f.treeHeapBytes / f.reportBytes
    const textPerByte = f.textHeapBytes / f.reportBytes
    // Peak while parsing one report: its text + its JSON tree + the findings built so far.
    const peakPerByte = textPerByte + treePerByte + f.findingsHeapBytes / f.reportBytes
    return (
      `  ${f.format}: ${Math.round(perFinding)} bytes of report per finding; heap per report byte: ` +
      `text ${textPerByte.toFixed(2)}, JSON tree ${treePerByte.toFixed(2)}, findings ${(f.findingsHeapBytes / f.reportBytes).toFixed(2)} ` +
      `(${Math.round(f.findingsHeapBytes / f.findings)} bytes per finding); peak ≈ ${peakPerByte.toFixed(2)} × report → ` +
      `one report alone fills this ${mib(heapLimitBytes)} heap at ≈ ${mib(heapLimitBytes / peakPerByte)} ` +
      `(≈ ${Math.round(heapLimitBytes / peakPerByte / perFinding).toLocaleString('en-US')} findings)`
    )
  })
  // readFile(…, 'utf8') of a larger file throws ERR_STRING_TOO_LONG whatever the heap.
  lines.push(
    `  V8's longest string: ${mib(constants.MAX_STRING_LENGTH)} (${constants.MAX_STRING_LENGTH.toLocaleString('en-US')} characters)`,
  )
  return lines.join('\n')
}
