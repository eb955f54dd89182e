/**
 * OSV-Scanner v2 (`osv-scanner scan image --archive <tar>`): OS and language packages matched against
 * OSV.dev. Reads docker-archive tarballs only (go-containerregistry's `tarball` reader needs
 * `manifest.json`), so daemon images go through the tarball the pipeline saved and OCI layouts are refused.
 * The parser also reads v1 / `scan source` JSON (same `results[].packages[]` layout, groups without
 * `max_severity`).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import cvss from 'ae-cvss-calculator'
import type { Finding, FixState, LayerRef } from '../findings/finding.js'
import { maxSeverity, normalizeSeverity, severityFromScore, type Severity } from '../findings/severity.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ReleaseAsset, ToolSpec } from '../tools/tool-spec.js'
import { ScannerError } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import { readReportFile, runScanner } from './run-scanner.js'
import type { ParseContext, ScanContext, Scanner } from './scanner.js'

const ID = 'osv-scanner'

/** Exit codes of `osv-scanner` (cmd/osv-scanner/internal/cmd/run.go). */
export const OSV_SCANNER_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'no vulnerabilities found',
  1: 'vulnerabilities found',
  127: 'general error',
  128: 'no packages found in the image',
  129: 'the OSV.dev API call failed',
}
/** Codes after which the run completed: 128 means it read the image and found nothing it can match. */
export const OSV_SCANNER_OK_EXIT_CODES = [0, 1, 128] as const

const ASSET_SUFFIX: Record<Platform, string> = {
  'linux-x64': 'linux_amd64',
  'linux-arm64': 'linux_arm64',
  'darwin-x64': 'darwin_amd64',
  'darwin-arm64': 'darwin_arm64',
  'win32-x64': 'windows_amd64.exe',
}

/** Raw binaries from goreleaser (`{{ .Binary }}_{{ .Os }}_{{ .Arch }}`, `format: binary`). */
export const osvScannerTool: ToolSpec = {
  name: ID,
  repository: 'google/osv-scanner',
  tag: (version) => `v${version.replace(/^v/, '')}`,
  asset(_version, platform): ReleaseAsset {
    const windows = platform === 'win32-x64'
    return {
      name: `osv-scanner_${ASSET_SUFFIX[platform]}`,
      format: 'raw',
      executable: windows ? 'osv-scanner.exe' : 'osv-scanner',
    }
  },
  checksums: () => ({ kind: 'checksums-file', name: 'osv-scanner_SHA256SUMS' }),
}

/** Arguments of `osv-scanner scan image` for an image source. Pure. */
export function osvScannerArgs(options: { source: ImageSource; reportFile: string }): string[] {
  const { source, reportFile } = options
  if (source.kind === 'oci-dir' || source.kind === 'oci-archive') {
    throw new ScannerError(
      ID,
      `osv-scanner cannot read an OCI image layout (${source.input}): \`scan image --archive\` takes a ` +
        'docker-archive (docker save) tarball. Give a docker-archive or a daemon image, or deselect osv-scanner.',
    )
  }
  const base = ['scan', 'image', '--format', 'json', '--output', reportFile]
  // A daemon image not exported yet is named by reference (osv-scanner then runs `docker save` itself).
  if (source.kind === 'daemon' && source.path.trim() === '')
    return [...base, source.reference ?? source.input]
  // Otherwise the tarball: a daemon image's is the one the pipeline already exported.
  return [...base, '--archive', source.path]
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  await mkdir(ctx.workDir, { recursive: true })
  const reportFile = join(ctx.workDir, 'osv-scanner.json')
  const args = osvScannerArgs({ source: ctx.source, reportFile })
  let exitCode: number | null
  let stderr: string
  try {
    const { result } = await runScanner(ctx, ID, { args, okExitCodes: OSV_SCANNER_OK_EXIT_CODES })
    exitCode = result.exitCode
    stderr = result.stderr
  } catch (error) {
    throw explainExitCode(error)
  }
  if (exitCode === 128) {
    ctx.logger.warning(`osv-scanner found no packages it can match in ${ctx.target}; it reported no findings`)
    return []
  }
  const report = await readReportFile(ID, reportFile, tailLines(stderr))
  return parseOsvScannerReport(report, { target: ctx.target, origin: reportFile })
}

/** Adds the documented meaning of an exit code to runScanner's "exited with code N". */
function explainExitCode(error: unknown): unknown {
  if (!(error instanceof ScannerError)) return error
  const match = /exited with code (\d+)/.exec(error.message)
  const meaning = match ? OSV_SCANNER_EXIT_CODES[Number(match[1])] : undefined
  if (meaning === undefined || match === null) return error
  return new ScannerError(ID, error.message.replace(match[0], `${match[0]} (${meaning})`), { cause: error })
}

export const osvScanner: Scanner = {
  id: ID,
  name: 'OSV-Scanner',
  tool: osvScannerTool,
  scan,
  parseReport: (text, ctx) => parseOsvScannerReport(text, ctx),
}

// ---------------------------------------------------------------------------------------------------
// Report parsing

type Json = Record<string, unknown>

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : []
const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)]

interface ParseState {
  target: string
  layers: (LayerRef | undefined)[]
  imageScan: boolean
}

/** Reads an osv-scanner JSON report (v2 image or source scan, or v1). Pure. */
export function parseOsvScannerReport(text: string, ctx: ParseContext): Finding[] {
  const fail = (what: string): never => {
    throw new ScannerError(ID, `osv-scanner report ${ctx.origin} ${what}`)
  }
  let root: unknown
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    return fail(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
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
    const entry = result as Json
    const source = isRecord(entry.source) ? entry.source : {}
    const packages = entry.packages ?? []
    if (!Array.isArray(packages)) fail(`results[${i}].packages is not an array`)
    ;(packages as unknown[]).forEach((pkg, j) => {
      findings.push(...packageFindings(pkg, source, state, `results[${i}].packages[${j}]`, fail))
    })
  })
  return findings
}

/** `image_metadata.layer_metadata` is indexed by history entry, so empty layers keep their slot. */
function readLayers(metadata: unknown): (LayerRef | undefined)[] {
  if (!isRecord(metadata) || !Array.isArray(metadata.layer_metadata)) return []
  return metadata.layer_metadata.map((layer) => {
    if (!isRecord(layer)) return undefined
    const diffId = str(layer.diff_id)
    if (diffId === undefined || !diffId.startsWith('sha256:')) return undefined
    const createdBy = str(layer.command)
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
  source: Json,
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
  const vulns: Json[] = []
  ;(rawVulns as unknown[]).forEach((v, k) => {
    if (!isRecord(v) || str(v.id) === undefined) return fail(`${where}.vulnerabilities[${k}] has no "id"`)
    vulns.push(v)
  })
  const byId = new Map(vulns.map((v) => [v.id as string, v]))
  const groups: Group[] = rawGroups
    .filter(isRecord)
    .map((g) => ({ ids: strings(g.ids), aliases: strings(g.aliases), maxSeverity: str(g.max_severity) }))
    // Groups without ids belong to license violations, not vulnerabilities.
    .filter((g) => g.ids.length > 0)
  const grouped = new Set(groups.flatMap((g) => g.ids))
  for (const v of vulns) {
    const id = v.id as string
    if (!grouped.has(id)) groups.push({ ids: [id], aliases: strings(v.aliases) })
  }
  const ref = packageRef(pkg, source, state)
  return groups.map((group) => {
    const members = group.ids.map((id) => byId.get(id)).filter((v): v is Json => v !== undefined)
    return groupFinding(group, members, { pkg, ref, layer: layerOf(pkg, state), state })
  })
}

function packageRef(pkg: Json, source: Json, state: ParseState): NonNullable<Finding['package']> {
  const ecosystem = str(pkg.ecosystem)
  const commit = str(pkg.commit)
  const sourcePath = str(source.path)
  const ref: NonNullable<Finding['package']> = {
    // OS packages: the binary package (`libssl3`), as other scanners name it; `name` is its source package.
    name: str(pkg.os_package_name) ?? str(pkg.name) ?? (commit !== undefined ? (sourcePath ?? commit) : ''),
    version: str(pkg.version) ?? commit ?? '',
    type: ecosystem !== undefined ? ecosystemType(ecosystem) : commit !== undefined ? 'git' : 'unknown',
  }
  if (sourcePath !== undefined && source.type !== 'os') {
    ref.path = state.imageScan && !sourcePath.startsWith('/') ? `/${sourcePath}` : sourcePath
  }
  return ref
}

/** `Debian:12` → `debian`, `PyPI` → `pypi`. */
const ecosystemType = (ecosystem: string): string => (ecosystem.split(':')[0] ?? ecosystem).toLowerCase()

function layerOf(pkg: Json, state: ParseState): LayerRef | undefined {
  const details = pkg.image_origin_details
  if (isRecord(details) && typeof details.index === 'number') return state.layers[details.index]
  const legacy = pkg.imageOrigin // early v2: { layerID, originCommand, inBaseImage }
  if (isRecord(legacy)) {
    const diffId = str(legacy.layerID)
    const createdBy = str(legacy.originCommand)
    if (diffId !== undefined) return createdBy === undefined ? { diffId } : { diffId, createdBy }
  }
  return undefined
}

function groupFinding(
  group: Group,
  members: Json[],
  context: {
    pkg: Json
    ref: NonNullable<Finding['package']>
    layer: LayerRef | undefined
    state: ParseState
  },
): Finding {
  const ids = [...group.ids].sort()
  const candidates = unique([...ids, ...group.aliases, ...members.flatMap((m) => strings(m.aliases))])
  // A Debian/Ubuntu record names the one CVE it tracks in `upstream`; several upstream CVEs stay apart.
  const upstream = unique(members.flatMap((m) => strings(m.upstream)))
  if (upstream.length === 1 && upstream[0]!.startsWith('CVE-')) candidates.push(upstream[0]!)
  const ruleId = candidates.filter((c) => c.startsWith('CVE-')).sort()[0] ?? ids[0]!
  const aliases = unique(candidates).filter((c) => c !== ruleId)
  const rated = rateGroup(group, members)
  const summary = members.map((m) => str(m.summary)).find((s) => s !== undefined)
  const details = members.map((m) => str(m.details)).find((s) => s !== undefined)
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
            isRecord(r) ? str(r.url) : undefined,
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
  members: Json[],
): { severity: Severity; score?: number; original?: string; vendor: Record<string, Severity> } {
  const vendor: Record<string, Severity> = {}
  const words: { severity: Severity; original: string }[] = []
  let vectorScore: number | undefined
  for (const member of members) {
    const entries = Array.isArray(member.severity) ? member.severity.filter(isRecord) : []
    for (const entry of entries) {
      const score = str(entry.score)
      if (score === undefined) continue
      if (String(entry.type).startsWith('CVSS')) {
        const base = cvssBaseScore(score)
        if (base !== undefined && (vectorScore === undefined || base > vectorScore)) vectorScore = base
      } else {
        words.push({ severity: normalizeSeverity(score), original: score })
      }
    }
    const word = isRecord(member.database_specific) ? str(member.database_specific.severity) : undefined
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

const { Cvss2, Cvss3P0, Cvss3P1, Cvss4P0 } = cvss

/** The base score of a CVSS v2/v3.0/v3.1/v4.0 vector, or undefined when it is not a complete vector. */
export function cvssBaseScore(vector: string): number | undefined {
  const v = vector.trim()
  try {
    let result: { base?: number | undefined }
    if (v.startsWith('CVSS:4.0/')) result = new Cvss4P0(v).calculateScores()
    else if (v.startsWith('CVSS:3.1/')) result = new Cvss3P1(v).calculateScores()
    else if (v.startsWith('CVSS:3.0/')) result = new Cvss3P0(v).calculateScores()
    else if (/^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(v))
      result = new Cvss2(v.replace(/[()]/g, '')).calculateScores()
    else return undefined
    const base = result.base
    return typeof base === 'number' && Number.isFinite(base) && base > 0 ? base : undefined
  } catch {
    return undefined
  }
}

/** Fixed versions from the `affected[]` entries of this package (matched by source name and ecosystem). */
function fixOf(pkg: Json, members: Json[]): { state: FixState; versions: string[] } {
  const name = str(pkg.name)?.toLowerCase()
  const ecosystem = str(pkg.ecosystem)
  const commit = str(pkg.commit)
  const versions: string[] = []
  let matched = false
  for (const member of members) {
    for (const affected of Array.isArray(member.affected) ? member.affected.filter(isRecord) : []) {
      const target = isRecord(affected.package) ? affected.package : undefined
      const same =
        target === undefined
          ? commit !== undefined // commit-pinned sources are matched by GIT ranges without a package
          : str(target.name)?.toLowerCase() === name &&
            (ecosystem === undefined ||
              ecosystemType(str(target.ecosystem) ?? '') === ecosystemType(ecosystem))
      if (!same) continue
      matched = true
      for (const range of Array.isArray(affected.ranges) ? affected.ranges.filter(isRecord) : []) {
        // GIT ranges fix by commit: a fix "version" only for packages identified by a commit.
        if (range.type === 'GIT' && commit === undefined) continue
        for (const event of Array.isArray(range.events) ? range.events.filter(isRecord) : []) {
          const fixed = str(event.fixed)
          if (fixed !== undefined) versions.push(fixed)
        }
      }
    }
  }
  const found = unique(versions)
  if (found.length > 0) return { state: 'fixed', versions: found }
  return { state: matched ? 'not-fixed' : 'unknown', versions: [] }
}
