/**
 * Reads InSpec / Cinc Auditor reports: the `json` reporter ({platform, profiles: [{name, parent_profile?,
 * controls: [{id, title, desc, impact, tags, refs, results: [{status, code_desc, message,
 * skip_message}]}]}], statistics, version}), `json-automate` (the same layout, dependency controls merged
 * into their wrapper) and `json-min` ({controls: [{id, profile_id, status, code_desc, message}]}, one row
 * per result). A control is a finding when any of its results failed. Pure.
 *
 * Severity follows InSpec's impact scale: ≥ 0.9 critical, ≥ 0.7 high, ≥ 0.4 medium, > 0 low; impact 0
 * ("none", informational controls) is kept as an `unknown`-severity finding that never fails the gate.
 * A control without an impact (json-min has none) gets InSpec's default, 0.5 (medium).
 *
 * A report in which every control was skipped (or that ran none) checked nothing: the default profile of
 * many users, dev-sec's cis-docker-benchmark, skips every control inside a container (`only_if('docker
 * not found')`) and InSpec exits 101. That is a `ScannerError`, never a clean pass; when only some
 * controls were skipped, the count is attached as the run's note (run-notes.ts).
 */
import type { Finding } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'
import { ScannerError } from '../util/errors.js'
import {
  isRecord,
  nonBlankString,
  parseJsonReport,
  truncate,
  uniqueStrings,
  type JsonRecord,
} from './report-json.js'
import { withRunNote } from './run-notes.js'
import type { ParseContext } from './scanner.js'

const ID = 'cinc-auditor'

/** InSpec's default impact of a control that sets none. */
export const DEFAULT_IMPACT = 0.5

/** InSpec's impact → our severity (see the file comment). */
export function impactSeverity(impact: number): Severity {
  if (!Number.isFinite(impact) || impact <= 0) return 'unknown'
  if (impact >= 0.9) return 'critical'
  if (impact >= 0.7) return 'high'
  if (impact >= 0.4) return 'medium'
  return 'low'
}

interface ControlResult {
  status: string
  codeDesc: string
  message?: string
  skipMessage?: string
}

interface Control {
  id: string
  profile: string
  /** The top-level profile the control was run under (wrapper profiles include their dependencies). */
  root: string
  title?: string
  desc?: string
  impact: number
  references: string[]
  results: ControlResult[]
  waiver?: string
}

const MAX_RESULT_TEXT = 500
const MAX_LISTED_RESULTS = 10
/** 10 lines of this, the description and the waiver stay within MAX_DESCRIPTION. */
const MAX_RESULT_LINE = 300
const MAX_DESCRIPTION = 4000

/** Reads only what is needed of a result, never more than a bounded prefix of huge strings. */
function readResult(value: unknown): ControlResult | undefined {
  if (!isRecord(value)) return undefined
  const status = nonBlankString(value.status)?.toLowerCase()
  if (status === undefined) return undefined
  const codeDesc = nonBlankString(value.code_desc) ?? nonBlankString(value.resource) ?? ''
  const message = nonBlankString(value.message) ?? nonBlankString(value.exception)
  const result: ControlResult = { status, codeDesc: truncate(codeDesc, MAX_RESULT_TEXT) }
  if (message !== undefined) result.message = truncate(message, MAX_RESULT_TEXT)
  const skipMessage = nonBlankString(value.skip_message)
  if (skipMessage !== undefined) result.skipMessage = truncate(skipMessage, MAX_RESULT_TEXT)
  return result
}

function refsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  return uniqueStrings(
    value.map((ref) => {
      if (!isRecord(ref)) return undefined
      const url = nonBlankString(ref.url) ?? nonBlankString(ref.uri)
      return url !== undefined && /^https?:\/\//.test(url) ? url : undefined
    }),
  )
}

/** The top-level profile of each profile, following `parent_profile`. */
function rootsOf(profiles: readonly JsonRecord[]): Map<string, string> {
  const parent = new Map<string, string>()
  for (const p of profiles) {
    const name = nonBlankString(p.name)
    const up = nonBlankString(p.parent_profile)
    if (name !== undefined && up !== undefined && up !== name) parent.set(name, up)
  }
  const roots = new Map<string, string>()
  for (const p of profiles) {
    const name = nonBlankString(p.name)
    if (name === undefined) continue
    let root = name
    const seen = new Set([root])
    for (let up = parent.get(root); up !== undefined && !seen.has(up); up = parent.get(root)) {
      root = up
      seen.add(up)
    }
    roots.set(name, root)
  }
  return roots
}

function fullControls(root: JsonRecord, fail: (what: string) => never): Control[] {
  const profiles = (root.profiles as unknown[]).map((p, i) =>
    isRecord(p) ? p : fail(`profiles[${i}] is not an object`),
  )
  const roots = rootsOf(profiles)
  const controls: Control[] = []
  profiles.forEach((profile, i) => {
    const name = nonBlankString(profile.name) ?? `profile ${i + 1}`
    if (nonBlankString(profile.status) === 'failed') {
      const why =
        nonBlankString(profile.status_message) ?? nonBlankString(profile.skip_message) ?? 'no reason given'
      fail(`says profile ${name} failed to run: ${truncate(why, 300)}`)
    }
    const list = profile.controls ?? []
    if (!Array.isArray(list)) fail(`profiles[${i}].controls is not an array`)
    ;(list as unknown[]).forEach((c, j) => {
      if (!isRecord(c)) fail(`profiles[${i}].controls[${j}] is not an object`)
      const control = c
      const id = nonBlankString(control.id) ?? fail(`profiles[${i}].controls[${j}] has no "id"`)
      const rawResults = control.results ?? []
      if (!Array.isArray(rawResults))
        fail(`profiles[${i}].controls[${j}] (${id}) has a "results" that is not an array`)
      const impact = typeof control.impact === 'number' ? control.impact : DEFAULT_IMPACT
      const waiver = isRecord(control.waiver_data)
        ? nonBlankString(control.waiver_data.justification)
        : undefined
      const item: Control = {
        id,
        profile: name,
        root: roots.get(name) ?? name,
        impact,
        references: refsOf(control.refs),
        results: (rawResults as unknown[]).map(readResult).filter((r): r is ControlResult => r !== undefined),
      }
      const title = nonBlankString(control.title)
      const desc = nonBlankString(control.desc)
      if (title !== undefined) item.title = truncate(title, 300)
      if (desc !== undefined) item.desc = truncate(desc, 1500)
      if (waiver !== undefined) item.waiver = truncate(waiver, 300)
      controls.push(item)
    })
  })
  return controls
}

function minControls(root: JsonRecord, fail: (what: string) => never): Control[] {
  const byKey = new Map<string, Control>()
  ;(root.controls as unknown[]).forEach((row, i) => {
    if (!isRecord(row)) fail(`controls[${i}] is not an object`)
    const r = row
    const id = nonBlankString(r.id) ?? fail(`controls[${i}] has no "id"`)
    const result = readResult(r) ?? fail(`controls[${i}] (${id}) has no "status"`)
    const profile = nonBlankString(r.profile_id) ?? ''
    const key = `${profile}\u0000${id}`
    const control = byKey.get(key) ?? {
      id,
      profile,
      root: profile,
      impact: DEFAULT_IMPACT,
      references: [],
      results: [],
    }
    control.results.push(result)
    byKey.set(key, control)
  })
  return [...byKey.values()]
}

const isFailure = (r: ControlResult): boolean => r.status === 'failed' || r.status === 'error'

/** A control that ran nothing: every result skipped (`only_if`, unsupported platform) or no result at all. */
const isSkipped = (c: Control): boolean => c.results.every((r) => r.status === 'skipped')

/** `profile NAME was skipped ("why")` for the first profile InSpec skipped as a whole (json reporter). */
function skippedProfile(root: JsonRecord): string | undefined {
  if (!Array.isArray(root.profiles)) return undefined
  const profile = (root.profiles as unknown[]).find(
    (p): p is JsonRecord => isRecord(p) && nonBlankString(p.status) === 'skipped',
  )
  if (profile === undefined) return undefined
  const why = nonBlankString(profile.status_message) ?? nonBlankString(profile.skip_message)
  const name = nonBlankString(profile.name) ?? 'the profile'
  return `profile ${name} was skipped${why !== undefined ? ` ("${truncate(why, 200)}")` : ''}`
}

/** Throws when nothing was checked; returns the run note when some controls were skipped. */
function skippedNote(
  controls: readonly Control[],
  profileSkip: string | undefined,
  fail: (what: string) => never,
): string | undefined {
  const skipped = controls.filter(isSkipped)
  if (controls.length === 0) {
    fail(
      profileSkip !== undefined
        ? `checked nothing: ${profileSkip}`
        : 'checked nothing: it holds no controls (did the profile load?)',
    )
  }
  if (skipped.length === controls.length) {
    const why = skipped.flatMap((c) => c.results).find((r) => r.skipMessage !== undefined)?.skipMessage
    fail(
      `checked nothing: every control was skipped (${controls.length} of ${controls.length})` +
        `${why !== undefined ? ` (e.g. "${truncate(why, 200)}")` : ''}; the profile does not apply to this target`,
    )
  }
  return skipped.length > 0 ? `${skipped.length} of ${controls.length} controls skipped` : undefined
}

/**
 * Merges the occurrences of one control id under one top-level profile (a wrapper and the dependency
 * it includes list the same control): the wrapper's own definition (title, impact) wins, results add up.
 */
function mergeOccurrences(controls: readonly Control[]): Control[] {
  const merged = new Map<string, Control>()
  for (const control of controls) {
    const key = `${control.root}\u0000${control.id}`
    const seen = merged.get(key)
    if (seen === undefined) {
      merged.set(key, { ...control, results: [...control.results] })
      continue
    }
    const wrapperWins = control.profile === control.root && seen.profile !== seen.root
    const base: Control = wrapperWins ? { ...control, results: seen.results } : seen
    const known = new Set(base.results.map(resultKey))
    for (const result of control.results) {
      if (!known.has(resultKey(result))) base.results.push(result)
      known.add(resultKey(result))
    }
    merged.set(key, base)
  }
  return [...merged.values()]
}

const resultKey = (r: ControlResult): string => `${r.status}\u0000${r.codeDesc}\u0000${r.message ?? ''}`

/** The control's description and its failed results, within MAX_DESCRIPTION, the count of the rest kept. */
function describeControl(control: Control, failed: readonly ControlResult[]): string {
  const parts: string[] = []
  if (control.desc !== undefined) parts.push(truncate(control.desc, 600))
  const lines = failed.slice(0, MAX_LISTED_RESULTS).map((r) => {
    const what = r.codeDesc !== '' ? r.codeDesc : '(no description)'
    return truncate(r.message !== undefined ? `- ${what}: ${r.message}` : `- ${what}`, MAX_RESULT_LINE)
  })
  if (failed.length > MAX_LISTED_RESULTS) {
    lines.push(`- … and ${failed.length - MAX_LISTED_RESULTS} more failed results`)
  }
  parts.push(`Failed:\n${lines.join('\n')}`)
  if (control.waiver !== undefined) parts.push(`Waiver: ${control.waiver}`)
  return truncate(parts.join('\n\n'), MAX_DESCRIPTION)
}

/** Reads an InSpec / Cinc Auditor `json`, `json-automate` or `json-min` report. Pure. */
export function parseInspecReport(reportText: string, ctx: ParseContext): Finding[] {
  const fail = (what: string): never => {
    throw new ScannerError(ID, `cinc-auditor report ${ctx.origin} ${what}`)
  }
  const root = parseJsonReport(reportText, ID, ctx.origin)
  if (!isRecord(root)) return fail('is not a JSON object')
  let controls: Control[]
  if (Array.isArray(root.profiles)) controls = mergeOccurrences(fullControls(root, fail))
  else if (Array.isArray(root.controls)) controls = minControls(root, fail)
  else return fail('has neither "profiles" (json reporter) nor "controls" (json-min reporter)')
  const note = skippedNote(controls, skippedProfile(root), fail)
  const target = ctx.target ?? ctx.origin
  // The same control id under two unrelated top-level profiles stays two findings, told apart by profile.
  const idCount = new Map<string, number>()
  for (const c of controls) idCount.set(c.id, (idCount.get(c.id) ?? 0) + 1)
  const findings: Finding[] = []
  for (const control of controls) {
    const failed = control.results.filter(isFailure)
    if (failed.length === 0) continue
    const severity = impactSeverity(control.impact)
    const finding: Finding = {
      kind: 'compliance',
      ruleId: control.id,
      aliases: [],
      title: control.title ?? control.id,
      description: describeControl(control, failed),
      severity,
      severityBySource: { [ID]: { severity, original: `impact ${control.impact}` } },
      detectedBy: [ID],
      target,
      references: control.references,
    }
    if ((idCount.get(control.id) ?? 0) > 1 && control.root !== '') finding.subject = `profile ${control.root}`
    const first = failed[0]
    if (first !== undefined) finding.evidence = truncate(first.message ?? first.codeDesc, 200)
    findings.push(finding)
  }
  return note !== undefined ? withRunNote(findings, note) : findings
}
