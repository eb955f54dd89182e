/**
 * Links vulnerability findings to the SBOM's components: CycloneDX 1.6 `vulnerabilities[]` entries whose
 * `affects[].ref` is the bom-ref of the inventory package the finding is about. A finding is linked only
 * when its package URL names the same package as an inventory purl — same purl type, name (with the npm
 * scope) and version, an `epoch` qualifier folded into the version as dpkg writes it — so nothing is
 * guessed; findings that match nothing simply stay out of the SBOM (they are in the SARIF and JSON).
 * Suppressed findings are left out too.
 */
import { PackageURL } from 'packageurl-js'
import type { Finding } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'

/** The identity two purls of one installed package share, whichever tool wrote them. */
export function packageKey(purl: string): string | undefined {
  let parsed: PackageURL
  try {
    parsed = PackageURL.fromString(purl)
  } catch {
    return undefined
  }
  if (!parsed.version) return undefined
  const epoch = parsed.qualifiers?.['epoch']
  const version =
    epoch !== undefined && epoch !== '0' && !parsed.version.includes(':')
      ? `${epoch}:${parsed.version}`
      : parsed.version
  const name = parsed.type === 'npm' && parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name
  return `${parsed.type}\u0000${name}\u0000${version}`
}

export interface LinkedVulnerability {
  id: string
  description: string
  severity: Severity
  score?: number
  /** bom-refs of the affected components. */
  refs: string[]
}

/** Groups the findings that name an inventory package by vulnerability id, each with the refs it affects. */
export function linkVulnerabilities(
  findings: readonly Finding[],
  refByKey: ReadonlyMap<string, string>,
): LinkedVulnerability[] {
  const byId = new Map<string, LinkedVulnerability>()
  for (const finding of findings) {
    if (finding.kind !== 'vulnerability' || finding.suppression !== undefined) continue
    const purl = finding.package?.purl
    const key = purl !== undefined ? packageKey(purl) : undefined
    const ref = key !== undefined ? refByKey.get(key) : undefined
    if (ref === undefined) continue
    const linked = byId.get(finding.ruleId)
    if (linked !== undefined) {
      if (!linked.refs.includes(ref)) linked.refs.push(ref)
      continue
    }
    const entry: LinkedVulnerability = {
      id: finding.ruleId,
      description: finding.title,
      severity: finding.severity,
      refs: [ref],
    }
    if (finding.score !== undefined) entry.score = finding.score
    byId.set(finding.ruleId, entry)
  }
  return [...byId.values()]
}
