/**
 * What package (and fix) a SARIF result is about, read only from places where tools state it plainly:
 * purl properties, `name@version` logical locations, and the fixed message layouts of Trivy, Grype and
 * OSV-Scanner. Anything less clear yields nothing rather than a guess. Pure.
 */
import { PackageURL } from 'packageurl-js'
import type { PackageRef } from '../findings/finding.js'
import { uniqueStrings, type FieldReader } from './report-json.js'

/** Package types as tools tag them (Snyk puts the package manager in the rule's tags). */
const PACKAGE_TYPES = new Set([
  'apk',
  'deb',
  'rpm',
  'npm',
  'yarn',
  'pnpm',
  'pip',
  'pypi',
  'poetry',
  'maven',
  'gradle',
  'gomodules',
  'golang',
  'nuget',
  'composer',
  'cargo',
  'rubygems',
  'gem',
  'hex',
  'pub',
  'cocoapods',
  'swift',
  'conan',
])

export interface SarifPackageInput {
  result: FieldReader
  rule: FieldReader | undefined
  /** The result's message text. */
  message: string
  /** Tags of the result and the rule, lower-cased. */
  tags: readonly string[]
}

export function packageFromSarif(input: SarifPackageInput): PackageRef | undefined {
  return fromPurl(input) ?? fromLogicalLocation(input) ?? fromMessage(input)
}

/** `Fixed Version: 1.2.3` (Trivy's message) or `Fix Version: 1.2,1.3` (Grype's rule help). */
export function fixFromSarif(input: SarifPackageInput): { state: 'fixed'; versions: string[] } | undefined {
  const help = input.rule?.optionalObject('help')?.optionalString('text') ?? ''
  for (const text of [input.message, help]) {
    const m = /^\s*Fix(?:ed)? Version:[ \t]*(\S.*)$/im.exec(text)
    const versions = uniqueStrings((m?.[1] ?? '').split(','))
    if (versions.length > 0) return { state: 'fixed', versions }
  }
  return undefined
}

function fromPurl({ result, rule }: SarifPackageInput): PackageRef | undefined {
  const purls = uniqueStrings(
    [result, rule].flatMap((owner) => {
      const props = owner?.optionalObject('properties')
      if (!props) return []
      return [props.value['purls'], props.value['purl']].flatMap((v) =>
        typeof v === 'string'
          ? [v]
          : Array.isArray(v)
            ? v.filter((x): x is string => typeof x === 'string')
            : [],
      )
    }),
  )
  // One rule can cover several packages; only a single purl says which one this result is about.
  if (purls.length !== 1) return undefined
  const purl = purls[0]!
  try {
    const parsed = PackageURL.fromString(purl)
    const namespaced = parsed.namespace && ['npm', 'golang'].includes(parsed.type)
    return {
      name: namespaced ? `${parsed.namespace}/${parsed.name}` : parsed.name,
      version: parsed.version ?? '',
      type: parsed.type,
      purl,
    }
  } catch {
    return undefined
  }
}

/** Snyk: `logicalLocations[].fullyQualifiedName` = `bzip2@1.0.6-8.1` (not Grype's `image@:/path`). */
function fromLogicalLocation({ result, tags }: SarifPackageInput): PackageRef | undefined {
  for (const location of result.objectArray('locations')) {
    for (const logical of location.objectArray('logicalLocations')) {
      const fqn = logical.optionalString('fullyQualifiedName') ?? ''
      const m = /^(@?[^@\s/:]+(?:\/[^@\s/:]+)?)@([^@\s/:][^@\s/]*)$/.exec(fqn)
      if (m) return { name: m[1]!, version: m[2]!, type: typeFromTags(tags) }
    }
  }
  return undefined
}

function fromMessage({ result, message, tags }: SarifPackageInput): PackageRef | undefined {
  const type = typeFromTags(tags)
  // Trivy: "Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0\n..."
  const trivyName = /^Package:[ \t]*(\S+)[ \t]*$/m.exec(message)?.[1]
  const trivyVersion = /^Installed Version:[ \t]*(\S+)[ \t]*$/m.exec(message)?.[1]
  if (trivyName && trivyVersion) return { name: trivyName, version: trivyVersion, type }
  // Trivy's location message: "<artifact>: libcrypto1.1@1.1.1c-r0"
  for (const location of result.objectArray('locations')) {
    const text = location.optionalObject('message')?.optionalString('text') ?? ''
    const m = /:\s+([^\s@]+)@(\S+)\s*$/.exec(text)
    if (m) return { name: m[1]!, version: m[2]!, type }
  }
  // OSV-Scanner: "Package 'ansi-html@0.0.1' is vulnerable to ..."
  const osv = /Package '([^']+)@([^'@]+)'/.exec(message)
  if (osv) return { name: osv[1]!, version: osv[2]!, type }
  // Grype: "A low vulnerability in rpm package: nss, version 3.79 was found ..." /
  // "The path lib/x.jar reports x at version 1.0.1 which would result in a vulnerable (java-archive) package"
  const grype = /in (\S+) package: (\S+), version (\S+) was found/.exec(message)
  if (grype) return { name: grype[2]!, version: grype[3]!, type: grype[1]!.toLowerCase() }
  const grypeOld =
    /reports (\S+) at version (\S+)\s+which would result in a vulnerable \(([^)]+)\) package/.exec(message)
  if (grypeOld) return { name: grypeOld[1]!, version: grypeOld[2]!, type: grypeOld[3]!.toLowerCase() }
  return undefined
}

function typeFromTags(tags: readonly string[]): string {
  return tags.find((t) => PACKAGE_TYPES.has(t)) ?? 'unknown'
}
