/**
 * The job summary (GitHub-flavoured markdown): verdict and reasons, counts per image, how each scanner
 * fared, the most severe findings, and what was left out. GitHub refuses a step summary over 1 MiB, so the
 * tables are capped and the whole text is shrunk until it fits, however many findings there are. Every
 * piece of text from a report is escaped. Pure.
 */
import type { Finding } from '../findings/finding.js'
import { countBySeverity, SEVERITIES, type Severity, type SeverityCounts } from '../findings/severity.js'
import type { Verdict, VerdictResult } from '../policy/gate.js'
import {
  allFindings,
  compareFindings,
  gateRank,
  durationText,
  firstWebReference,
  fixedVersionsText,
  locationText,
  type LocatedFinding,
} from './finding-text.js'
import type { ImageInventory } from '../inventory/package.js'
import { buildFixPlan, fixActionText } from './fix-plan.js'
import type { GateResult, ImageResult, ScannerRun } from './gate-result.js'
import { cell, escapeMarkdown, imagePathCell, link, table } from './markdown.js'
import {
  compareByExploitation,
  epssCell,
  exploitSection,
  hasExploitData,
  kevCell,
} from './summary-exploit.js'
import { baseImageSection } from './summary-base.js'

/** GitHub's limit per step summary is 1 MiB; the margin leaves room for what the caller appends. */
export const DEFAULT_SUMMARY_MAX_BYTES = 1024 * 1024 - 32 * 1024
const DEFAULT_MAX_FINDING_ROWS = 100
const DEFAULT_MAX_IMAGE_ROWS = 100
const DEFAULT_MAX_SCANNER_ROWS = 200
const DEFAULT_MAX_FIXES = 10
const MAX_REASONS = 20
const MAX_NOTES = 20

export interface SummaryOptions {
  maxBytes?: number
  /** Results left out of the SARIF log by the limits guard. */
  truncatedResults?: number
  /** The SARIF file written, to point readers at the full list. */
  sarifFile?: string
  /** Extra lines for the "left out" section (limit notes, upload skipped, ...). */
  notes?: string[]
  /** Rows of the top-findings table before size capping (default 100). */
  maxFindingRows?: number
}

const VERDICT_ICON: Record<VerdictResult, string> = { pass: '✅', fail: '❌', error: '⚠️' }
const VERDICT_WORD: Record<VerdictResult, string> = { pass: 'passed', fail: 'failed', error: 'errored' }
export const SEVERITY_ICON: Record<Severity, string> = {
  critical: '🟥',
  high: '🟧',
  medium: '🟨',
  low: '🟦',
  unknown: '⬜',
}
const STATUS_TEXT: Record<ScannerRun['status'], string> = {
  ok: '✅ ok',
  failed: '❌ **failed**',
  skipped: '⏭️ skipped',
}

interface Caps {
  fixes: number
  findings: number
  images: number
  scanners: number
}

export function buildSummaryMarkdown(result: GateResult, options: SummaryOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES
  const unsorted = allFindings(result).filter((f) => f.finding.suppression === undefined)
  // Failing findings first; within each gate status, with KEV marks or EPSS scores the most likely
  // exploited come first, else the most severe.
  const within = hasExploitData(unsorted.map((f) => f.finding)) ? compareByExploitation : compareFindings
  const active = unsorted.sort(
    (a, b) => gateRank(a.finding) - gateRank(b.finding) || within(a.finding, b.finding),
  )
  const caps: Caps = {
    fixes: DEFAULT_MAX_FIXES,
    findings: Math.max(0, options.maxFindingRows ?? DEFAULT_MAX_FINDING_ROWS),
    images: DEFAULT_MAX_IMAGE_ROWS,
    scanners: DEFAULT_MAX_SCANNER_ROWS,
  }
  let text = render(result, active, options, caps)
  // Shrink the biggest table first; the verdict and counts are what matter most.
  while (byteLength(text) > maxBytes && (caps.findings > 0 || caps.scanners > 0 || caps.images > 0)) {
    if (caps.findings > 0) caps.findings = Math.floor(caps.findings / 2)
    else if (caps.scanners > 0) caps.scanners = Math.floor(caps.scanners / 2)
    else caps.images = Math.floor(caps.images / 2)
    text = render(result, active, options, caps)
  }
  return byteLength(text) > maxBytes ? cutToBytes(text, maxBytes) : text
}

function render(
  result: GateResult,
  active: readonly LocatedFinding[],
  options: SummaryOptions,
  caps: Caps,
): string {
  const multipleImages = result.images.length > 1
  const sections = [
    verdictSection(result),
    fixPlanSection(result, caps.fixes),
    exploitSection(result.exploitData),
    baseImageSection(result),
    imagesSection(result.images, caps.images),
    packagesSection(result.inventories ?? [], caps.images),
    scannersSection(result.images, caps.scanners, multipleImages),
    findingsSection(active, caps.findings, multipleImages),
    notesSection(result.notes ?? []),
    leftOutSection(result, active.length, caps, options),
  ]
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`
}

function verdictSection(result: GateResult): string {
  const v = result.verdict
  const lines = [`## ${VERDICT_ICON[v.result]} Container security gate ${VERDICT_WORD[v.result]}`, '']
  const warnings = result.warnings ?? []
  for (const warning of warnings.slice(0, MAX_NOTES)) lines.push(`> ⚠️ ${escapeMarkdown(warning, 500)}`, '')
  for (const reason of v.reasons.slice(0, MAX_REASONS)) lines.push(`- ${escapeMarkdown(reason, 500)}`)
  if (v.reasons.length > MAX_REASONS) lines.push(`- … and ${v.reasons.length - MAX_REASONS} more reason(s)`)
  const c = v.counts
  lines.push(
    '',
    `**${c.total}** finding(s): ${SEVERITIES.map((s) => `${SEVERITY_ICON[s]} ${c[s]} ${s}`).join(' · ')}` +
      ` — ${v.failing} fail the gate, ${exemptCount(v)} exempt, ${v.suppressed} suppressed.`,
  )
  if (result.baseline !== undefined) {
    const { newCount, existingCount } = result.baseline
    lines.push('', `Baseline: **${newCount}** new finding(s), ${existingCount} already in the baseline.`)
  }
  return lines.join('\n')
}

function exemptCount(verdict: Verdict): number {
  // Baseline matches are counted with the suppressed ones here, as the tables leave them out.
  const { baseline: _inSuppressed, ...others } = verdict.exempt ?? {}
  return Object.values(others).reduce((sum, n) => sum + n, 0)
}

/** The fix plan's top changes, numbered: what to do first, right under the verdict. */
function fixPlanSection(result: GateResult, cap: number): string {
  const plan = buildFixPlan(result)
  if (plan.length === 0) return ''
  const lines = plan
    .slice(0, cap)
    .map((action, i) => `${i + 1}. ${escapeMarkdown(fixActionText(action), 400)}`)
  if (plan.length > cap) lines.push('', `… and ${plan.length - cap} more change(s): see the findings below.`)
  return `### Fix first\n\n${lines.join('\n')}`
}

/** Lines the pipeline asks the summary to show (expired or unused ignore rules, ...). */
function notesSection(notes: readonly string[]): string {
  if (notes.length === 0) return ''
  const lines = notes.slice(0, MAX_NOTES).map((note) => `- ${escapeMarkdown(note, 1000)}`)
  if (notes.length > MAX_NOTES) lines.push(`- … and ${notes.length - MAX_NOTES} more note(s)`)
  return `### Notes\n\n${lines.join('\n')}`
}

function imagesSection(images: readonly ImageResult[], cap: number): string {
  if (images.length === 0) return ''
  const header = [
    'Image',
    ...SEVERITIES.map((s) => `${SEVERITY_ICON[s]} ${capitalise(s)}`),
    'Total',
    'Suppressed',
  ]
  const totals = { counts: countBySeverity([]), suppressed: 0 }
  const rows: string[][] = []
  images.forEach((image, i) => {
    const counts = countBySeverity(image.findings.filter((f) => f.suppression === undefined))
    const suppressed = image.findings.filter((f) => f.suppression !== undefined).length
    addCounts(totals.counts, counts)
    totals.suppressed += suppressed
    if (i < cap) rows.push([cell(image.target, 150), ...countCells(counts), String(suppressed)])
  })
  if (images.length > cap)
    rows.push([`… ${images.length - cap} more image(s)`, ...header.slice(1).map(() => '')])
  if (images.length > 1)
    rows.push(['**Total**', ...countCells(totals.counts).map((c) => `**${c}**`), `**${totals.suppressed}**`])
  return `### Findings by image\n\n${table(header, rows)}`
}

/** One line per image: how many packages each layer brought in (layers that added none are left out). */
function packagesSection(inventories: readonly ImageInventory[], cap: number): string {
  if (inventories.length === 0) return ''
  const lines = inventories.slice(0, cap).map((inventory) => {
    const perLayer = inventory.packagesPerLayer
      .map((count, index) => (count > 0 ? `layer ${index}: ${count}` : ''))
      .filter((part) => part !== '')
    const distro =
      inventory.distro?.prettyName !== undefined
        ? ` (${escapeMarkdown(inventory.distro.prettyName, 100)})`
        : ''
    return `- ${cell(inventory.target)}${distro}: **${inventory.packages.length}** package(s)${perLayer.length > 0 ? ` — ${perLayer.join(', ')}` : ''}`
  })
  if (inventories.length > cap) lines.push(`- … and ${inventories.length - cap} more image(s)`)
  return `### Packages per layer\n\n${lines.join('\n')}`
}

function scannersSection(images: readonly ImageResult[], cap: number, multipleImages: boolean): string {
  const runs = images.flatMap((image) => image.scanners.map((run) => ({ image, run })))
  if (runs.length === 0) return ''
  const failed = runs.filter((r) => r.run.status === 'failed')
  const lines = ['### Scanners', '']
  if (failed.length > 0) {
    const names = [...new Set(failed.map((r) => r.run.name))].join(', ')
    lines.push(
      `> ❌ **${failed.length} scanner run(s) failed (${escapeMarkdown(names, 300)}): the results below are incomplete.**`,
      '',
    )
  }
  const header = [
    ...(multipleImages ? ['Image'] : []),
    'Scanner',
    'Status',
    'Version',
    'Findings',
    'Duration',
    'Details',
  ]
  // Failed runs first so they cannot be cut off.
  const ordered = [...failed, ...runs.filter((r) => r.run.status !== 'failed')]
  const rows = ordered
    .slice(0, cap)
    .map(({ image, run }) => [
      ...(multipleImages ? [cell(image.target, 100)] : []),
      cell(run.name, 60),
      STATUS_TEXT[run.status],
      cell(run.version, 40),
      run.status === 'ok' ? String(run.findings) : '—',
      cell(durationText(run.durationMs)),
      cell(detailsOf(run), 300),
    ])
  if (ordered.length > cap) rows.push([`… ${ordered.length - cap} more`, ...header.slice(1).map(() => '')])
  lines.push(table(header, rows))
  return lines.join('\n')
}

function detailsOf(run: ScannerRun): string | undefined {
  const origin = run.origin === 'report' ? 'imported from a report' : undefined
  if (run.message === undefined) return origin
  return origin === undefined ? run.message : `${origin}; ${run.message}`
}

function findingsSection(active: readonly LocatedFinding[], cap: number, multipleImages: boolean): string {
  if (active.length === 0) return '### Findings\n\nNo findings (other than suppressed ones).'
  const shown = active.slice(0, cap)
  const title =
    shown.length === active.length
      ? `### Findings (${active.length})`
      : `### Top ${shown.length} of ${active.length} findings`
  if (shown.length === 0)
    return `${title}\n\nThe table was left out to keep this summary under GitHub's size limit.`
  const exploit = hasExploitData(shown.map((f) => f.finding))
  const header = [
    'Gate',
    'Severity',
    'ID',
    ...(exploit ? ['KEV', 'EPSS'] : []),
    'Package / check',
    'Fixed in',
    'Detected by',
    'Location',
    ...(multipleImages ? ['Image'] : []),
  ]
  const rows = shown.map(({ finding, image }) => [
    gateCell(finding),
    `${SEVERITY_ICON[finding.severity]} ${finding.severity}`,
    link(finding.ruleId, firstWebReference(finding), 80),
    ...(exploit ? [kevCell(finding), epssCell(finding)] : []),
    cell(whatOf(finding), 120),
    cell(fixedVersionsText(finding), 80),
    cell(finding.detectedBy.join(', '), 80),
    // A Dockerfile line (`Dockerfile:7`) as text, a file in the image (`/bin/[`) as code.
    finding.location !== undefined
      ? cell(`${locationText(finding)}${finding.base === true ? ' (base)' : ''}`, 100)
      : imagePathCell(locationText(finding), 100),
    ...(multipleImages ? [cell(image.target, 80)] : []),
  ])
  return `${title}\n\n${table(header, rows)}`
}

/** `❌ **fails**`, `exempt: only-fixed`; `—` when the gate has not judged it. */
function gateCell(finding: Finding): string {
  const gate = finding.gate
  if (gate === undefined) return '—'
  if (gate.status === 'fail') return '❌ **fails**'
  return gate.status === 'exempt' ? `exempt: ${gate.reason}` : `suppressed: ${gate.source}`
}

/** `openssl@3.0.1`, or the check's title for findings that are not about a package. */
function whatOf(finding: Finding): string {
  if (finding.package !== undefined && finding.package.name !== '') {
    return finding.package.version === ''
      ? finding.package.name
      : `${finding.package.name}@${finding.package.version}`
  }
  return finding.title === '' ? finding.ruleId : finding.title
}

function leftOutSection(
  result: GateResult,
  activeCount: number,
  caps: Caps,
  options: SummaryOptions,
): string {
  const lines: string[] = []
  const where =
    options.sarifFile === undefined
      ? 'in code scanning and the findings file'
      : `in the SARIF file ${escapeMarkdown(options.sarifFile, 300)} and in code scanning`
  if (activeCount > caps.findings) {
    lines.push(
      `- ${activeCount - caps.findings} more finding(s) are not listed here; all of them are ${where}.`,
    )
  }
  if (result.verdict.suppressed > 0) {
    lines.push(
      `- ${result.verdict.suppressed} suppressed finding(s) (ignore rules, VEX, baseline) are not listed; they are ${where}, marked suppressed.`,
    )
  }
  if (options.truncatedResults !== undefined && options.truncatedResults > 0) {
    lines.push(
      `- ${options.truncatedResults} result(s) were left out of the SARIF log to stay within GitHub's code scanning limits; the most severe were kept.`,
    )
  }
  const notes = options.notes ?? []
  for (const note of notes.slice(0, MAX_NOTES)) lines.push(`- ${escapeMarkdown(note, 1000)}`)
  if (notes.length > MAX_NOTES) lines.push(`- … and ${notes.length - MAX_NOTES} more note(s)`)
  if (lines.length === 0) return ''
  return `### What was left out\n\n${lines.join('\n')}`
}

function countCells(counts: SeverityCounts): string[] {
  return [...SEVERITIES.map((s) => String(counts[s])), String(counts.total)]
}

function addCounts(into: SeverityCounts, add: SeverityCounts): void {
  for (const s of SEVERITIES) into[s] += add[s]
  into.total += add.total
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Last resort: cut on a line boundary within `maxBytes` bytes, with a note. */
function cutToBytes(text: string, maxBytes: number): string {
  const note = '\n\n… The summary was cut to stay under GitHub’s size limit.\n'
  const room = Math.max(0, maxBytes - byteLength(note))
  let cut = Buffer.from(text, 'utf8').subarray(0, room).toString('utf8')
  // A cut inside a multi-byte character decodes to U+FFFD; drop it, then go back to a line end.
  cut = cut.replace(/\uFFFD+$/, '')
  const lastNewline = cut.lastIndexOf('\n')
  if (lastNewline > 0) cut = cut.slice(0, lastNewline)
  return cut + note
}
