/**
 * Plain-text pieces every report shares: the one-line description of a finding, its fix, its place, and
 * the "most severe first" order. Text from scanner reports is untrusted: everything here is flattened to
 * one printable line; each writer adds its own escaping (markdown, ANSI) on top. Pure.
 */
import type { Finding } from '../findings/finding.js'
import { severityRank } from '../findings/severity.js'
import type { GateResult, ImageResult } from './gate-result.js'

/** C0/C1 control characters (ANSI escapes, NUL, ...) and line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** Anything `oneLine` would change: a control character, whitespace other than one inner space. */
// eslint-disable-next-line no-control-regex
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[^\S ]| {2}|^ | $/

/** One printable line: control characters and newlines become spaces, runs of spaces collapse, cut at `max`. */
export function oneLine(text: string, max = 500): string {
  // Most text is already one clean line: testing for that allocates nothing, replacing always copies.
  if (!NOT_ONE_LINE.test(text)) return truncate(text, max)
  const flat = text.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim()
  return truncate(flat, max)
}

/** Cuts `text` to at most `max` characters, ending in `…` when cut, never inside a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  if (max <= 1) return '…'.slice(0, Math.max(0, max))
  let cut = text.slice(0, max - 1)
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return `${cut}…`
}

/** `openssl 3.0.1 (apk)`, or undefined when the finding is not about a package. */
export function packageText(finding: Finding): string | undefined {
  const pkg = finding.package
  if (pkg === undefined || pkg.name === '') return undefined
  const version = pkg.version === '' ? '' : ` ${pkg.version}`
  const type = pkg.type === '' ? '' : ` (${pkg.type})`
  return oneLine(`${pkg.name}${version}${type}`, 200)
}

/** `fixed in 3.0.8, 3.1.2`, `no fix available`, ... or undefined when nothing is known. */
export function fixText(finding: Finding): string | undefined {
  const fix = finding.fix
  if (fix === undefined) return undefined
  const versions = fix.versions.filter((v) => v.trim() !== '')
  if (versions.length > 0) return oneLine(`fixed in ${versions.join(', ')}`, 200)
  switch (fix.state) {
    case 'fixed':
      return 'a fix is available'
    case 'not-fixed':
      return 'no fix available'
    case 'wont-fix':
      return 'will not be fixed'
    case 'unknown':
      return undefined
  }
}

/** The fixed versions alone (`3.0.8, 3.1.2`), empty when none is known. */
export function fixedVersionsText(finding: Finding): string {
  return oneLine((finding.fix?.versions ?? []).filter((v) => v.trim() !== '').join(', '), 200)
}

/** `Dockerfile:12-14`, else the subject (`/root/.ssh/id_rsa`, `22/tcp`), else the package file, else ''. */
export function locationText(finding: Finding): string {
  const loc = finding.location
  if (loc !== undefined) {
    const end = loc.endLine !== undefined && loc.endLine > loc.startLine ? `-${loc.endLine}` : ''
    return oneLine(`${loc.path}:${loc.startLine}${end}`, 200)
  }
  if (finding.subject !== undefined && finding.subject !== '') return oneLine(finding.subject, 200)
  if (finding.package?.path !== undefined) return oneLine(finding.package.path, 200)
  return ''
}

/**
 * What, where, fix and who, on one line:
 * `CVE-2023-1234 in openssl 3.0.1 (apk), fixed in 3.0.8 — found by trivy, grype`;
 * `CSG001: Image runs as root [USER root] — found by builtin`.
 */
export function findingMessage(finding: Finding, max = 1000): string {
  const pkg = packageText(finding)
  const parts: string[] = []
  if (finding.kind === 'vulnerability' && pkg !== undefined) {
    parts.push(`${finding.ruleId} in ${pkg}`)
  } else {
    const title = finding.title.trim() === '' ? finding.ruleId : finding.title
    let what = `${finding.ruleId}: ${title}`
    if (finding.subject !== undefined && finding.subject !== '') what += ` [${finding.subject}]`
    if (pkg !== undefined) what += ` in ${pkg}`
    parts.push(what)
  }
  const fix = fixText(finding)
  let text = fix === undefined ? parts.join('') : `${parts.join('')}, ${fix}`
  if (finding.detectedBy.length > 0) text += ` — found by ${finding.detectedBy.join(', ')}`
  return oneLine(text, max)
}

/** The first reference that is an http(s) URL, normalised; undefined when there is none. */
export function firstWebReference(finding: Finding): string | undefined {
  for (const reference of finding.references) {
    const url = safeWebUrl(reference)
    if (url !== undefined) return url
  }
  return undefined
}

/** The URL when it parses and is http(s) (never `javascript:`, `data:`, ...), else undefined. */
export function safeWebUrl(text: string): string | undefined {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  if (url.username !== '' || url.password !== '') return undefined
  return url.href
}

/** Failing findings first, then exempt ones (and findings the gate has not judged), then suppressed. */
export function gateRank(finding: Finding): number {
  const status = finding.gate?.status ?? (finding.suppression !== undefined ? 'suppressed' : 'exempt')
  return status === 'fail' ? 0 : status === 'exempt' ? 1 : 2
}

/** The order of every report: failing findings first, each group most severe first. */
export function compareForReport(a: Finding, b: Finding): number {
  return gateRank(a) - gateRank(b) || compareFindings(a, b)
}

/** `fail`, `exempt: only-fixed`, `suppressed: vex`; '' when the gate has not judged the finding. */
export function gateText(finding: Finding): string {
  const gate = finding.gate
  if (gate === undefined) return ''
  if (gate.status === 'fail') return 'fail'
  return gate.status === 'exempt' ? `exempt: ${gate.reason}` : `suppressed: ${gate.source}`
}

/** Most severe first: severity, then CVSS score, then rule id and package for a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (b.score ?? -1) - (a.score ?? -1) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.package?.name ?? '', b.package?.name ?? '') ||
    compareText(a.package?.version ?? '', b.package?.version ?? '') ||
    compareText(a.subject ?? '', b.subject ?? '') ||
    compareText(a.target, b.target)
  )
}

/** Code-unit order, independent of the locale the process runs in. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export interface LocatedFinding {
  finding: Finding
  image: ImageResult
}

/** Every finding of every image, with its image. */
export function allFindings(result: GateResult): LocatedFinding[] {
  return result.images.flatMap((image) => image.findings.map((finding) => ({ finding, image })))
}

/** `1.2 s`, `850 ms`, `2 min 3 s`; '' when unknown. */
export function durationText(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return ''
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const minutes = Math.floor(seconds / 60)
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`
}

/**
 * `Known exploited (CISA KEV: added 2021-12-10, due 2021-12-24, ransomware use: Known). EPSS 0.97 (99th
 * percentile)`, or undefined when nothing is known about exploitation.
 */
export function exploitationText(finding: Finding): string | undefined {
  const parts: string[] = []
  const kev = finding.kev
  if (kev !== undefined) {
    parts.push(
      `Known exploited (CISA KEV: added ${kev.dateAdded}, due ${kev.dueDate}, ransomware use: ${kev.knownRansomwareCampaignUse}).`,
    )
  }
  const epss = epssText(finding)
  if (epss !== undefined) parts.push(`EPSS ${epss}.`)
  return parts.length > 0 ? oneLine(parts.join(' '), 300) : undefined
}

/** `0.97 (99th percentile)`, or undefined without a score. */
export function epssText(finding: Finding): string | undefined {
  const epss = finding.epss
  if (epss === undefined || !Number.isFinite(epss.score)) return undefined
  const score = Number(epss.score.toFixed(4)).toString()
  if (epss.percentile === undefined) return score
  const percentile = Math.floor(epss.percentile * 100)
  return `${score} (${percentile}${ordinalSuffix(percentile)} percentile)`
}

function ordinalSuffix(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th'
  return ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'
}
