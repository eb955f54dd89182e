/**
 * How a scanner is published: the contract between a scanner file (which knows its project's asset
 * names) and the generic installer in `tools/install.ts`. Types only.
 */

/** The platforms we map onto upstream asset names. */
export const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'] as const
export type Platform = (typeof PLATFORMS)[number]

export type ArchiveFormat = 'tar.gz' | 'zip' | 'raw'

/** One downloadable release file. */
export interface ReleaseAsset {
  /** The file name as published on the release (`trivy_0.58.1_Linux-64bit.tar.gz`). */
  name: string
  format: ArchiveFormat
  /**
   * Path of the executable inside the extracted archive (`trivy`, `bin/cinc-auditor`), or the file name
   * the raw binary is saved as (`hadolint`, `hadolint.exe`).
   */
  executable: string
}

/** Where the release publishes the sha256 of its assets. */
export type ChecksumSource =
  /** One file listing `<sha256>  <name>` lines (goreleaser, sha256sum, or `<sha256> *<name>`). */
  | { kind: 'checksums-file'; name: string }
  /** A `<asset><suffix>` file next to each asset, holding its sha256 (`hadolint-Linux-x86_64.sha256`). */
  | { kind: 'per-asset'; suffix: string }

export interface ToolSpec {
  /** The tool-cache name (`trivy`). */
  name: string
  /** GitHub `owner/name` the releases come from. */
  repository: string
  /** The release tag of a version (`0.58.1` → `v0.58.1`). */
  tag(version: string): string
  /** The asset for a platform, or undefined when the project does not publish one for it. */
  asset(version: string, platform: Platform): ReleaseAsset | undefined
  checksums(version: string): ChecksumSource
}
