/**
 * Reads OSV-Scanner's JSON report: v2 `scan image` (with `image_metadata` and each package's layer) and
 * `scan source`, and v1 (same `results[].packages[]` layout, groups without `max_severity`). One finding
 * per vulnerability group and package. Pure.
 */
import { cvssBaseScore } from '../findings/cvss.js'
import type { Finding, FixState, LayerRef } from '../findings/finding.js'
import { maxSeverity, normalizeSeverity, severityFromScore, type Severity } from '../findings/severity.js'
import {
  isRecord,
  nonBlankString,
  parseJsonText,
  reportFailure,
  stringItems,
  unique,
  type JsonRecord,
} from './report-json.js'
import type { ParseContext } from './scanner.js'
import { appendAll } from '../util/arrays.js'

const ID = 'osv-scanner'

interface ParseState {
  target: string
  layers: (LayerRef | undefined)[]
  imageScan: boolean
}

/** Reads an osv-scanner JSON report (v2 image or source scan, or v1). Pure. */
export function parseOsvScannerReport(text: string, ctx: ParseContext): Finding[] {
  const fail = reportFailure(ID, ctx.origin)
  const root = parseJsonText(text, fail)
  if (!isRecord(root)) return fail('is not a JSON object')
  // `--allow-no-lockfiles` with nothing to scan writes `"results": null`: a definite empty answer.
  if (root.results === null) return []
  if (!Array.isArray(root.results)) return fail('has no "results" array')
  const state: ParseState = {
    target: ctx.target ?? ctx.origin,
    layers: readLayers(root.image_metadata),
    imageScan: isRecord(root.image_metadata),
  }
  const findings: Finding[] = []
  root.results.forEach((result, i) => {
    if (!isRecord(result)) fail(`results[${i}] is not an object`)
    const entry = result as JsonRecord
    const source = isRecord(entry.source) ? entry.source : {}
    const packages = entry.packages ?? []
    if (!Array.isArray(packages)) fail(`results[${i}].packages is not an array`)
    ;(packages as unknown[]).forEach((pkg, j) => {
      appendAll(findings, packageFindings(pkg, source, state, `results[${i}].packages[${j}]`, fail))
    })
  })
  return findings
}

/** `image_metadata.layer_metadata` is indexed by history entry, so empty layers keep their slot. */
function readLayers(metadata: unknown): (LayerRef | undefined)[] {
  if (!isRecord(metadata) || !Array.isArray(metadata.layer_metadata)) return []
  return metadata.layer_metadata.map((layer) => {
    if (!isRecord(layer)) return undefined
    const diffId = nonBlankString(layer.diff_id)
    if (diffId === undefined || !diffId.startsWith('sha256:')) return undefined
    const createdBy = nonBlankString(layer.command)
    return createdBy === undefined ? { diffId } : { diffId, createdBy }
  })
}

interface Group {
  ids: string[]
  aliases: string[]
  maxSeverity?: string
}

function packageFindings(
  value: unknown,
  source: JsonRecord,
  state: ParseState,
  where: string,
  fail: (what: string) => never,
): Finding[] {
  if (!isRecord(value) || !isRecord(value.package)) return fail(`${where} has no "package" object`)
  const pkg = value.package
  const rawVulns = value.vulnerabilities ?? []
  const rawGroups = value.groups ?? []
  if (!Array.isArray(rawVulns)) return fail(`${where}.vulnerabilities is not an array`)
  if (!Array.isArray(rawGroups)) return fail(`${where}.groups is not an array`)
  const vulns: JsonRecord[] = []
  ;(rawVulns as unknown[]).forEach((v, k) => {
    if (!isRecord(v) || nonBlankString(v.id) === undefined)
      return fail(`${where}.vulnerabilities[${k}] has no "id"`)
    vulns.push(v)
  })
  const byId = new Map(vulns.map((v) => [v.id as string, v]))
  const groups: Group[] = rawGroups
    .filter(isRecord)
    .map((g) => ({
      ids: stringItems(g.ids),
      aliases: stringItems(g.aliases),
      maxSeverity: nonBlankString(g.max_severity),
    }))
    // Groups without ids belong to license violations, not vulnerabilities.
    .filter((g) => g.ids.length > 0)
  const grouped = new Set(groups.flatMap((g) => g.ids))
  for (const v of vulns) {
    const id = v.id as string
    if (!grouped.has(id)) groups.push({ ids: [id], aliases: stringItems(v.aliases) })
  }
  const ref = packageRef(pkg, source, state)
  return groups.map((group) => {
    const members = group.ids.map((id) => byId.get(id)).filter((v): v is JsonRecord => v !== undefined)
    return groupFinding(group, members, { pkg, ref, layer: layerOf(pkg, state), state })
  })
}

function packageRef(pkg: JsonRecord, source: JsonRecord, state: ParseState): NonNullable<Finding['package']> {
  const ecosystem = nonBlankString(pkg.ecosystem)
  const commit = nonBlankString(pkg.commit)
  const sourcePath = nonBlankString(source.path)
  const ref: NonNullable<Finding['package']> = {
    // OS packages: the binary package (`libssl3`), as other scanners name it; `name` is its source package.
    name:
      nonBlankString(pkg.os_package_name) ??
      nonBlankString(pkg.name) ??
      (commit !== undefined ? (sourcePath ?? commit) : ''),
    version: nonBlankString(pkg.version) ?? commit ?? '',
    type: ecosystem !== undefined ? ecosystemType(ecosystem) : commit !== undefined ? 'git' : 'unknown',
  }
  if (sourcePath !== undefined && source.type !== 'os') {
    ref.path = state.imageScan && !sourcePath.startsWith('/') ? `/${sourcePath}` : sourcePath
  }
  return ref
}

/** `Debian:12` → `debian`, `PyPI` → `pypi`. */
const ecosystemType = (ecosystem: string): string => (ecosystem.split(':')[0] ?? ecosystem).toLowerCase()

function layerOf(pkg: JsonRecord, state: ParseState): LayerRef | undefined {
  const details = pkg.image_origin_details
  if (isRecord(details) && typeof details.index === 'number') return state.layers[details.index]
  const legacy = pkg.imageOrigin // early v2: { layerID, originCommand, inBaseImage }
  if (isRecord(legacy)) {
    const diffId = nonBlankString(legacy.layerID)
    const createdBy = nonBlankString(legacy.originCommand)
    if (diffId !== undefined) return createdBy === undefined ? { diffId } : { diffId, createdBy }
  }
  return undefined
}

function groupFinding(
  group: Group,
  members: JsonRecord[],
  context: {
    pkg: JsonRecord
    ref: NonNullable<Finding['package']>
    layer: LayerRef | undefined
    state: ParseState
  },
): Finding {
  const ids = [...group.ids].sort()
  const candidates = unique([...ids, ...group.aliases, ...members.flatMap((m) => stringItems(m.aliases))])
  // A Debian/Ubuntu record names the one CVE it tracks in `upstream`; several upstream CVEs stay apart.
  const upstream = unique(members.flatMap((m) => stringItems(m.upstream)))
  if (upstream.length === 1 && upstream[0]!.startsWith('CVE-')) candidates.push(upstream[0]!)
  const ruleId = candidates.filter((c) => c.startsWith('CVE-')).sort()[0] ?? ids[0]!
  const aliases = unique(candidates).filter((c) => c !== ruleId)
  const rated = rateGroup(group, members)
  const summary = members.map((m) => nonBlankString(m.summary)).find((s) => s !== undefined)
  const details = members.map((m) => nonBlankString(m.details)).find((s) => s !== undefined)
  const finding: Finding = {
    kind: 'vulnerability',
    ruleId,
    aliases,
    title: summary ?? details?.split('\n')[0]?.slice(0, 200) ?? ruleId,
    description: details ?? summary ?? `${ruleId} affects ${context.ref.name} ${context.ref.version}`,
    severity: rated.severity,
    severityBySource: {
      [ID]:
        rated.original !== undefined
          ? { severity: rated.severity, original: rated.original }
          : { severity: rated.severity },
    },
    detectedBy: [ID],
    target: context.state.target,
    package: { ...context.ref },
    fix: fixOf(context.pkg, members),
    references: unique(
      [
        ...ids.map((id) => `https://osv.dev/vulnerability/${id}`),
        ...members.flatMap((m) =>
          (Array.isArray(m.references) ? m.references : []).map((r) =>
            isRecord(r) ? nonBlankString(r.url) : undefined,
          ),
        ),
      ].filter((u): u is string => u !== undefined),
    ),
  }
  if (rated.score !== undefined) finding.score = rated.score
  if (Object.keys(rated.vendor).length > 0) finding.vendorSeverity = rated.vendor
  if (context.layer !== undefined) finding.layer = { ...context.layer }
  return finding
}

/**
 * Severity of a group: the group's `max_severity` (a CVSS base score) when given, else the highest score
 * of the members' CVSS vectors, else the advisories' own words (`database_specific.severity`, Ubuntu's
 * textual `severity[]` entries).
 */
function rateGroup(
  group: Group,
  members: JsonRecord[],
): { severity: Severity; score?: number; original?: string; vendor: Record<string, Severity> } {
  const vendor: Record<string, Severity> = {}
  const words: { severity: Severity; original: string }[] = []
  let vectorScore: number | undefined
  for (const member of members) {
    const entries = Array.isArray(member.severity) ? member.severity.filter(isRecord) : []
    for (const entry of entries) {
      const score = nonBlankString(entry.score)
      if (score === undefined) continue
      if (String(entry.type).startsWith('CVSS')) {
        const base = cvssBaseScore(score)
        if (base !== undefined && (vectorScore === undefined || base > vectorScore)) vectorScore = base
      } else {
        words.push({ severity: normalizeSeverity(score), original: score })
      }
    }
    const word = isRecord(member.database_specific)
      ? nonBlankString(member.database_specific.severity)
      : undefined
    if (word !== undefined && normalizeSeverity(word) !== 'unknown') {
      words.push({ severity: normalizeSeverity(word), original: word })
      const sourceName = (member.id as string).split('-')[0]!.toLowerCase()
      vendor[sourceName] = normalizeSeverity(word)
    }
  }
  const groupScore = group.maxSeverity !== undefined ? Number(group.maxSeverity) : Number.NaN
  const score = Number.isFinite(groupScore) && groupScore > 0 ? groupScore : vectorScore
  if (score !== undefined && severityFromScore(score) !== 'unknown') {
    return { severity: severityFromScore(score), score, vendor }
  }
  const severity = maxSeverity(words.map((w) => w.severity))
  const original = words.find((w) => w.severity === severity)?.original
  return original !== undefined ? { severity, original, vendor } : { severity, vendor }
}

/** Fixed versions from the `affected[]` entries of this package (matched by source name and ecosystem). */
function fixOf(pkg: JsonRecord, members: JsonRecord[]): { state: FixState; versions: string[] } {
  const name = nonBlankString(pkg.name)?.toLowerCase()
  const ecosystem = nonBlankString(pkg.ecosystem)
  const commit = nonBlankString(pkg.commit)
  const versions: string[] = []
  let matched = false
  for (const member of members) {
    for (const affected of Array.isArray(member.affected) ? member.affected.filter(isRecord) : []) {
      const target = isRecord(affected.package) ? affected.package : undefined
      const same =
        target === undefined
          ? commit !== undefined // commit-pinned sources are matched by GIT ranges without a package
          : nonBlankString(target.name)?.toLowerCase() === name &&
            (ecosystem === undefined ||
              ecosystemType(nonBlankString(target.ecosystem) ?? '') === ecosystemType(ecosystem))
      if (!same) continue
      matched = true
      for (const range of Array.isArray(affected.ranges) ? affected.ranges.filter(isRecord) : []) {
        // GIT ranges fix by commit: a fix "version" only for packages identified by a commit.
        if (range.type === 'GIT' && commit === undefined) continue
        for (const event of Array.isArray(range.events) ? range.events.filter(isRecord) : []) {
          const fixed = nonBlankString(event.fixed)
          if (fixed !== undefined) versions.push(fixed)
        }
      }
    }
  }
  const found = unique(versions)
  if (found.length > 0) return { state: 'fixed', versions: found }
  return { state: matched ? 'not-fixed' : 'unknown', versions: [] }
}
