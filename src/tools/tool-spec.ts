/**
 * How a scanner is published: the contract between a scanner file (which knows its project's asset
 * names) and the generic installer in `tools/install.ts`. Types only.
 */

/** The platforms we map onto upstream asset names. */
export const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'] as const
export type Platform = (typeof PLATFORMS)[number]

/**
 * `deb`: a Debian package, unpacked without dpkg or root (its `data.tar.*` member) into the tool cache,
 * so `executable` is a path inside the package's file tree (`opt/cinc-auditor/embedded/bin/ruby`).
 */
export type ArchiveFormat = 'tar.gz' | 'zip' | 'raw' | 'deb'

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
  /**
   * A JSON document next to each asset (`<asset><suffix>`) whose `sha256` field is the asset's digest and
   * whose `basename`, when present, names the asset: the `<package>.metadata.json` files omnibus
   * publishes beside every Cinc package.
   */
  | { kind: 'metadata-json'; suffix: string }
  /**
   * No digest of the archive itself is published, only a release file listing `<sha256>  <path>` of the
   * files INSIDE it (docker-bench-security's `docker-bench-security.sha256`, written by its release
   * workflow). The archive is extracted into a staging directory and every listed file under `root`
   * must match; every file under `root` whose relative path matches `mustBeListed` (what the tool
   * executes or sources) must be listed. Nothing is cached otherwise.
   */
  | { kind: 'file-list'; name: string; root: string; mustBeListed: RegExp }

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
  /**
   * The canonical URL of an asset that is not a GitHub release asset (a tag's source archive, a vendor
   * download site). Default: `https://github.com/<repository>/releases/download/<tag>/<asset>`. With a
   * `tools-mirror`, a github.com URL keeps its path under the mirror (`<mirror>/<owner>/<repo>/...`) and
   * any other host becomes a first path segment (`<mirror>/downloads.cinc.sh/files/...`).
   */
  downloadUrl?(version: string, asset: ReleaseAsset): string
  /** Why `latest` cannot be resolved for this tool (no GitHub releases); `latest` is then refused. */
  latestUnsupported?: string
}
