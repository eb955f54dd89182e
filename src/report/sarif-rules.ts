/**
 * SARIF rules (reporting descriptors) from findings: one rule per rule id, shared by every finding of that
 * id in a run (one CVE in several packages), carrying the most severe of them. Pure.
 */
import type { ReportingDescriptor } from 'sarif'
import type { Finding, Kind } from '../findings/finding.js'
import {
  DEFAULT_SECURITY_SEVERITY,
  maxSeverity,
  severityFromScore,
  type Severity,
} from '../findings/severity.js'
import {
  compareFindings,
  compareText,
  fixedVersionsText,
  oneLine,
  safeWebUrl,
  truncate,
} from './finding-text.js'
import { escapeMarkdown, link } from './markdown.js'

/** GitHub keeps 10 tags per rule. */
const MAX_TAGS = 10
const MAX_PACKAGES_IN_HELP = 20
const MAX_REFERENCES_IN_HELP = 10

export interface RuleTable {
  rules: ReportingDescriptor[]
  /** Position of each rule id in `rules`. */
  indexOf: Map<string, number>
}

/** Rules for `findings`, sorted by id so the same findings always give the same log. */
export function buildRules(findings: readonly Finding[]): RuleTable {
  const byId = new Map<string, Finding[]>()
  for (const finding of findings) {
    const group = byId.get(finding.ruleId)
    if (group === undefined) byId.set(finding.ruleId, [finding])
    else group.push(finding)
  }
  const ids = [...byId.keys()].sort(compareText)
  const rules = ids.map((id) => buildRule(id, byId.get(id) ?? []))
  return { rules, indexOf: new Map(ids.map((id, i) => [id, i])) }
}

/**
 * The numeric string GitHub turns into a severity. The CVSS score when it falls in the same band as the
 * finding's severity; otherwise (no score, or policy chose another source's severity) the default for
 * the severity, so code scanning shows the severity the gate judged. None for `unknown`.
 */
export function securitySeverity(severity: Severity, score: number | undefined): string | undefined {
  const fallback = DEFAULT_SECURITY_SEVERITY[severity]
  if (fallback === undefined) return undefined
  if (score !== undefined && Number.isFinite(score) && severityFromScore(score) === severity) {
    return Math.min(10, score).toFixed(1)
  }
  return fallback.toFixed(1)
}

function buildRule(id: string, group: readonly Finding[]): ReportingDescriptor {
  const sorted = [...group].sort(compareFindings)
  const lead = sorted[0]!
  const severity = maxSeverity(group.map((f) => f.severity))
  const bestScore = maxScoreAt(group, severity)
  const kinds = unique(sorted.map((f) => f.kind))
  const scanners = unique(sorted.flatMap((f) => f.detectedBy)).sort(compareText)
  // Rule text describes the rule, never one finding of it: the scanner's rule title when it gives one
  // (builtin checks), else one title chosen from the group independently of severity and order.
  const title = oneLine(lead.ruleTitle ?? ruleLevelTitle(group), 300) || id
  const description =
    lead.ruleTitle !== undefined
      ? oneLine(firstParagraph(lead.help?.text ?? ''), 3000) || title
      : oneLine(lead.description, 3000) || title

  const properties: NonNullable<ReportingDescriptor['properties']> = {
    // `kev` right after `security`, so the 10-tag cap never drops it: code scanning filters on tags.
    tags: unique(
      ['security', ...(group.some((f) => f.kev !== undefined) ? ['kev'] : []), ...kinds, ...scanners].map(
        (t) => oneLine(t, 50),
      ),
    ).slice(0, MAX_TAGS),
    precision: precisionOf(lead.kind, scanners.length),
  }
  const level = securitySeverity(severity, bestScore)
  if (level !== undefined) properties['security-severity'] = level

  // Parsing every reference as a URL is costly on large logs: once per rule, for the help and helpUri.
  const references = webReferences(sorted)
  const help =
    lead.help ??
    (lead.kind === 'vulnerability'
      ? vulnerabilityHelp(id, sorted, references)
      : genericHelp(title, description, references))
  return {
    id,
    // A vulnerability's name comes from its id: titles differ between scanners and data sources, and a
    // rule's name must not change with which of them found it in this image.
    name: friendlyName(lead.kind === 'vulnerability' ? id : title, lead.kind),
    shortDescription: { text: title },
    fullDescription: { text: description },
    help: { text: truncate(help.text, 10_000), markdown: truncate(help.markdown, 20_000) },
    helpUri: references[0],
    properties,
  }
}

/** The most common title of a rule's findings, ties by text: the same whatever order or severities they have. */
function ruleLevelTitle(group: readonly Finding[]): string {
  const counts = new Map<string, number>()
  for (const f of group) counts.set(f.title, (counts.get(f.title) ?? 0) + 1)
  let best = ''
  let bestCount = 0
  for (const [title, count] of counts) {
    if (count > bestCount || (count === bestCount && compareText(title, best) < 0)) {
      best = title
      bestCount = count
    }
  }
  return best
}

function firstParagraph(text: string): string {
  return text.trim().split(/\n\s*\n/)[0] ?? ''
}

/** The highest score among the findings that have the rule's severity (a lower one's score would mislead). */
function maxScoreAt(group: readonly Finding[], severity: Severity): number | undefined {
  let best: number | undefined
  for (const f of group) {
    if (f.severity !== severity || f.score === undefined) continue
    if (best === undefined || f.score > best) best = f.score
  }
  return best
}

/**
 * How sure the finding is true: a package CVE confirmed by two scanners is very-high, by one high;
 * configuration checks read the image's own settings (high); secret detection is pattern-based (medium).
 */
function precisionOf(kind: Kind, scannerCount: number): string {
  switch (kind) {
    case 'vulnerability':
      return scannerCount > 1 ? 'very-high' : 'high'
    case 'secret':
      return 'medium'
    case 'misconfiguration':
    case 'compliance':
      return 'high'
  }
}

/** A Pascal-case identifier from the title (`ImageRunsAsRoot`), as SARIF recommends for `name`. */
function friendlyName(title: string, kind: Kind): string {
  const words = title
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '')
    .slice(0, 10)
  // Only the first letter of a word is upper case: `ENV` → `Env`, or it is not a Pascal-case identifier.
  let name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('')
  if (!/^[A-Za-z]/.test(name)) name = `${kind.charAt(0).toUpperCase()}${kind.slice(1)}${name}`
  return name.slice(0, 80)
}

function vulnerabilityHelp(
  id: string,
  findings: readonly Finding[],
  references: readonly string[],
): { text: string; markdown: string } {
  const lead = findings[0]!
  const title = oneLine(lead.title, 300) || id
  const packages = uniqueBy(
    findings.filter((f) => f.package !== undefined),
    (f) => `${f.package!.type}\u0000${f.package!.name}\u0000${f.package!.version}`,
  )
  const shown = packages.slice(0, MAX_PACKAGES_IN_HELP)
  const more = packages.length - shown.length
  const score = findings.map((f) => f.score).find((s) => s !== undefined)
  const aliases = unique(findings.flatMap((f) => f.aliases)).slice(0, 10)

  // The plain-text help leaves the description to fullDescription: repeated for every rule, it would
  // make a third of a large log. The markdown help (what code scanning shows) keeps it.
  const text: string[] = [`${id}: ${title}`]
  const md: string[] = [`**${escapeMarkdown(id)}**: ${escapeMarkdown(title, 300)}`, '']
  if (lead.description.trim() !== '') md.push(escapeMarkdown(lead.description, 3000), '')
  if (shown.length > 0) {
    text.push('', 'Affected packages:')
    md.push('| Package | Installed version | Type | Fixed in |', '| --- | --- | --- | --- |')
    for (const f of shown) {
      const pkg = f.package!
      const fixed = fixedVersionsText(f)
      text.push(
        `- ${oneLine(pkg.name, 200)} ${oneLine(pkg.version, 100)} (${oneLine(pkg.type, 50)})` +
          (fixed === '' ? ', no fixed version known' : `, fixed in ${fixed}`),
      )
      md.push(
        `| ${escapeMarkdown(pkg.name, 200)} | ${escapeMarkdown(pkg.version, 100) || '—'} | ${escapeMarkdown(pkg.type, 50) || '—'} | ${fixed === '' ? 'no fixed version known' : escapeMarkdown(fixed)} |`,
      )
    }
    if (more > 0) {
      text.push(`- and ${more} more`)
      md.push('', `… and ${more} more package(s).`)
    }
    md.push('')
  }
  if (score !== undefined) {
    text.push('', `CVSS score: ${score.toFixed(1)}`)
    md.push(`**CVSS score:** ${score.toFixed(1)}`, '')
  }
  if (aliases.length > 0) {
    text.push('', `Also known as: ${oneLine(aliases.join(', '), 500)}`)
    md.push(`**Also known as:** ${escapeMarkdown(aliases.join(', '), 500)}`, '')
  }
  appendReferences(references, text, md)
  return { text: text.join('\n').trim(), markdown: md.join('\n').trim() }
}

function genericHelp(
  title: string,
  description: string,
  references: readonly string[],
): { text: string; markdown: string } {
  const text: string[] = [title]
  const md: string[] = [`**${escapeMarkdown(title, 300)}**`]
  // The description is never empty: buildRule falls back to the title.
  if (description !== title) {
    text.push('', description)
    md.push('', escapeMarkdown(description, 3000))
  }
  text.push('')
  md.push('')
  appendReferences(references, text, md)
  return { text: text.join('\n').trim(), markdown: md.join('\n').trim() }
}

function appendReferences(references: readonly string[], text: string[], md: string[]): void {
  if (references.length === 0) return
  text.push('References:', ...references.map((r) => `- ${r}`))
  md.push('**References:**', '', ...references.map((r) => `- ${link(r, r, 300)}`))
}

/** The first distinct safe http(s) references, at most MAX_REFERENCES_IN_HELP. */
function webReferences(findings: readonly Finding[]): string[] {
  const urls = new Set<string>()
  for (const finding of findings) {
    for (const reference of finding.references) {
      const url = safeWebUrl(reference)
      if (url !== undefined) urls.add(url)
      if (urls.size === MAX_REFERENCES_IN_HELP) return [...urls]
    }
  }
  return [...urls]
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)]
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => {
    const k = key(item)
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
