/**
 * Several scanners, one result: the same vulnerability (any shared id among CVE/GHSA/distro advisories) on
 * the same package version is one finding crediting every scanner that reported it. Other kinds merge only
 * on an identical rule, subject, location and layer. Linear in the number of findings (maps and union-find,
 * no pairwise comparison); the output is independent of input order and merging twice changes nothing.
 * Pure.
 */
import type { Finding, FixState } from './finding.js'
import { higherEpss } from './exploit-data.js'
import { KINDS } from './finding.js'
import { maxSeverity, severityRank, type Severity } from './severity.js'
import { normalizePackagePath, packageVersionKey } from './package-identity.js'
import { SCANNER_IDS } from '../scanners/scanner.js'
import {
  canonicalSpelling,
  chooseRuleId,
  compareIds,
  idSortKey,
  naturalCompare,
} from './vulnerability-ids.js'
import { appendAll } from '../util/arrays.js'

export interface MergeOptions {
  /** `highest`: the most severe any scanner gave; a scanner id: that scanner's when it reported it. */
  severitySource: string
}

export function mergeFindings(findings: readonly Finding[], options: MergeOptions): Finding[] {
  const groups = new Map<string, Finding[]>()
  for (const finding of findings) {
    const key = groupKey(finding)
    const group = groups.get(key)
    if (group) group.push(finding)
    else groups.set(key, [finding])
  }

  const merged: Finding[] = []
  for (const group of groups.values()) {
    const clusters = group[0]?.kind === 'vulnerability' ? vulnerabilityClusters(group) : [group]
    for (const cluster of clusters) merged.push(combine(cluster, options))
  }
  return sortOutput(merged)
}

// ---------------------------------------------------------------------------------------------- grouping

function groupKey(f: Finding): string {
  if (f.kind === 'vulnerability') {
    // Ids are compared inside the group; the package version (or, without a package, the subject) bounds it.
    const what = f.package ? packageVersionKey(f.package) : `\u0001${f.subject ?? ''}\u0000${locationKey(f)}`
    return `vulnerability\u0000${f.target}\u0000${what}`
  }
  const pkg = f.package ? packageVersionKey(f.package) : ''
  return [
    f.kind,
    f.target,
    f.ruleId.toUpperCase(),
    f.subject ?? '',
    locationKey(f),
    pkg,
    f.layer?.diffId ?? '',
  ].join('\u0000')
}

function locationKey(f: Finding): string {
  return f.location ? `${f.location.path}:${f.location.startLine}` : ''
}

function idsOf(f: Finding): string[] {
  return [f.ruleId, ...f.aliases].map((id) => id.trim()).filter((id) => id !== '')
}

/**
 * Splits one package version's vulnerability findings into "same vulnerability" clusters: connected by a
 * shared id, and at the same path when the findings say where the package is.
 */
function vulnerabilityClusters(group: Finding[]): Finding[][] {
  const clusters: Finding[][] = []
  for (const component of connectById(group)) {
    if (component.length === 1) {
      clusters.push(component)
      continue
    }
    const byPath = new Map<string, Finding[]>()
    for (const f of component) {
      const path = f.package?.path ? normalizePackagePath(f.package.path) : ''
      const bucket = byPath.get(path)
      if (bucket) bucket.push(f)
      else byPath.set(path, [f])
    }
    const located = [...byPath.keys()].filter((p) => p !== '')
    if (located.length <= 1) {
      clusters.push(component)
      continue
    }
    // Two copies of the package at different paths are two problems; a finding without a path cannot say
    // which copy it means, so it stays on its own. Ids are re-linked inside each path's share.
    for (const bucket of byPath.values()) appendAll(clusters, connectById(bucket))
  }
  return clusters
}

/** Union-find over findings that share any id (case-insensitively), so A~B and B~C end up together. */
function connectById(members: Finding[]): Finding[][] {
  if (members.length === 1) return [members]
  const parent = members.map((_, i) => i)
  const find = (i: number): number => {
    let root = i
    while (parent[root] !== root) root = parent[root]!
    while (parent[i] !== root) {
      const next = parent[i]!
      parent[i] = root
      i = next
    }
    return root
  }
  const firstById = new Map<string, number>()
  members.forEach((f, i) => {
    for (const id of idsOf(f)) {
      const key = id.toUpperCase()
      const seen = firstById.get(key)
      if (seen === undefined) firstById.set(key, i)
      else parent[find(i)] = find(seen)
    }
  })
  const components = new Map<number, Finding[]>()
  members.forEach((f, i) => {
    const root = find(i)
    const list = components.get(root)
    if (list) list.push(f)
    else components.set(root, [f])
  })
  return [...components.values()]
}

// --------------------------------------------------------------------------------------------- combining

const SCANNER_ORDER = new Map<string, number>(SCANNER_IDS.map((id, i) => [id, i]))

/** Fixed preference between scanners for the fields only one finding can give (title, package spelling). */
function scannerRank(f: Finding): number {
  let best: number = SCANNER_IDS.length
  for (const id of f.detectedBy) best = Math.min(best, SCANNER_ORDER.get(id) ?? SCANNER_IDS.length)
  return best
}

function combine(cluster: Finding[], options: MergeOptions): Finding {
  const members = cluster.length > 1 ? [...cluster].sort(compareMembers) : cluster
  const primary = members[0]!

  // One pass over the members: the first defined value (preferred scanner first) or the union of all.
  const ids = new Map<string, string>()
  const detected = new Set<string>()
  const references = new Set<string>()
  const bySource: SeverityBySource = {}
  const vendor: Record<string, Severity> = {}
  let title = primary.title
  let description = ''
  let score: number | undefined
  let fixState: FixState | undefined
  const fixVersions = new Set<string>()
  let purl: string | undefined
  let path: string | undefined
  let layer: Finding['layer']
  let location: Finding['location']
  let instruction: Finding['instruction']
  let subject: string | undefined
  let help: Finding['help']
  let evidence: string | undefined
  let suppression: Finding['suppression']
  let epss: Finding['epss']
  let kev: Finding['kev']
  for (const f of members) {
    for (const id of idsOf(f)) {
      const key = id.toUpperCase()
      const spelled = canonicalSpelling(id)
      const seen = ids.get(key)
      if (seen === undefined || spelled < seen) ids.set(key, spelled)
    }
    for (const d of f.detectedBy) detected.add(d)
    for (const r of f.references) references.add(r)
    if (f.severityBySource) {
      for (const [scanner, entry] of Object.entries(f.severityBySource)) putSeverity(bySource, scanner, entry)
    } else if (f.detectedBy.length === 1) {
      putSeverity(bySource, f.detectedBy[0]!, { severity: f.severity })
    }
    if (f.vendorSeverity) {
      for (const [name, severity] of Object.entries(f.vendorSeverity)) {
        const seen = vendor[name]
        if (seen === undefined || severityRank(severity) > severityRank(seen)) vendor[name] = severity
      }
    }
    if (title === '' && f.title !== '') title = f.title
    if (
      f.description.length > description.length ||
      (f.description.length === description.length && f.description < description)
    ) {
      description = f.description
    }
    if (f.score !== undefined && Number.isFinite(f.score) && (score === undefined || f.score > score))
      score = f.score
    if (f.fix) {
      // A fix any scanner knows about is a fix; the versions are everything anyone offered.
      if (fixState === undefined || FIX_PREFERENCE[f.fix.state] > FIX_PREFERENCE[fixState])
        fixState = f.fix.state
      for (const v of f.fix.versions) if (v.trim() !== '') fixVersions.add(v)
    }
    purl ??= f.package?.purl
    path ??= f.package?.path
    if (!layer && f.layer) layer = { ...f.layer }
    else if (
      layer &&
      layer.createdBy === undefined &&
      f.layer?.diffId === layer.diffId &&
      f.layer.createdBy !== undefined
    ) {
      layer.createdBy = f.layer.createdBy
    }
    location ??= f.location
    instruction ??= f.instruction
    subject ??= f.subject
    help ??= f.help
    evidence ??= f.evidence
    suppression ??= f.suppression
    epss = higherEpss(epss, f.epss)
    kev ??= f.kev
  }

  // Only vulnerabilities are re-keyed on a CVE; other kinds keep the rule they were grouped on.
  const ruleId =
    primary.kind === 'vulnerability'
      ? (chooseRuleId([...ids.values()], new Set(members.map((f) => f.ruleId.trim().toUpperCase()))) ??
        primary.ruleId)
      : (ids.get(primary.ruleId.trim().toUpperCase()) ?? primary.ruleId)
  const severityBySource = Object.keys(bySource).length > 0 ? sortKeys(bySource) : undefined
  const result: Finding = {
    kind: primary.kind,
    ruleId,
    aliases: [...ids.values()].filter((id) => id !== ruleId).sort(compareIds),
    title,
    description,
    severity: chooseSeverity(members, severityBySource, options.severitySource),
    detectedBy: [...detected].sort(),
    target: primary.target,
    references: [...references],
  }
  if (score !== undefined) result.score = score
  if (severityBySource) result.severityBySource = severityBySource
  if (Object.keys(vendor).length > 0) result.vendorSeverity = sortKeys(vendor)
  if (primary.package) {
    result.package = { ...primary.package }
    if (purl !== undefined) result.package.purl = purl
    if (path !== undefined) result.package.path = path
  }
  if (fixState !== undefined)
    result.fix = { state: fixState, versions: [...fixVersions].sort(naturalCompare) }
  if (layer) result.layer = layer
  if (location) result.location = { ...location }
  if (instruction) result.instruction = { ...instruction }
  if (subject !== undefined) result.subject = subject
  if (help) result.help = { ...help }
  if (evidence !== undefined) result.evidence = evidence
  if (suppression) result.suppression = { ...suppression }
  if (epss) result.epss = { ...epss }
  if (kev) result.kev = { ...kev }
  return result
}

type SeverityBySource = NonNullable<Finding['severityBySource']>

function putSeverity(out: SeverityBySource, scanner: string, entry: SeverityBySource[string]): void {
  const seen = out[scanner]
  // One scanner reporting the same problem twice (a CVE and its GHSA match): keep its higher word.
  if (!seen || severityRank(entry.severity) > severityRank(seen.severity)) out[scanner] = { ...entry }
}

function chooseSeverity(
  members: Finding[],
  bySource: SeverityBySource | undefined,
  source: string,
): Severity {
  if (source !== 'highest') {
    const chosen = bySource?.[source]
    if (chosen) return chosen.severity
  }
  const all = members.map((f) => f.severity)
  if (bySource) for (const entry of Object.values(bySource)) all.push(entry.severity)
  return maxSeverity(all)
}

const FIX_PREFERENCE: Record<FixState, number> = { fixed: 3, 'wont-fix': 2, 'not-fixed': 1, unknown: 0 }

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const key of Object.keys(record).sort()) out[key] = record[key]!
  return out
}

// ------------------------------------------------------------------------------------------------ order

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Members of one cluster: preferred scanner first, then a total order so input order never matters. */
function compareMembers(a: Finding, b: Finding): number {
  return (
    scannerRank(a) - scannerRank(b) ||
    compareStrings(a.detectedBy.join(','), b.detectedBy.join(',')) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(JSON.stringify(a), JSON.stringify(b))
  )
}

const KIND_ORDER = new Map<string, number>(KINDS.map((k, i) => [k, i]))

/** Output order: kind, target, rule (ids in natural order), package, subject, location, scanners. */
function sortOutput(findings: Finding[]): Finding[] {
  const keyed = findings.map((finding) => ({ finding, key: outputKey(finding) }))
  keyed.sort(
    (a, b) =>
      compareStrings(a.key, b.key) || compareStrings(JSON.stringify(a.finding), JSON.stringify(b.finding)),
  )
  return keyed.map((k) => k.finding)
}

function outputKey(f: Finding): string {
  return [
    KIND_ORDER.get(f.kind) ?? 0,
    f.target,
    idSortKey(f.ruleId),
    f.package?.name ?? '',
    f.package?.version ?? '',
    f.package?.path ?? '',
    f.subject ?? '',
    locationKey(f),
    f.detectedBy.join(','),
  ].join('\u0000')
}
