/**
 * Package URLs for inventory packages, built with packageurl-js after purl-spec's type definitions:
 * deb/apk/rpm take the distribution id as namespace and `arch` + `distro` (`<ID>-<VERSION_ID>` from
 * os-release, as Syft writes it) as qualifiers; npm scopes become the namespace; pypi names are
 * normalised by packageurl-js (lower case, `_` → `-`).
 */
import { PackageURL } from 'packageurl-js'
import type { Distro, PackageType } from './package.js'
import type { FoundPackage } from './reader.js'

/** The namespace an OS package takes when the image has no os-release. */
const FALLBACK_NAMESPACE: Record<'deb' | 'apk' | 'rpm', string> = { deb: 'debian', apk: 'alpine', rpm: 'rpm' }

function isOsPackage(type: PackageType): type is 'deb' | 'apk' | 'rpm' {
  return type === 'deb' || type === 'apk' || type === 'rpm'
}

export function purlOf(pkg: FoundPackage, distro: Distro | undefined): string {
  if (isOsPackage(pkg.type)) {
    const qualifiers: Record<string, string> = { ...pkg.qualifiers }
    if (pkg.arch !== undefined) qualifiers['arch'] = pkg.arch
    if (distro !== undefined) {
      qualifiers['distro'] = distro.versionId !== undefined ? `${distro.id}-${distro.versionId}` : distro.id
    }
    const namespace = distro?.id ?? FALLBACK_NAMESPACE[pkg.type]
    return new PackageURL(pkg.type, namespace, pkg.name, pkg.version, qualifiers).toString()
  }
  if (pkg.type === 'npm') {
    const scoped = /^(@[^/]+)\/(.+)$/.exec(pkg.name)
    return new PackageURL(
      'npm',
      scoped?.[1] ?? undefined,
      scoped?.[2] ?? pkg.name,
      pkg.version,
      undefined,
    ).toString()
  }
  return new PackageURL(pkg.type, undefined, pkg.name, pkg.version, undefined).toString()
}
