/**
 * Trivy's `.trivyignore.yaml` (pkg/result/ignore.go at v0.70.0, `IgnoreConfig`): sections
 * `vulnerabilities`, `misconfigurations`, `secrets` and `licenses`, each a list of `{id, paths, purls,
 * statement, expired_at}`. `statement` becomes the suppression reason; `expired_at` the expiry (Trivy
 * drops an entry once that time has passed, so a timestamp is cut to its day: the rule stops a little
 * early rather than late); `paths` (doublestar globs) and `purls` narrow the match. Trivy picks this
 * format by the file's extension (`.yml`/`.yaml`); so does `parseIgnoreFile`. Pure.
 */
import { parseDocument } from 'yaml'
import type { Finding } from '../findings/finding.js'
import { appendAll } from '../util/arrays.js'
import { ConfigurationError } from '../util/errors.js'
import { parsePurl } from './purl-match.js'
import { isRealDate, parseTrivyIgnore, type IgnoreRule } from './suppress.js'

const SECTIONS: Readonly<Record<string, Finding['kind'] | null>> = {
  vulnerabilities: 'vulnerability',
  misconfigurations: 'misconfiguration',
  secrets: 'secret',
  // No scanner here reports licenses: such entries are read (so the file is accepted) and match nothing.
  licenses: null,
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A `.trivyignore` (lines) or a `.trivyignore.yaml`, by the file name's extension as Trivy decides. */
export function parseIgnoreFile(text: string, origin: string): IgnoreRule[] {
  return /\.ya?ml$/i.test(origin) ? parseTrivyIgnoreYaml(text, origin) : parseTrivyIgnore(text, origin)
}

function expiryOf(value: unknown, where: string, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined
  const text = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : ''
  const day = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(text)?.[1]
  if (day === undefined || !isRealDate(day) || (text.length > 10 && Number.isNaN(Date.parse(text)))) {
    problems.push(`${where}: expired_at ${JSON.stringify(value)} is not a date (YYYY-MM-DD or RFC 3339)`)
    return undefined
  }
  return day
}

function stringList(value: unknown, key: string, where: string, problems: string[]): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    problems.push(`${where}: ${key} must be a list of strings`)
    return []
  }
  return value
}

function readEntry(
  entry: unknown,
  kind: Finding['kind'] | null,
  where: string,
  problems: string[],
): IgnoreRule[] {
  if (!isRecord(entry) || typeof entry.id !== 'string' || entry.id.trim() === '') {
    problems.push(`${where}: each entry needs an "id"`)
    return []
  }
  const statement = typeof entry.statement === 'string' ? entry.statement.trim() : ''
  const rule: IgnoreRule = {
    id: entry.id.trim(),
    reason: statement !== '' ? statement : 'from .trivyignore.yaml',
    origin: where,
  }
  const expires = expiryOf(entry.expired_at, where, problems)
  if (expires !== undefined) rule.expires = expires
  const paths = stringList(entry.paths, 'paths', where, problems)
  if (paths.length > 0) rule.paths = paths
  const purls = stringList(entry.purls, 'purls', where, problems).map((text) => {
    const purl = parsePurl(text)
    if (purl === undefined) problems.push(`${where}: ${JSON.stringify(text)} is not a package URL`)
    return purl
  })
  if (purls.length > 0) rule.purls = purls.filter((p) => p !== undefined)
  if (kind === null) return []
  rule.kind = kind
  return [rule]
}

/** Reads a `.trivyignore.yaml`; every problem is a `ConfigurationError` naming the entry. */
export function parseTrivyIgnoreYaml(text: string, origin = '.trivyignore.yaml'): IgnoreRule[] {
  const document = parseDocument(text, { prettyErrors: false })
  if (document.errors.length > 0) {
    throw new ConfigurationError(`${origin}: not valid YAML: ${document.errors[0]!.message}`)
  }
  const root: unknown = document.toJS()
  if (root === null || root === undefined) return []
  if (!isRecord(root)) throw new ConfigurationError(`${origin}: expected a mapping of sections`)
  const problems: string[] = []
  const rules: IgnoreRule[] = []
  for (const [section, entries] of Object.entries(root)) {
    // Own keys only: a section named `constructor` must not find Object.prototype's member.
    const kind = Object.hasOwn(SECTIONS, section) ? SECTIONS[section] : undefined
    if (kind === undefined) {
      problems.push(`${origin}: unknown section "${section}" (${Object.keys(SECTIONS).join(', ')})`)
      continue
    }
    if (entries === null) continue
    if (!Array.isArray(entries)) {
      problems.push(`${origin}: ${section} must be a list`)
      continue
    }
    entries.forEach((entry, i) =>
      appendAll(rules, readEntry(entry, kind, `${origin} ${section}[${i}]`, problems)),
    )
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'))
  return rules
}
