/**
 * Reads Trivy's JSON report (`--format json`, SchemaVersion 2) into findings: vulnerabilities,
 * failed misconfiguration checks and secrets. Pure.
 *
 * A clean image is a valid header with `Results` absent or null; anything that is not a Trivy report
 * (another scanner's JSON, a legacy pre-0.20 array, wrong field types) is a `ScannerError`.
 */
import type { Finding, FixState, LayerRef } from '../findings/finding.js'
import { normalizeSeverity, type Severity } from '../findings/severity.js'
import { withReportImageId } from './report-image.js'
import type { ParseContext } from './scanner.js'
import {
  FieldReader,
  isDockerfilePath,
  isRecord,
  parseJsonReport,
  sourceSeverity,
  truncate,
  uniqueStrings,
} from './report-json.js'
import { maxOf } from '../util/arrays.js'

const SCANNER = 'trivy'

/** Trivy's `VendorSeverity` numbers (trivy-db `types.Severity`). */
const VENDOR_SEVERITY: readonly Severity[] = ['unknown', 'low', 'medium', 'high', 'critical']

/** Longest secret match kept as evidence; Trivy has already replaced the secret itself with `*`. */
const MAX_EVIDENCE = 200

interface ReportContext {
  target: string
  artifactType: string | undefined
}

export function parseTrivyReport(text: string, ctx: ParseContext): Finding[] {
  const json = parseJsonReport(text, SCANNER, ctx.origin)
  const root = readHeader(json, ctx.origin)
  const report: ReportContext = {
    target: ctx.target ?? root.optionalString('ArtifactName') ?? ctx.origin,
    artifactType: root.optionalString('ArtifactType'),
  }
  const findings: Finding[] = []
  for (const result of root.objectArray('Results')) {
    const target = result.requiredString('Target')
    // As Trivy names it: the OS family for OS packages (`alpine`), the language type otherwise (`node-pkg`).
    const type = (result.optionalString('Type') ?? '').toLowerCase() || 'unknown'
    for (const v of result.objectArray('Vulnerabilities')) findings.push(vulnerability(v, type, report))
    for (const m of result.objectArray('Misconfigurations')) {
      // PASS and EXCEPTION entries appear with --include-non-failures; only failures are findings.
      const status = m.optionalString('Status')
      if (status === undefined || status.toUpperCase() === 'FAIL')
        findings.push(misconfiguration(m, target, report))
    }
    for (const s of result.objectArray('Secrets')) findings.push(secret(s, target, report))
  }
  return withReportImageId(findings, root.optionalObject('Metadata')?.optionalString('ImageID'))
}

function readHeader(json: unknown, origin: string): FieldReader {
  const reader = (value: Record<string, unknown>): FieldReader => new FieldReader(value, SCANNER, origin, '')
  if (!isRecord(json)) {
    const legacy = Array.isArray(json)
      ? ' (a top-level array is the format of Trivy before 0.20: re-run with a current Trivy)'
      : ''
    return reader({}).fail(`the top level should be an object (a Trivy JSON report)${legacy}`)
  }
  const root = reader(json)
  if (!root.has('SchemaVersion')) {
    return root.fail(`not a Trivy JSON report: SchemaVersion is missing${otherFormatHint(json)}`)
  }
  const schemaVersion = root.optionalNumber('SchemaVersion')
  if (schemaVersion !== 2) root.fail(`unsupported SchemaVersion ${schemaVersion} (this reader knows 2)`)
  return root
}

function otherFormatHint(json: Record<string, unknown>): string {
  if ('matches' in json && 'descriptor' in json) return ' (it looks like a Grype report: use grype:<file>)'
  if ('runs' in json) return ' (it looks like a SARIF log: use sarif:<file>)'
  return ''
}

function vulnerability(v: FieldReader, type: string, report: ReportContext): Finding {
  const id = v.requiredString('VulnerabilityID')
  const word = v.optionalString('Severity')
  const severity = normalizeSeverity(word)
  const fixedVersions = splitVersions(v.optionalString('FixedVersion'))
  const purl = v.optionalObject('PkgIdentifier')?.optionalString('PURL')
  const path = v.optionalString('PkgPath')
  const score = cvssScore(v.optionalObject('CVSS'), v.optionalString('SeveritySource'))
  const vendorSeverity = vendorSeverities(v.optionalObject('VendorSeverity'))
  const layer = layerOf(v)
  return {
    kind: 'vulnerability',
    ruleId: id,
    aliases: uniqueStrings(v.stringArray('VendorIDs')).filter((a) => a !== id),
    title: v.optionalString('Title') ?? id,
    description: v.optionalString('Description') ?? '',
    severity,
    ...(score !== undefined ? { score } : {}),
    severityBySource: { [SCANNER]: sourceSeverity(severity, word) },
    ...(vendorSeverity ? { vendorSeverity } : {}),
    detectedBy: [SCANNER],
    target: report.target,
    package: {
      name: v.requiredString('PkgName'),
      version: v.optionalString('InstalledVersion') ?? '',
      type,
      ...(purl ? { purl } : {}),
      ...(path ? { path } : {}),
    },
    fix: { state: fixState(v.optionalString('Status'), fixedVersions), versions: fixedVersions },
    ...(layer ? { layer } : {}),
    references: uniqueStrings([v.optionalString('PrimaryURL'), ...v.stringArray('References')]),
  }
}

function misconfiguration(m: FieldReader, target: string, report: ReportContext): Finding {
  const id = m.optionalString('ID') ?? m.optionalString('AVDID')
  if (id === undefined) m.fail(`${m.path('ID')} is missing`)
  const avdId = m.optionalString('AVDID')
  const word = m.optionalString('Severity')
  const severity = normalizeSeverity(word)
  const message = m.optionalString('Message')
  const resolution = m.optionalString('Resolution')
  const cause = m.optionalObject('CauseMetadata')
  const startLine = cause?.optionalNumber('StartLine') ?? 0
  const endLine = cause?.optionalNumber('EndLine') ?? 0
  const layer = layerOf(m)
  // Lines of an image scan point into the Dockerfile Trivy rebuilt from the image history, not the
  // user's file: only a repository/filesystem scan of a Dockerfile gives a real location.
  const realFile = report.artifactType !== 'container_image' && isDockerfilePath(target) && startLine > 0
  return {
    kind: 'misconfiguration',
    ruleId: id,
    aliases: avdId && avdId !== id ? [avdId] : [],
    title: m.optionalString('Title') ?? id,
    description: m.optionalString('Description') ?? message ?? '',
    severity,
    severityBySource: { [SCANNER]: sourceSeverity(severity, word) },
    detectedBy: [SCANNER],
    target: report.target,
    subject: target,
    ...(realFile
      ? { location: { path: target, startLine, ...(endLine >= startLine ? { endLine } : {}) } }
      : {}),
    ...(layer ? { layer } : {}),
    ...(resolution ? { help: { text: resolution, markdown: resolution } } : {}),
    ...(message ? { evidence: truncate(message, MAX_EVIDENCE) } : {}),
    references: uniqueStrings([m.optionalString('PrimaryURL'), ...m.stringArray('References')]),
  }
}

function secret(s: FieldReader, target: string, report: ReportContext): Finding {
  const ruleId = s.requiredString('RuleID')
  const word = s.optionalString('Severity')
  const severity = normalizeSeverity(word)
  const title = s.optionalString('Title') ?? ruleId
  const category = s.optionalString('Category')
  const startLine = s.optionalNumber('StartLine') ?? 0
  const where = startLine > 0 ? `${target}:${startLine}` : target
  // Trivy masks the secret inside Match; Code.Lines can hold unmasked neighbouring lines and is not copied.
  const match = s.optionalString('Match')?.trim()
  const layer = layerOf(s)
  return {
    kind: 'secret',
    ruleId,
    aliases: [],
    title,
    description: `${category ? `${category}: ` : ''}${title} found in ${where}`,
    severity,
    severityBySource: { [SCANNER]: sourceSeverity(severity, word) },
    detectedBy: [SCANNER],
    target: report.target,
    subject: where,
    ...(layer ? { layer } : {}),
    ...(match ? { evidence: truncate(match, MAX_EVIDENCE) } : {}),
    references: [],
  }
}

function layerOf(item: FieldReader): LayerRef | undefined {
  const layer = item.optionalObject('Layer')
  const diffId = layer?.optionalString('DiffID')
  if (!diffId) return undefined
  const createdBy = layer?.optionalString('CreatedBy')
  return { diffId, ...(createdBy ? { createdBy } : {}) }
}

/** `FixedVersion` is a comma-separated list when several branches carry a fix (`1.2.4, 2.0.1`). */
export function splitVersions(value: string | undefined): string[] {
  return uniqueStrings((value ?? '').split(','))
}

/** Trivy's `Status` (trivy-db `types.Status`) onto our fix state; old reports without it infer from FixedVersion. */
export function fixState(status: string | undefined, fixedVersions: readonly string[]): FixState {
  switch ((status ?? '').toLowerCase()) {
    case 'fixed':
      return 'fixed'
    case 'affected':
    case 'fix_deferred':
    case 'under_investigation':
      return 'not-fixed'
    case 'will_not_fix':
    case 'end_of_life':
      return 'wont-fix'
    case '':
      return fixedVersions.length > 0 ? 'fixed' : 'unknown'
    default:
      // not_affected, unknown and anything newer: keep the finding, claim nothing about a fix.
      return fixedVersions.length > 0 ? 'fixed' : 'unknown'
  }
}

/** NVD's CVSS v3 score first, then the severity source's, then the highest v3/v4 score of any source. */
function cvssScore(cvss: FieldReader | undefined, severitySource: string | undefined): number | undefined {
  if (!cvss) return undefined
  const entries = cvss.objectEntries()
  const v3 = (r: FieldReader | undefined): number | undefined => positive(r?.optionalNumber('V3Score'))
  const v4 = (r: FieldReader | undefined): number | undefined => positive(r?.optionalNumber('V40Score'))
  const bySource = (name: string | undefined): FieldReader | undefined =>
    entries.find(([key]) => key === name)?.[1]
  const nvd = v3(bySource('nvd'))
  if (nvd !== undefined) return nvd
  const own = bySource(severitySource)
  const ownScore = v3(own) ?? v4(own)
  if (ownScore !== undefined) return ownScore
  const all = entries.flatMap(([, r]) => [v3(r), v4(r)]).filter((s): s is number => s !== undefined)
  return maxOf(all)
}

function vendorSeverities(map: FieldReader | undefined): Record<string, Severity> | undefined {
  if (!map) return undefined
  const out: Record<string, Severity> = {}
  for (const key of Object.keys(map.value)) {
    const n = map.optionalNumber(key)
    if (n !== undefined) out[key] = VENDOR_SEVERITY[n] ?? 'unknown'
  }
  return Object.keys(out).length > 0 ? out : undefined
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && n > 0 ? n : undefined
}
