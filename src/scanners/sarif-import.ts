/**
 * Imports any SARIF 2.1.0 log (Trivy, Grype, Snyk, Dockle, OSV-Scanner, CodeQL-like) as findings: every
 * result of every run is one finding, except results whose `kind` says they are not a problem
 * (`pass`, `notApplicable`). Pure.
 */
import type { Finding, Kind, SourceLocation } from '../findings/finding.js'
import { normalizeSeverity, severityFromScore, type Severity } from '../findings/severity.js'
import { isScannerId, type ParseContext } from './scanner.js'
import {
  FieldReader,
  isDockerfilePath,
  isRecord,
  parseJsonReport,
  sourceSeverity,
  truncate,
  uniqueStrings,
} from './report-json.js'
import { fixFromSarif, packageFromSarif } from './sarif-package.js'

const SCANNER = 'sarif'
const MAX_TITLE = 120
const MAX_EVIDENCE = 300

/** Driver names that are one of our scanners under another name. */
const DRIVER_IDS: Record<string, string> = {
  'snyk container': 'snyk',
  'snyk open source': 'snyk',
  'docker-bench-security': 'docker-bench',
  'docker bench for security': 'docker-bench',
  'cinc auditor': 'cinc-auditor',
  inspec: 'cinc-auditor',
}

/** Vulnerability ids of the common databases; a rule with one of these is a vulnerability. */
const VULNERABILITY_ID =
  /^(CVE-\d{4}-\d{4,}|GHSA(-[0-9a-z]{4}){3}|OSV-\d{4}-|PYSEC-\d{4}-|RUSTSEC-\d{4}-|GO-\d{4}-|SNYK-|MAL-\d{4}-|GSD-\d{4}-|ALAS\d*-\d{4}-|RHSA-\d{4}:|ELSA-\d{4}-|DSA-\d+|DLA-\d+|USN-\d+|BIT-|CGA-|DEBIAN-CVE-|ALPINE-CVE-)/i

/** `CVE-1999-0001-package-1` (Grype's rule id = vulnerability + package) → `CVE-1999-0001`. */
const LEADING_ID = /^(CVE-\d{4}-\d{4,}|GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})(?=-|$)/i

const LEVEL_SEVERITY: Record<string, Severity> = { error: 'high', warning: 'medium', note: 'low' }

export function parseSarifReport(text: string, ctx: ParseContext): Finding[] {
  const json = parseJsonReport(text, SCANNER, ctx.origin)
  const root = readLog(json, ctx.origin)
  const target = ctx.target ?? ctx.origin
  const findings: Finding[] = []
  for (const run of root.objectArray('runs')) {
    const tool = run.requiredObject('tool')
    const driver = tool.requiredObject('driver')
    const scannerId = scannerIdOf(driver.requiredString('name'))
    const rules = {
      driver: driver.objectArray('rules'),
      extensions: tool.objectArray('extensions').map((e) => e.objectArray('rules')),
    }
    for (const result of run.objectArray('results')) {
      const kindOfResult = result.optionalString('kind')
      if (kindOfResult === 'pass' || kindOfResult === 'notApplicable') continue
      findings.push(resultFinding(result, resolveRule(result, rules), scannerId, target))
    }
  }
  return findings
}

function readLog(json: unknown, origin: string): FieldReader {
  if (!isRecord(json)) {
    return new FieldReader({}, SCANNER, origin, '').fail('the top level should be an object (a SARIF log)')
  }
  const root = new FieldReader(json, SCANNER, origin, '')
  if (!Array.isArray(json['runs'])) {
    const hint =
      'SchemaVersion' in json
        ? ' (it looks like a Trivy JSON report: use trivy:<file>)'
        : 'matches' in json
          ? ' (it looks like a Grype JSON report: use grype:<file>)'
          : ''
    root.fail(`not a SARIF log: "runs" should be an array${hint}`)
  }
  const version = root.optionalString('version')
  if (version !== undefined && version !== '2.1.0')
    root.fail(`unsupported SARIF version "${version}" (this reader knows 2.1.0)`)
  return root
}

/** The driver's name as one of our scanner ids where it is one, else `sarif`. */
export function scannerIdOf(driverName: string): string {
  const name = driverName.trim().toLowerCase()
  if (isScannerId(name) && name !== 'builtin') return name
  // Own keys only: a driver named `constructor` must not find Object.prototype's members.
  return Object.hasOwn(DRIVER_IDS, name) ? DRIVER_IDS[name]! : SCANNER
}

interface RuleSets {
  driver: FieldReader[]
  extensions: FieldReader[][]
}

/** The rule a result refers to: by `ruleIndex` in its tool component, else by id anywhere in the run. */
function resolveRule(result: FieldReader, rules: RuleSets): FieldReader | undefined {
  const ref = result.optionalObject('rule')
  const ruleId = result.optionalString('ruleId') ?? ref?.optionalString('id')
  const componentIndex = ref?.optionalObject('toolComponent')?.optionalNumber('index')
  const component = componentIndex !== undefined ? rules.extensions[componentIndex] : rules.driver
  const index = result.optionalNumber('ruleIndex') ?? ref?.optionalNumber('index')
  const byIndex = index !== undefined && index >= 0 ? component?.[index] : undefined
  if (byIndex && (ruleId === undefined || byIndex.optionalString('id') === ruleId)) return byIndex
  if (ruleId === undefined) return byIndex
  const all = [...rules.driver, ...rules.extensions.flat()]
  return all.find((r) => r.optionalString('id') === ruleId) ?? byIndex
}

function resultFinding(
  result: FieldReader,
  rule: FieldReader | undefined,
  scannerId: string,
  target: string,
): Finding {
  const rawRuleId =
    result.optionalString('ruleId') ??
    result.optionalObject('rule')?.optionalString('id') ??
    rule?.optionalString('id')
  if (rawRuleId === undefined || rawRuleId.trim() === '')
    result.fail(`${result.where} has no ruleId and no rule`)
  const message = messageText(result)
  const tags = uniqueStrings([...tagsOf(result), ...tagsOf(rule)].map((t) => t.toLowerCase()))
  const kind = kindOf(rawRuleId, tags)
  const ruleId = kind === 'vulnerability' ? (LEADING_ID.exec(rawRuleId)?.[1] ?? rawRuleId) : rawRuleId
  const { severity, level } = severityOf(result, rule)
  const score = kind === 'vulnerability' ? scoreOf(result, rule) : cvssOf(result, rule)
  const shortDescription = rule?.optionalObject('shortDescription')?.optionalString('text')
  const fullDescription = rule?.optionalObject('fullDescription')?.optionalString('text')
  const help = rule?.optionalObject('help')
  const helpText = help?.optionalString('text')
  const helpMarkdown = help?.optionalString('markdown')
  const place = placeOf(result)
  const pkgInput = { result, rule, message, tags }
  const pkg = kind === 'vulnerability' ? packageFromSarif(pkgInput) : undefined
  const fix = kind === 'vulnerability' ? fixFromSarif(pkgInput) : undefined
  // OSV-Scanner lists the other ids of a vulnerability as the rule's deprecatedIds; Snyk opens the
  // rule's full description with them: "(CVE-2016-3189) bzip2/libbz2-1.0@1.0.6-8.1".
  const aliases = uniqueStrings([
    ...(rule?.stringArray('deprecatedIds') ?? []),
    ...(kind === 'vulnerability' ? leadingIds(fullDescription) : []),
  ]).filter((a) => a !== ruleId)
  return {
    kind,
    ruleId,
    aliases,
    title: firstLine(shortDescription) ?? firstLine(message) ?? rule?.optionalString('name') ?? ruleId,
    description: fullDescription ?? message,
    severity,
    ...(score !== undefined ? { score } : {}),
    severityBySource: { [scannerId]: sourceSeverity(severity, level) },
    detectedBy: [scannerId],
    target,
    ...(pkg ? { package: pkg } : {}),
    ...(fix ? { fix } : {}),
    ...(place.location ? { location: place.location } : {}),
    ...(place.subject ? { subject: place.subject } : {}),
    ...(helpText || helpMarkdown
      ? { help: { text: helpText ?? helpMarkdown ?? '', markdown: helpMarkdown ?? helpText ?? '' } }
      : {}),
    // A secret scanner's message may quote what it found; only other kinds keep the message as evidence.
    ...(kind !== 'secret' && message ? { evidence: truncate(message, MAX_EVIDENCE) } : {}),
    references: uniqueStrings([rule?.optionalString('helpUri')]),
  }
}

/** Ids in a parenthesised list at the very start of a description: `(CVE-2016-3189, CVE-2016-3190) …`. */
function leadingIds(description: string | undefined): string[] {
  const list = /^\(([^)]*)\)/.exec(description?.trim() ?? '')?.[1] ?? ''
  return list
    .split(/[,\s]+/)
    .map((id) => LEADING_ID.exec(id)?.[1])
    .filter((id): id is string => id !== undefined && id !== '')
}

function messageText(result: FieldReader): string {
  const message = result.optionalObject('message')
  return (message?.optionalString('text') ?? message?.optionalString('markdown') ?? '').trim()
}

function tagsOf(owner: FieldReader | undefined): string[] {
  const props = owner?.optionalObject('properties')
  const tags = props?.value['tags']
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : []
}

function kindOf(ruleId: string, tags: readonly string[]): Kind {
  if (VULNERABILITY_ID.test(ruleId) || tags.includes('vulnerability')) return 'vulnerability'
  if (tags.includes('secret') || tags.includes('secrets')) return 'secret'
  return 'misconfiguration'
}

/**
 * `security-severity` (result, then rule) when numeric and above 0; else `level` (result, then the
 * rule's `defaultConfiguration.level`, else SARIF's default `warning`).
 */
function severityOf(
  result: FieldReader,
  rule: FieldReader | undefined,
): { severity: Severity; level?: string } {
  const securitySeverity = numberProp(result, 'security-severity') ?? numberProp(rule, 'security-severity')
  if (securitySeverity !== undefined && securitySeverity > 0)
    return { severity: severityFromScore(securitySeverity) }
  const resultLevel = result.optionalString('level')
  const defaultLevel = rule?.optionalObject('defaultConfiguration')?.optionalString('level')
  // Own keys only: `in` would accept `constructor` and `__proto__` from Object.prototype.
  const level =
    [resultLevel, defaultLevel].find((l) => l !== undefined && Object.hasOwn(LEVEL_SEVERITY, l)) ?? 'warning'
  return { severity: LEVEL_SEVERITY[level] ?? normalizeSeverity(level), level }
}

/** A CVSS base score stated as such (`cvssv3_baseScore`, Trivy and Snyk). */
function cvssOf(result: FieldReader, rule: FieldReader | undefined): number | undefined {
  const score = numberProp(result, 'cvssv3_baseScore') ?? numberProp(rule, 'cvssv3_baseScore')
  return score !== undefined && score > 0 && score <= 10 ? score : undefined
}

/** For vulnerabilities, `security-severity` is the CVSS score in every scanner's SARIF seen so far. */
function scoreOf(result: FieldReader, rule: FieldReader | undefined): number | undefined {
  const sec = numberProp(result, 'security-severity') ?? numberProp(rule, 'security-severity')
  return cvssOf(result, rule) ?? (sec !== undefined && sec > 0 && sec <= 10 ? sec : undefined)
}

function numberProp(owner: FieldReader | undefined, key: string): number | undefined {
  const value = owner?.optionalObject('properties')?.value[key]
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  return Number.isFinite(n) ? n : undefined
}

/** A Dockerfile-like artifact becomes the finding's location; any other artifact its subject. */
function placeOf(result: FieldReader): { location?: SourceLocation; subject?: string } {
  const physical = result.objectArray('locations')[0]?.optionalObject('physicalLocation')
  const uri = physical?.optionalObject('artifactLocation')?.optionalString('uri')
  if (!uri) return {}
  const path = cleanUri(uri)
  if (!isDockerfilePath(path)) return path ? { subject: path } : {}
  const region = physical?.optionalObject('region')
  const startLine = Math.max(1, Math.trunc(region?.optionalNumber('startLine') ?? 1))
  const endLine = region?.optionalNumber('endLine')
  return {
    location: {
      path,
      startLine,
      ...(endLine !== undefined && endLine >= startLine ? { endLine: Math.trunc(endLine) } : {}),
    },
  }
}

function cleanUri(uri: string): string {
  let path = uri.replace(/^file:\/\//i, '')
  try {
    path = decodeURIComponent(path)
  } catch {
    // Not percent-encoded after all: keep it as written.
  }
  return path.replace(/^\.\//, '')
}

function firstLine(text: string | undefined): string | undefined {
  const line = text?.trim().split(/\r?\n/)[0]?.trim()
  return line ? truncate(line, MAX_TITLE) : undefined
}
