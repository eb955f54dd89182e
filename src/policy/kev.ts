/**
 * CISA's Known Exploited Vulnerabilities catalog: its JSON read and checked, and findings marked from
 * it. Pure. The shape checked is CISA's published schema (github.com/cisagov/kev-data,
 * known_exploited_vulnerabilities_schema.json): a top-level object with `catalogVersion`,
 * `dateReleased`, `count` and `vulnerabilities[]`, each entry with `cveID` (`^CVE-[0-9]{4}-[0-9]{4,19}$`),
 * `dateAdded` and `dueDate` (`YYYY-MM-DD`) and `knownRansomwareCampaignUse` (`Known` / `Unknown`). A
 * catalog that does not have that shape, or lists nothing, is an error: an empty catalog would read as
 * "nothing here is exploited".
 */
import { cveIdsOf, type KevMark } from '../findings/exploit-data.js'
import type { Finding } from '../findings/finding.js'

/** Where CISA publishes the catalog (https://www.cisa.gov/known-exploited-vulnerabilities-catalog). */
export const KEV_CATALOG_URL =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json'

export interface KevCatalog {
  catalogVersion: string
  /** ISO date-time of the release, as the catalog gives it. */
  dateReleased: string
  /** Number of entries. */
  count: number
  /** Upper-cased CVE id → its entry. */
  entries: Map<string, KevMark>
}

/** The catalog is not CISA's KEV JSON; the message says what is wrong. */
export class KevCatalogError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KevCatalogError'
  }
}

const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,19}$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

export function parseKevCatalog(text: string): KevCatalog {
  let json: unknown
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (error) {
    throw new KevCatalogError(`not JSON (${error instanceof Error ? error.message : String(error)})`)
  }
  if (!isRecord(json)) throw new KevCatalogError('the top level should be an object with "vulnerabilities"')
  const list = json['vulnerabilities']
  if (!Array.isArray(list)) throw new KevCatalogError('"vulnerabilities" is missing or not a list')
  const catalogVersion = json['catalogVersion']
  const dateReleased = json['dateReleased']
  const count = json['count']
  if (typeof catalogVersion !== 'string' || catalogVersion.trim() === '')
    throw new KevCatalogError('"catalogVersion" is missing or not a string')
  if (typeof dateReleased !== 'string' || !DATE.test(dateReleased.slice(0, 10)))
    throw new KevCatalogError('"dateReleased" is missing or not a date-time')
  if (typeof count !== 'number' || !Number.isInteger(count))
    throw new KevCatalogError('"count" is missing or not an integer')
  if (list.length === 0) throw new KevCatalogError('"vulnerabilities" is empty')
  if (count !== list.length) {
    throw new KevCatalogError(
      `"count" says ${count} but "vulnerabilities" has ${list.length} entries (a truncated or edited catalog?)`,
    )
  }
  const entries = new Map<string, KevMark>()
  list.forEach((item: unknown, index) => {
    const where = `vulnerabilities[${index}]`
    if (!isRecord(item)) throw new KevCatalogError(`${where} should be an object`)
    const cve = item['cveID']
    if (typeof cve !== 'string' || !CVE_ID.test(cve.trim()))
      throw new KevCatalogError(`${where}.cveID should be a CVE id (got ${show(cve)})`)
    const mark: KevMark = {
      cve: cve.trim(),
      dateAdded: date(item, 'dateAdded', where),
      dueDate: date(item, 'dueDate', where),
      knownRansomwareCampaignUse: ransomware(item, where),
    }
    entries.set(mark.cve.toUpperCase(), mark)
  })
  return { catalogVersion: catalogVersion.trim(), dateReleased, count, entries }
}

function date(item: Record<string, unknown>, key: string, where: string): string {
  const value = item[key]
  if (typeof value !== 'string' || !DATE.test(value))
    throw new KevCatalogError(`${where}.${key} should be a date YYYY-MM-DD (got ${show(value)})`)
  return value
}

/** Not required by the schema: absent reads as `Unknown`, CISA's word for "no confirmation". */
function ransomware(item: Record<string, unknown>, where: string): string {
  const value = item['knownRansomwareCampaignUse']
  if (value === undefined || value === null) return 'Unknown'
  if (typeof value !== 'string')
    throw new KevCatalogError(`${where}.knownRansomwareCampaignUse should be a string (got ${show(value)})`)
  return value.trim() || 'Unknown'
}

/**
 * Marks every vulnerability finding whose rule id or an alias (the ids merging collected: CVE, GHSA,
 * distro advisories) is in the catalog. Other findings are returned as they are.
 */
export function markKnownExploited(findings: readonly Finding[], catalog: KevCatalog): Finding[] {
  return findings.map((finding) => {
    if (finding.kind !== 'vulnerability') return finding
    for (const id of cveIdsOf(finding)) {
      const mark = catalog.entries.get(id)
      if (mark !== undefined) return { ...finding, kev: { ...mark } }
    }
    return finding
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = (JSON.stringify(value) as string | undefined) ?? typeof value
  return text.length > 60 ? `${text.slice(0, 59)}…` : text
}
