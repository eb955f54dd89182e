/**
 * Reads Grype's JSON report (`grype -o json`) into vulnerability findings. Pure.
 *
 * `relatedVulnerabilities` become aliases (a GHSA match names its CVE there), `artifact.locations[].layerID`
 * is syft's layer digest, which is the DiffID of the uncompressed layer (it equals the image config's
 * `rootfs.diff_ids` entry), so it maps onto `layer.diffId`.
 */
import { higherEpss, type EpssScore } from '../findings/exploit-data.js'
import type { Finding, FixState, PackageRef } from '../findings/finding.js'
import { normalizeSeverity, type Severity } from '../findings/severity.js'
import type { ParseContext } from './scanner.js'
import { withReportImageId } from './report-image.js'
import { FieldReader, isRecord, parseJsonReport, sourceSeverity, uniqueStrings } from './report-json.js'
import { maxOf } from '../util/arrays.js'

const SCANNER = 'grype'

/** Package types whose location is the package database, not the package's own file. */
const OS_PACKAGE_TYPES = new Set(['apk', 'deb', 'rpm', 'alpm', 'portage', 'nix'])

const MAX_TITLE = 120

export function parseGrypeReport(text: string, ctx: ParseContext): Finding[] {
  const json = parseJsonReport(text, SCANNER, ctx.origin)
  const root = readHeader(json, ctx.origin)
  const target = ctx.target ?? reportTarget(root) ?? ctx.origin
  const findings = root.objectArray('matches').map((match) => matchFinding(match, target))
  // `source.target` is an object for images and a path string for directory and file sources.
  const sourceTarget = root.optionalObject('source')?.value['target']
  const imageId = isRecord(sourceTarget) ? sourceTarget['imageID'] : undefined
  return withReportImageId(findings, typeof imageId === 'string' ? imageId : undefined)
}

function readHeader(json: unknown, origin: string): FieldReader {
  if (!isRecord(json)) {
    const got = Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json
    return new FieldReader({}, SCANNER, origin, '').fail(
      `the top level should be an object (a Grype JSON report), got ${got}`,
    )
  }
  const root = new FieldReader(json, SCANNER, origin, '')
  if (!('matches' in json)) {
    const hint =
      'SchemaVersion' in json
        ? ' (it looks like a Trivy report: use trivy:<file>)'
        : 'runs' in json
          ? ' (it looks like a SARIF log: use sarif:<file>)'
          : ''
    return root.fail(`not a Grype JSON report: "matches" is missing${hint}`)
  }
  const name = root.optionalObject('descriptor')?.optionalString('name')
  if (name !== undefined && name.toLowerCase() !== 'grype') {
    root.fail(`not a Grype JSON report: descriptor.name is "${name}"`)
  }
  return root
}

/** `source.target.userInput` for images; the path itself for directory and file sources. */
function reportTarget(root: FieldReader): string | undefined {
  const source = root.optionalObject('source')
  if (!source) return undefined
  const target = source.value['target']
  if (typeof target === 'string') return target || undefined
  return source.optionalObject('target')?.optionalString('userInput') || undefined
}

function matchFinding(match: FieldReader, target: string): Finding {
  const vuln = match.requiredObject('vulnerability')
  const id = vuln.requiredString('id')
  const related = match.objectArray('relatedVulnerabilities')
  const artifact = match.requiredObject('artifact')
  const word = vuln.optionalString('severity')
  const severity = normalizeSeverity(word)
  const fix = vuln.optionalObject('fix')
  const fixVersions = uniqueStrings(fix?.stringArray('versions') ?? [])
  const score = cvssScore(vuln, related)
  const epss = epssOf([vuln, ...related])
  const vendorSeverity = vendorSeverities([vuln, ...related])
  const locations = artifact.objectArray('locations')
  const layerId = locations.map((l) => l.optionalString('layerID')).find((l) => l !== undefined && l !== '')
  const description =
    vuln.optionalString('description') ??
    related.map((r) => r.optionalString('description')).find(Boolean) ??
    ''
  return {
    kind: 'vulnerability',
    ruleId: id,
    aliases: uniqueStrings(related.map((r) => r.optionalString('id'))).filter((a) => a !== id),
    title: titleFrom(description, id),
    description,
    severity,
    ...(score !== undefined ? { score } : {}),
    severityBySource: { [SCANNER]: sourceSeverity(severity, word) },
    ...(vendorSeverity ? { vendorSeverity } : {}),
    detectedBy: [SCANNER],
    target,
    package: packageOf(artifact, locations),
    fix: { state: fixState(fix?.optionalString('state'), fixVersions), versions: fixVersions },
    ...(layerId ? { layer: { diffId: layerId } } : {}),
    ...(epss !== undefined ? { epss } : {}),
    references: uniqueStrings([
      vuln.optionalString('dataSource'),
      ...vuln.stringArray('urls'),
      ...related.flatMap((r) => [r.optionalString('dataSource'), ...r.stringArray('urls')]),
    ]),
  }
}

function packageOf(artifact: FieldReader, locations: FieldReader[]): PackageRef {
  const type = (artifact.optionalString('type') ?? '').toLowerCase() || 'unknown'
  const purl = artifact.optionalString('purl')
  const path = OS_PACKAGE_TYPES.has(type)
    ? undefined
    : locations.map((l) => l.optionalString('path')).find((p) => p !== undefined && p !== '')
  return {
    name: artifact.requiredString('name'),
    version: artifact.optionalText('version') ?? '',
    type,
    ...(purl ? { purl } : {}),
    ...(path ? { path } : {}),
  }
}

/** Grype's `fix.state` (`fixed`, `not-fixed`, `wont-fix`, `unknown`, and `""` in some versions). */
export function fixState(state: string | undefined, versions: readonly string[]): FixState {
  switch ((state ?? '').trim().toLowerCase()) {
    case 'fixed':
      return 'fixed'
    case 'not-fixed':
      return 'not-fixed'
    case 'wont-fix':
      return 'wont-fix'
    case 'unknown':
      return 'unknown'
    default:
      return versions.length > 0 ? 'fixed' : 'unknown'
  }
}

interface CvssCandidate {
  score: number
  v3OrLater: boolean
  nvd: boolean
}

/** The NVD CVSS v3+ base score when there is one, else the highest v3+ score of any source. */
function cvssScore(vuln: FieldReader, related: FieldReader[]): number | undefined {
  const candidates: CvssCandidate[] = []
  for (const owner of [vuln, ...related]) {
    const ownerIsNvd = (owner.optionalString('namespace') ?? '').toLowerCase().startsWith('nvd')
    for (const cvss of owner.objectArray('cvss')) {
      const score = cvss.optionalObject('metrics')?.optionalNumber('baseScore')
      if (score === undefined || score <= 0) continue
      const version = cvss.optionalText('version') ?? ''
      const source = cvss.optionalString('source')
      candidates.push({
        score,
        v3OrLater: /^[34]/.test(version),
        nvd: source !== undefined ? source.toLowerCase() === 'nvd@nist.gov' : ownerIsNvd,
      })
    }
  }
  const best = (list: CvssCandidate[]): number | undefined => maxOf(list.map((c) => c.score))
  const modern = candidates.filter((c) => c.v3OrLater)
  return best(modern.filter((c) => c.nvd)) ?? best(modern)
}

/**
 * The highest EPSS score Grype attached to the match or its related records. Grype's JSON carries
 * `epss: [{cve, epss, percentile, date}]` on each vulnerability record (anchore/grype v0.111.0,
 * grype/presenter/models/vulnerability_metadata.go: `EPSS []EPSS \`json:"epss,omitempty"\``).
 */
function epssOf(owners: FieldReader[]): EpssScore | undefined {
  let best: EpssScore | undefined
  for (const owner of owners) {
    for (const entry of owner.objectArray('epss')) {
      const value = entry.optionalNumber('epss')
      const cve = entry.optionalString('cve')
      if (value === undefined || !(value >= 0 && value <= 1) || cve === undefined) continue
      const percentile = entry.optionalNumber('percentile')
      const date = entry.optionalString('date')
      best = higherEpss(best, {
        cve: cve.toUpperCase(),
        score: value,
        ...(percentile !== undefined && percentile >= 0 && percentile <= 1 ? { percentile } : {}),
        ...(date ? { date: date.slice(0, 10) } : {}),
        source: SCANNER,
      })
    }
  }
  return best
}

/** The severity each data source gave, keyed by its namespace's first part (`nvd`, `redhat`, `ghsa`). */
function vendorSeverities(owners: FieldReader[]): Record<string, Severity> | undefined {
  const out: Record<string, Severity> = {}
  for (const owner of owners) {
    const namespace = owner.optionalString('namespace')
    const word = owner.optionalString('severity')
    if (!namespace || !word) continue
    const first = namespace.split(':')[0]?.toLowerCase() ?? ''
    const key = first === 'github' ? 'ghsa' : first
    if (key && !(key in out)) out[key] = normalizeSeverity(word)
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** Grype has no title field: the first sentence of the description, short, else the id. */
function titleFrom(description: string, id: string): string {
  const firstLine = description.trim().split(/\r?\n/)[0] ?? ''
  const sentence = /^(.*?[.!?])(\s|$)/.exec(firstLine)?.[1] ?? firstLine
  if (sentence === '') return id
  return sentence.length <= MAX_TITLE ? sentence : `${sentence.slice(0, MAX_TITLE - 1)}…`
}
