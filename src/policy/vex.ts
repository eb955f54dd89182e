/**
 * OpenVEX (https://openvex.dev): statements that a vulnerability does not affect (`not_affected`) or no
 * longer affects (`fixed`) a product suppress the matching findings, with the justification shown. The
 * latest statement for a (vulnerability, product) pair wins. Products are package URLs; a statement about
 * the image itself (`pkg:oci/…`) applies to the packages it lists as subcomponents. Pure.
 */
import type { Finding } from '../findings/finding.js'
import { ociMatchesImage, parsePurl, purlMatchesPackage, type Purl } from './purl-match.js'
import { ConfigurationError } from '../util/errors.js'
import { jsonSyntaxProblem } from '../util/json-error.js'

export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const
export type VexStatus = (typeof VEX_STATUSES)[number]

export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const

export interface VexComponent {
  /** The `@id` (or identifiers.purl) as written. */
  id: string
  /** Parsed when the id is a package URL; a product that is not one matches nothing. */
  purl?: Purl
}

export interface VexProduct extends VexComponent {
  subcomponents: VexComponent[]
}

export interface VexStatement {
  vulnerability: string
  aliases: string[]
  products: VexProduct[]
  status: VexStatus
  justification?: string
  impactStatement?: string
  actionStatement?: string
  statusNotes?: string
  /** ISO time of the statement (or of its document); later statements override earlier ones. */
  timestamp?: string
  /** The file it came from. */
  origin: string
}

export function parseOpenVex(text: string, origin: string): VexStatement[] {
  const fail = (problems: string[]): never => {
    throw new ConfigurationError(problems.map((p) => `VEX document ${origin}: ${p}`).join('\n'))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return fail([jsonSyntaxProblem(error, text)])
  }
  if (!isRecord(json)) return fail(['not an OpenVEX document: expected a JSON object'])
  const context = json['@context']
  if (typeof context !== 'string' || !context.startsWith('https://openvex.dev/ns')) {
    const hint = 'bomFormat' in json ? ' (this looks like CycloneDX; only OpenVEX is read)' : ''
    return fail([`not an OpenVEX document: @context should be https://openvex.dev/ns/v0.2.0${hint}`])
  }
  const statements = json.statements
  if (!Array.isArray(statements)) return fail(['statements is missing or not a list'])
  const documentTime = typeof json.timestamp === 'string' ? json.timestamp : undefined

  const problems: string[] = []
  const out: VexStatement[] = []
  statements.forEach((raw, i) => {
    const at = `statements[${i}]`
    const statement = readStatement(raw, at, problems)
    if (!statement) return
    const timestamp = statement.timestamp ?? documentTime
    if (timestamp !== undefined && Number.isNaN(Date.parse(timestamp))) {
      problems.push(`${at}.timestamp '${timestamp}' is not a date-time`)
      return
    }
    out.push({ ...statement, ...(timestamp !== undefined ? { timestamp } : {}), origin })
  })
  if (problems.length > 0) fail(problems)
  return out
}

function readStatement(
  raw: unknown,
  at: string,
  problems: string[],
): Omit<VexStatement, 'origin'> | undefined {
  if (!isRecord(raw)) {
    problems.push(`${at} is not an object`)
    return undefined
  }
  const before = problems.length
  let vulnerability = ''
  let aliases: string[] = []
  if (typeof raw.vulnerability === 'string') {
    vulnerability = raw.vulnerability
  } else if (isRecord(raw.vulnerability) && typeof raw.vulnerability.name === 'string') {
    vulnerability = raw.vulnerability.name
    aliases = stringList(raw.vulnerability.aliases, `${at}.vulnerability.aliases`, problems)
  }
  if (vulnerability.trim() === '') problems.push(`${at}.vulnerability.name is missing`)

  const status = raw.status
  if (typeof status !== 'string' || !(VEX_STATUSES as readonly string[]).includes(status)) {
    // A list or map is named, not printed: JSON.stringify of a deeply nested one overflows the stack.
    const shown = Array.isArray(status) ? 'a list' : isRecord(status) ? 'an object' : JSON.stringify(status)
    problems.push(`${at}.status ${shown} is not one of ${VEX_STATUSES.join(', ')}`)
  }
  const justification = optionalString(raw.justification, `${at}.justification`, problems)
  const impactStatement = optionalString(raw.impact_statement, `${at}.impact_statement`, problems)
  if (justification !== undefined && !(VEX_JUSTIFICATIONS as readonly string[]).includes(justification)) {
    problems.push(`${at}.justification '${justification}' is not one of ${VEX_JUSTIFICATIONS.join(', ')}`)
  }
  if (status === 'not_affected' && justification === undefined && impactStatement === undefined) {
    problems.push(`${at}: a not_affected statement needs a justification or an impact_statement`)
  }
  if (!Array.isArray(raw.products) || raw.products.length === 0) {
    problems.push(`${at}.products is missing: a statement must name the products it is about`)
  }
  const products = (Array.isArray(raw.products) ? raw.products : []).map((p: unknown, j) =>
    readProduct(p, `${at}.products[${j}]`, problems),
  )
  if (problems.length > before) return undefined

  const statement: Omit<VexStatement, 'origin'> = {
    vulnerability: vulnerability.trim(),
    aliases,
    products: products.filter((p): p is VexProduct => p !== undefined),
    status: status as VexStatus,
  }
  if (justification !== undefined) statement.justification = justification
  if (impactStatement !== undefined) statement.impactStatement = impactStatement
  const action = optionalString(raw.action_statement, `${at}.action_statement`, problems)
  if (action !== undefined) statement.actionStatement = action
  const notes = optionalString(raw.status_notes, `${at}.status_notes`, problems)
  if (notes !== undefined) statement.statusNotes = notes
  const timestamp =
    optionalString(raw.timestamp, `${at}.timestamp`, problems) ??
    optionalString(raw.last_updated, `${at}.last_updated`, problems)
  if (timestamp !== undefined) statement.timestamp = timestamp
  return statement
}

function readProduct(raw: unknown, at: string, problems: string[]): VexProduct | undefined {
  const component = readComponent(raw, at, problems)
  if (!component) return undefined
  const subs = isRecord(raw) && Array.isArray(raw.subcomponents) ? raw.subcomponents : []
  const subcomponents = subs
    .map((s: unknown, k) => readComponent(s, `${at}.subcomponents[${k}]`, problems))
    .filter((c): c is VexComponent => c !== undefined)
  return { ...component, subcomponents }
}

/** A product or subcomponent: a string (OpenVEX 0.0.x) or `{ "@id", identifiers: { purl } }`. */
function readComponent(raw: unknown, at: string, problems: string[]): VexComponent | undefined {
  let id: string | undefined
  let purlText: string | undefined
  if (typeof raw === 'string') {
    id = raw
  } else if (isRecord(raw)) {
    if (typeof raw['@id'] === 'string') id = raw['@id']
    if (isRecord(raw.identifiers) && typeof raw.identifiers.purl === 'string') purlText = raw.identifiers.purl
  }
  id ??= purlText
  if (id === undefined || id.trim() === '') {
    problems.push(`${at} has neither an @id nor identifiers.purl`)
    return undefined
  }
  const component: VexComponent = { id }
  const purl = parsePurl(purlText ?? id)
  if (purl) component.purl = purl
  return component
}

// ------------------------------------------------------------------------------------------------ apply

/**
 * Suppresses findings a `not_affected` or `fixed` statement covers. Among the statements about a finding
 * the latest (by timestamp, then by position in `statements`) decides. Findings already suppressed keep
 * their reason.
 */
export function applyVex(findings: readonly Finding[], statements: readonly VexStatement[]): Finding[] {
  const position = new Map(statements.map((s, i) => [s, i]))
  const isLater = (a: VexStatement, b: VexStatement): boolean => {
    const ta = a.timestamp !== undefined ? Date.parse(a.timestamp) : -Infinity
    const tb = b.timestamp !== undefined ? Date.parse(b.timestamp) : -Infinity
    return ta !== tb ? ta > tb : position.get(a)! > position.get(b)!
  }
  const byId = new Map<string, VexStatement[]>()
  for (const statement of statements) {
    for (const id of new Set(
      [statement.vulnerability, ...statement.aliases].map((v) => v.trim().toUpperCase()),
    )) {
      byId.set(id, [...(byId.get(id) ?? []), statement])
    }
  }
  return findings.map((finding) => {
    if (finding.kind !== 'vulnerability' || finding.suppression) return finding
    let latest: VexStatement | undefined
    for (const id of new Set([finding.ruleId, ...finding.aliases].map((v) => v.trim().toUpperCase()))) {
      for (const statement of byId.get(id) ?? []) {
        if (!statement.products.some((product) => productMatches(product, finding))) continue
        if (!latest || isLater(statement, latest)) latest = statement
      }
    }
    if (!latest || (latest.status !== 'not_affected' && latest.status !== 'fixed')) return finding
    return { ...finding, suppression: { kind: 'vex' as const, reason: vexReason(latest) } }
  })
}

/** `not_affected: vulnerable_code_not_in_execute_path — the parser is never called` */
export function vexReason(statement: VexStatement): string {
  let reason: string = statement.status
  if (statement.justification !== undefined) reason += `: ${statement.justification}`
  if (statement.impactStatement !== undefined) reason += ` — ${statement.impactStatement}`
  return reason
}

function productMatches(product: VexProduct, finding: Finding): boolean {
  const purl = product.purl
  if (purl?.type === 'oci') {
    if (!ociMatchesImage(purl, finding.target)) return false
    // The image with no subcomponents: the statement is about every package in it.
    if (product.subcomponents.length === 0) return true
    return product.subcomponents.some((s) => s.purl !== undefined && purlMatchesPackage(s.purl, finding))
  }
  if (purl && purlMatchesPackage(purl, finding)) return true
  return product.subcomponents.some((s) => s.purl !== undefined && purlMatchesPackage(s.purl, finding))
}

function optionalString(value: unknown, at: string, problems: string[]): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') {
    problems.push(`${at} should be a string`)
    return undefined
  }
  return value.trim() === '' ? undefined : value
}

function stringList(value: unknown, at: string, problems: string[]): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    problems.push(`${at} should be a list of strings`)
    return []
  }
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
