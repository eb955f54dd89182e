/**
 * Microsoft Defender for Containers has no CLI to run: its registry image findings (vulnerability
 * assessment powered by Microsoft Defender Vulnerability Management) are read from Azure Resource Graph
 * with `az graph query -q "<DEFENDER_GRAPH_QUERY>"` and imported as a report (`reports: defender:<file>`).
 */
import type { Finding, FixState } from '../findings/finding.js'
import { normalizeSeverity, severityFromScore } from '../findings/severity.js'
import { isRecord, nonBlankString, parseJsonText, reportFailure, type JsonRecord } from './report-json.js'
import type { ParseContext } from './scanner.js'

const ID = 'defender'

/** Assessment key of "Azure registry container images should have vulnerabilities resolved (MDVM)". */
export const DEFENDER_REGISTRY_ASSESSMENT_KEY = 'c0b7cfc6-3172-465a-b378-53c7ff2cc0d5'

/**
 * Sub-assessments of the MDVM registry assessment (learn.microsoft.com, "Container vulnerability
 * assessments REST API"). Add `| where properties.additionalData.artifactDetails.digest == "sha256:…"`
 * (or `repositoryName`) to limit it to the image being gated: a report that covers several images cannot
 * be attributed to one target.
 */
export const DEFENDER_GRAPH_QUERY = [
  'securityresources',
  '| where type =~ "microsoft.security/assessments/subassessments"',
  '| extend assessmentKey = extract(@"(?i)providers/Microsoft.Security/assessments/([^/]*)", 1, id)',
  `| where assessmentKey == "${DEFENDER_REGISTRY_ASSESSMENT_KEY}"`,
  '| where properties.additionalData.assessedResourceType == "AzureContainerRegistryVulnerability"',
  '| project id, name, properties',
].join(' ')

const record = (value: unknown): JsonRecord => (isRecord(value) ? value : {})

/** `softwareDetails.fixStatus` → our fix state. */
const FIX_STATES: Record<string, FixState> = {
  fixavailable: 'fixed',
  nofixavailable: 'not-fixed',
  wontfix: 'wont-fix',
  scheduled: 'unknown',
  unknown: 'unknown',
}

/**
 * Reads `az graph query` output (`{ count, data: [...], skip_token, total_records }`, or a bare array of
 * rows). Each row is a sub-assessment; `properties` holds the vulnerability. Healthy rows are not
 * findings; rows Defender marks not applicable (exempted) are kept with an `ignore` suppression. Pure.
 */
export function parseDefenderReport(text: string, ctx: ParseContext): Finding[] {
  const fail = reportFailure(ID, ctx.origin)
  const root = parseJsonText(text, fail)
  const rows = Array.isArray(root) ? root : isRecord(root) ? root.data : undefined
  if (!Array.isArray(rows))
    return fail('is neither an `az graph query` result ({ data: [...] }) nor an array')
  const parsed = rows.map((row: unknown, i) => {
    if (!isRecord(row) || !isRecord(row.properties)) return fail(`data[${i}] has no "properties" object`)
    const properties = row.properties
    const additional = record(properties.additionalData)
    const details = record(additional.vulnerabilityDetails)
    const cve =
      nonBlankString(details.cveId) ?? nonBlankString(properties.id) ?? nonBlankString(properties.displayName)
    if (cve === undefined) return fail(`data[${i}] names no vulnerability (properties.id / cveId)`)
    return { properties, additional, details, cve, image: imageName(record(additional.artifactDetails)) }
  })
  const images = [...new Set(parsed.map((p) => p.image).filter((n): n is string => n !== undefined))]
  if (ctx.target !== undefined && images.length > 1) {
    const listed = images.slice(0, 5).join(', ') + (images.length > 5 ? ', …' : '')
    return fail(
      `covers ${images.length} images (${listed}); filter the Resource Graph query to the digest of ` +
        `${ctx.target} so its findings are not attributed to the wrong image`,
    )
  }
  const findings: Finding[] = []
  for (const { properties, additional, details, cve, image } of parsed) {
    const status = record(properties.status)
    const code = nonBlankString(status.code)?.toLowerCase()
    if (code === 'healthy') continue
    const software = record(additional.softwareDetails)
    const score = cvssScore(details, additional)
    const word = nonBlankString(details.severity) ?? nonBlankString(status.severity)
    let severity = normalizeSeverity(word)
    if (severity === 'unknown' && score !== undefined) severity = severityFromScore(score)
    const fixStatus = nonBlankString(software.fixStatus)?.toLowerCase() ?? 'unknown'
    const fixedVersion = nonBlankString(software.fixedVersion)
    const id = nonBlankString(properties.id)
    const finding: Finding = {
      kind: 'vulnerability',
      ruleId: cve,
      aliases: id !== undefined && id !== cve ? [id] : [],
      title: nonBlankString(properties.displayName) ?? cve,
      description: nonBlankString(properties.description) ?? nonBlankString(properties.displayName) ?? cve,
      severity,
      severityBySource: { [ID]: word !== undefined ? { severity, original: word } : { severity } },
      detectedBy: [ID],
      target: ctx.target ?? image ?? ctx.origin,
      package: {
        name: nonBlankString(software.packageName) ?? '',
        version: nonBlankString(software.version) ?? '',
        type: packageType(software),
      },
      fix: {
        state:
          fixedVersion !== undefined
            ? 'fixed'
            : Object.hasOwn(FIX_STATES, fixStatus)
              ? FIX_STATES[fixStatus]!
              : 'unknown',
        versions: fixedVersion !== undefined ? [fixedVersion] : [],
      },
      references: [
        ...new Set(
          (Array.isArray(details.references) ? details.references : [])
            .map((r: unknown) => (isRecord(r) ? nonBlankString(r.link) : undefined))
            .filter((u): u is string => u !== undefined),
        ),
      ],
    }
    if (score !== undefined) finding.score = score
    if (code === 'notapplicable') {
      const cause = nonBlankString(status.cause) ?? nonBlankString(status.description) ?? 'not applicable'
      finding.suppression = { kind: 'ignore', reason: `Defender for Cloud: ${cause}` }
    }
    findings.push(finding)
  }
  return findings
}

/** `registryHost/repositoryName@digest`, or with the first tag when there is no digest. */
function imageName(artifact: JsonRecord): string | undefined {
  const repository = nonBlankString(artifact.repositoryName)
  if (repository === undefined) return undefined
  const host = nonBlankString(artifact.registryHost)
  const name = host !== undefined ? `${host}/${repository}` : repository
  const digest = nonBlankString(artifact.digest)
  if (digest !== undefined) return `${name}@${digest}`
  const tag = Array.isArray(artifact.tags) ? nonBlankString(artifact.tags[0]) : undefined
  return tag !== undefined ? `${name}:${tag}` : name
}

/** The highest CVSS version's base score (`cvss: { "3.0": { base } }`), else `cvssV30Score`. */
function cvssScore(details: JsonRecord, additional: JsonRecord): number | undefined {
  const byVersion = record(details.cvss)
  const versions = Object.keys(byVersion).sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const base = record(byVersion[version]).base
    if (typeof base === 'number' && Number.isFinite(base) && base > 0) return base
  }
  const flat = additional.cvssV30Score
  return typeof flat === 'number' && Number.isFinite(flat) && flat > 0 ? flat : undefined
}

/** Language packages by language (`python`), OS packages by distribution (`ubuntu`), else `os`. */
function packageType(software: JsonRecord): string {
  const language = nonBlankString(software.language)
  if (language !== undefined) return language.toLowerCase()
  const os = record(software.osDetails)
  const distro = nonBlankString(os.osName) ?? nonBlankString(os.osVersion)?.split(/[_\s]/)[0]
  return distro?.toLowerCase() ?? 'os'
}
