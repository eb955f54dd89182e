/**
 * What `installTool` would do, without doing it: for `container-security-gate install --dry-run`.
 * Pure: no network, no file system. `latest` is shown unresolved (resolving it needs the API).
 */
import {
  LATEST,
  assetDownloadUrl,
  checksumFileUrl,
  releaseBaseUrl,
  selectAsset,
  validateVersion,
} from './release-urls.js'
import type { Platform, ToolSpec } from './tool-spec.js'
import { ConfigurationError } from '../util/errors.js'
import { knownSha256, type KnownSha256Lookup } from './versions.js'

export const PINNED_CHECKSUM_SOURCE = 'pinned sha256 in the action'

export interface InstallPlan {
  tool: string
  /** The concrete version, or `latest` when it is resolved only at install time. */
  version: string
  resolved: boolean
  /** The release tag; `unresolved` for `latest`. */
  tag: string
  /** The asset URL; for `latest`, the release page it will be resolved from. */
  url: string
  /**
   * `pinned sha256 in the action`, or the URL of the release checksum file the asset is checked against
   * (for a `file-list` source: the list its extracted files are checked against).
   */
  checksumSource: string
  /** The pinned sha256, when there is one. */
  sha256?: string
}

export function describeInstallPlan(
  spec: ToolSpec,
  options: { version: string; platform: Platform; mirror?: string; knownSha256?: KnownSha256Lookup },
): InstallPlan {
  const base = releaseBaseUrl(options.mirror)
  const version = validateVersion(spec.name, options.version)
  if (version === LATEST) {
    if (spec.latestUnsupported !== undefined) {
      throw new ConfigurationError(
        `${spec.name}-version "latest" cannot be resolved: ${spec.latestUnsupported}; pin a version`,
      )
    }
    return {
      tool: spec.name,
      version: LATEST,
      resolved: false,
      tag: 'unresolved',
      url: `${base}/${spec.repository}/releases/latest`,
      checksumSource: 'the checksum file of the latest release, once it is resolved',
    }
  }
  const asset = selectAsset(spec, version, options.platform)
  const tag = spec.tag(version)
  const url = assetDownloadUrl(spec, version, tag, asset, base)
  const pinned = (options.knownSha256 ?? knownSha256)(spec.name, version, asset.name)
  if (pinned !== undefined) {
    return {
      tool: spec.name,
      version,
      resolved: true,
      tag,
      url,
      checksumSource: PINNED_CHECKSUM_SOURCE,
      sha256: pinned.toLowerCase(),
    }
  }
  const assetUrl = spec.downloadUrl !== undefined ? url : undefined
  const checksum = checksumFileUrl(base, spec.repository, tag, asset, spec.checksums(version), assetUrl)
  return { tool: spec.name, version, resolved: true, tag, url, checksumSource: checksum.url }
}
