/**
 * What the inventory knows about an image: the packages installed in its final filesystem, each with its
 * package URL and the layer that brought it in. Types only.
 */

/** The ecosystem a package was read from; also its purl type. */
export type PackageType = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi'

export interface InventoryPackage {
  name: string
  /** Exactly as the package database states it (a dpkg version keeps its epoch: `1:2.3-4`). */
  version: string
  type: PackageType
  /** Package URL (purl-spec), built with packageurl-js. */
  purl: string
  /** License names or SPDX expressions where the metadata states them; empty when it does not. */
  licenses: string[]
  /** The layer that brought the package in (the earliest layer from which it has been present unchanged). */
  layer: { index: number; diffId: string }
  /** The file the package was read from, relative to the image root (`var/lib/dpkg/status`). */
  path: string
  /** Machine architecture when the database records it (`amd64`, `x86_64`). */
  arch?: string
}

/** The distribution of the image, from os-release(5). */
export interface Distro {
  /** `ID` (`debian`, `alpine`, `ubuntu`). */
  id: string
  /** `VERSION_ID` (`12`, `3.20.3`), when present. */
  versionId?: string
  /** `PRETTY_NAME`, when present. */
  prettyName?: string
}

export interface ImageInventory {
  /** The image as the user named it. */
  target: string
  distro?: Distro
  /** Sorted by type, name, version. */
  packages: InventoryPackage[]
  /** Packages per layer, index = layer index (a zero for a layer that added none). */
  packagesPerLayer: number[]
  /** What was not read and why (an rpm Berkeley DB, a file over the size limit, a malformed record). */
  notes: string[]
}
