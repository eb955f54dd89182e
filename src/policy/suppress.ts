/**
 * Accepted risks: an ignore rule names a vulnerability or check id (and optionally a package and an image),
 * says why, and may say until when. A matching, unexpired rule suppresses the finding (it is still reported,
 * it does not fail the gate); an expired rule suppresses nothing and is reported so it gets renewed or
 * removed. Also reads existing `.trivyignore` files. Pure: `today` is injected.
 */
import { compilePathGlob, pathGlobMatches } from './path-glob.js'
import type { Finding } from '../findings/finding.js'
import { normalizePackageName, normalizePackageVersion, packageFamily } from '../findings/package-identity.js'
import { ConfigurationError } from '../util/errors.js'
import { purlMatchesPackage, type Purl } from './purl-match.js'

export interface IgnoreRule {
  /** A rule id or alias (`CVE-2023-1234`, `GHSA-…`, `DS002`), compared case-insensitively. */
  id: string
  /** A package name, or `name@version`. */
  package?: string
  /** The image as the user named it; `*` matches any run of characters. */
  image?: string
  reason: string
  /** `YYYY-MM-DD`: from that day (UTC) on the rule no longer applies. */
  expires?: string
  /** Where the rule was written (`.github/container-security.yml ignore[2]`, `.trivyignore:3`). */
  origin?: string
  /** Only findings of this kind (the section of a `.trivyignore.yaml` entry). */
  kind?: Finding['kind']
  /** Only findings in a file matching one of these globs (`**` any directories, `*` within one). */
  paths?: string[]
  /** Only findings on a package matching one of these package URLs. */
  purls?: Purl[]
}

export interface IgnoreOutcome {
  /** The findings, those matched by an unexpired rule carrying `suppression.kind = 'ignore'`. */
  findings: Finding[]
  /** Rules past their expiry date: they suppressed nothing. */
  expiredRules: IgnoreRule[]
  /** Unexpired rules no finding matched (stale, or a typo in the id). */
  unusedRules: IgnoreRule[]
}

export function applyIgnoreRules(
  findings: readonly Finding[],
  rules: readonly IgnoreRule[],
  options: { today: Date },
): IgnoreOutcome {
  const today = options.today.toISOString().slice(0, 10)
  const active: IgnoreRule[] = []
  const expiredRules: IgnoreRule[] = []
  for (const rule of rules) {
    if (rule.expires !== undefined && !isRealDate(rule.expires)) {
      throw new ConfigurationError(
        `${describeRule(rule)}: expires '${rule.expires}' is not a real date (YYYY-MM-DD)`,
      )
    }
    if (rule.expires !== undefined && today >= rule.expires) expiredRules.push(rule)
    else active.push(rule)
  }

  const byId = new Map<string, IgnoreRule[]>()
  for (const rule of active) {
    const key = rule.id.trim().toUpperCase()
    byId.set(key, [...(byId.get(key) ?? []), rule])
  }
  const used = new Set<IgnoreRule>()
  const out = findings.map((finding) => {
    const ids = new Set([finding.ruleId, ...finding.aliases].map((id) => id.trim().toUpperCase()))
    let match: IgnoreRule | undefined
    for (const id of ids) {
      for (const rule of byId.get(id) ?? []) {
        if (!packageMatches(rule.package, finding) || !imageMatches(rule.image, finding.target)) continue
        if (!narrowedTo(rule, finding)) continue
        used.add(rule)
        match ??= rule
      }
    }
    // A finding already suppressed (VEX, baseline) keeps that reason; the rule still counts as used.
    if (!match || finding.suppression) return finding
    const suppression: NonNullable<Finding['suppression']> = { kind: 'ignore', reason: match.reason }
    if (match.expires !== undefined) suppression.expires = match.expires
    return { ...finding, suppression }
  })
  return { findings: out, expiredRules, unusedRules: active.filter((r) => !used.has(r)) }
}

/** One line for the summary: `ignore rule for CVE-2023-1234 (openssl) expired on 2025-01-31: <reason>`. */
export function describeExpiredRule(rule: IgnoreRule): string {
  return `${describeRule(rule)} expired on ${rule.expires ?? '?'}: ${rule.reason}`
}

function describeRule(rule: IgnoreRule): string {
  const scope = [rule.package, rule.image].filter((s): s is string => s !== undefined)
  const where = rule.origin !== undefined ? ` in ${rule.origin}` : ''
  return `ignore rule for ${rule.id}${scope.length > 0 ? ` (${scope.join(', ')})` : ''}${where}`
}

/** The `.trivyignore.yaml` narrowing: section kind, `paths` and `purls` (pkg/result/ignore.go `Match`). */
function narrowedTo(rule: IgnoreRule, finding: Finding): boolean {
  if (rule.kind !== undefined && rule.kind !== finding.kind) return false
  if (rule.paths !== undefined && rule.paths.length > 0) {
    const path = (finding.package?.path ?? finding.location?.path ?? '').replace(/^\/+/, '')
    if (!rule.paths.some((glob) => pathGlobMatches(compilePathGlob(glob), path))) return false
  }
  // Trivy: a finding without a package is not narrowed by purls.
  if (rule.purls !== undefined && rule.purls.length > 0 && finding.package !== undefined) {
    if (!rule.purls.some((purl) => purlMatchesPackage(purl, finding))) return false
  }
  return true
}

function packageMatches(spec: string | undefined, finding: Finding): boolean {
  if (spec === undefined || spec.trim() === '') return true
  const pkg = finding.package
  if (!pkg) return false
  const text = spec.trim()
  // `@scope/name@1.2.3`: the version is after the last `@` that is not the first character.
  const at = text.lastIndexOf('@')
  const name = at > 0 ? text.slice(0, at) : text
  const version = at > 0 ? text.slice(at + 1) : undefined
  const family = packageFamily(pkg.type)
  if (normalizePackageName(family, name) !== normalizePackageName(family, pkg.name)) return false
  return (
    version === undefined ||
    normalizePackageVersion(family, version) === normalizePackageVersion(family, pkg.version)
  )
}

function imageMatches(glob: string | undefined, target: string): boolean {
  if (glob === undefined || glob.trim() === '') return true
  const parts = glob.trim().toLowerCase().split('*')
  // `ghcr.io/acme/app` also matches the image `ghcr.io/acme/app:ci` and `…@sha256:…`.
  return (
    wildcardMatches(parts, target.toLowerCase()) ||
    wildcardMatches(parts, withoutTagOrDigest(target).toLowerCase())
  )
}

/**
 * `*` matches any run of characters; everything else is literal. No regular expression: the literal
 * pieces between stars are found left to right, each at its first occurrence after the previous one
 * (taking the first is never worse), so the cost is one pass over the text per piece, with no
 * backtracking whatever the pattern (`*a*a*a*…b` against `aaaa…`).
 */
export function wildcardMatches(parts: readonly string[], text: string): boolean {
  const first = parts[0] ?? ''
  if (parts.length === 1) return text === first
  const last = parts[parts.length - 1] ?? ''
  if (text.length < first.length + last.length) return false
  if (!text.startsWith(first) || !text.endsWith(last)) return false
  let position = first.length
  const end = text.length - last.length
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] ?? ''
    if (part === '') continue
    const found = text.indexOf(part, position)
    if (found === -1 || found + part.length > end) return false
    position = found + part.length
  }
  return true
}

function withoutTagOrDigest(image: string): string {
  const at = image.lastIndexOf('@')
  const noDigest = at > 0 && !image.slice(at).includes('/') ? image.slice(0, at) : image
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}

/** True for a `YYYY-MM-DD` string naming a day that exists. */
export function isRealDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/**
 * Reads a `.trivyignore`: one id per line, `#` comments, an optional `exp:YYYY-MM-DD` field (Trivy ignores
 * the id until that date). A bad date is an error here, where Trivy would skip the line with a warning:
 * a rule that silently stops applying is a surprise either way, and this one fails loudly.
 */
export function parseTrivyIgnore(text: string, origin = '.trivyignore'): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  const problems: string[] = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    const rule: IgnoreRule = { id: fields[0]!, reason: 'from .trivyignore', origin: `${origin}:${index + 1}` }
    const exp = fields.find((f) => f.startsWith('exp:'))
    if (exp !== undefined) {
      const date = exp.slice(4)
      if (!isRealDate(date)) {
        problems.push(`${origin}:${index + 1}: ${exp} is not a real date (exp:YYYY-MM-DD)`)
        return
      }
      rule.expires = date
    }
    rules.push(rule)
  })
  if (problems.length > 0) throw new ConfigurationError(problems.join('\n'))
  return rules
}
