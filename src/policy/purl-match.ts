/**
 * Package URLs against findings: a VEX product (`pkg:apk/alpine/libssl3@3.1.2-r0`) against the package a
 * scanner reported, and an image purl (`pkg:oci/app?repository_url=ghcr.io/acme/app`) against the scanned
 * image. Pure.
 */
import { PackageURL } from 'packageurl-js'
import type { Finding } from '../findings/finding.js'
import { normalizePackageName, normalizePackageVersion, packageFamily } from '../findings/package-identity.js'

export interface Purl {
  type: string
  namespace?: string
  name: string
  version?: string
  qualifiers?: Record<string, string>
}

/** The parts of a package URL, or undefined when `text` is not one. */
export function parsePurl(text: string): Purl | undefined {
  if (!text.startsWith('pkg:')) return undefined
  try {
    const p = PackageURL.fromString(text)
    const purl: Purl = { type: p.type.toLowerCase(), name: p.name }
    if (p.namespace) purl.namespace = p.namespace
    if (p.version) purl.version = p.version
    if (p.qualifiers && Object.keys(p.qualifiers).length > 0) purl.qualifiers = { ...p.qualifiers }
    return purl
  } catch {
    return undefined
  }
}

/**
 * Type, namespace and name must agree, the version when the statement gives one, and qualifiers only when
 * both sides have them (then every key both have must agree).
 */
export function purlMatchesPackage(wanted: Purl, finding: Finding): boolean {
  const pkg = finding.package
  if (!pkg) return false
  const family = packageFamily(pkg.type)
  const actual = pkg.purl !== undefined ? parsePurl(pkg.purl) : undefined
  if (actual) {
    if (packageFamily(actual.type) !== packageFamily(wanted.type)) return false
    if ((actual.namespace ?? '').toLowerCase() !== (wanted.namespace ?? '').toLowerCase()) return false
    if (normalizePackageName(family, actual.name) !== normalizePackageName(family, wanted.name)) return false
    if (wanted.version !== undefined && !sameVersion(family, wanted.version, actual.version ?? pkg.version))
      return false
    if (wanted.qualifiers && actual.qualifiers) {
      for (const [key, value] of Object.entries(wanted.qualifiers)) {
        const other = actual.qualifiers[key]
        if (other !== undefined && other !== value) return false
      }
    }
    return true
  }
  // No purl from the scanner: compare the package record by ecosystem family, name and version.
  if (packageFamily(wanted.type) !== family) return false
  const wantedName = wanted.namespace !== undefined ? `${wanted.namespace}/${wanted.name}` : wanted.name
  const nameMatches =
    normalizePackageName(family, wantedName) === normalizePackageName(family, pkg.name) ||
    normalizePackageName(family, wanted.name) === normalizePackageName(family, pkg.name)
  return nameMatches && (wanted.version === undefined || sameVersion(family, wanted.version, pkg.version))
}

function sameVersion(family: string, a: string, b: string): boolean {
  return normalizePackageVersion(family, a) === normalizePackageVersion(family, b)
}

/** `pkg:oci/app?repository_url=ghcr.io/acme/app` names the image `ghcr.io/acme/app:…`; a file target is any. */
export function ociMatchesImage(purl: Purl, target: string): boolean {
  const repository = imageRepository(target)
  if (repository === undefined) return true
  const name = repository.slice(repository.lastIndexOf('/') + 1)
  if (name.toLowerCase() !== purl.name.toLowerCase()) return false
  const url = purl.qualifiers?.repository_url
  if (url === undefined) return true
  const normalize = (r: string): string =>
    r
      .toLowerCase()
      .replace(/^(?:index\.)?docker\.io\//, '')
      .replace(/^library\//, '')
  const want = normalize(url)
  const have = normalize(repository)
  return have === want || want.endsWith(`/${have}`)
}

/** The repository of an image reference, or undefined for archives and layouts on disk. */
function imageRepository(target: string): string | undefined {
  const t = target.trim()
  if (/^(?:\.{0,2}\/|docker-archive:|oci-archive:|oci:)/i.test(t) || /\.(?:tar|tar\.gz|tgz)$/i.test(t)) {
    return undefined
  }
  const at = t.lastIndexOf('@')
  const noDigest = at > 0 ? t.slice(0, at) : t
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}
