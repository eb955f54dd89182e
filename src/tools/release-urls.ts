/**
 * Version validation and release URLs, shared by the installer and `install --dry-run`. Pure.
 */
import { ConfigurationError, ScannerError } from '../util/errors.js'
import type { ChecksumSource, Platform, ReleaseAsset, ToolSpec } from './tool-spec.js'

export const LATEST = 'latest'
export const GITHUB_BASE_URL = 'https://github.com'

/** `1.2.3`, `v1.2.3`, `1.2.3-rc.1` (semver without build metadata, optional `v`). */
const VERSION_PATTERN = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

/**
 * `latest`, or the version without a leading `v` (so `v1.2.3` and `1.2.3` share one cache entry).
 * Anything else is a `ConfigurationError` naming the `<tool>-version` input.
 */
export function validateVersion(tool: string, version: string): string {
  const text = version.trim()
  if (text === LATEST) return LATEST
  if (VERSION_PATTERN.test(text)) return text.startsWith('v') ? text.slice(1) : text
  throw new ConfigurationError(
    `invalid ${tool}-version "${version}": use "latest" or a release version such as 1.2.3, v1.2.3 or 1.2.3-rc.1`,
  )
}

/** The base every release download goes to: `https://github.com`, or the mirror that replaces it. */
export function releaseBaseUrl(mirror?: string): string {
  if (mirror === undefined || mirror.trim() === '') return GITHUB_BASE_URL
  const text = mirror.trim()
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw new ConfigurationError(
      `invalid mirror "${mirror}": use an http(s) URL such as https://mirror.example.com/github`,
    )
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigurationError(
      `invalid mirror "${mirror}": use an http(s) URL such as https://mirror.example.com/github`,
    )
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new ConfigurationError(`invalid mirror "${mirror}": a mirror base URL has no query or fragment`)
  }
  return text.replace(/\/+$/, '')
}

export function releaseAssetUrl(base: string, repository: string, tag: string, fileName: string): string {
  const encodedTag = tag.split('/').map(encodeURIComponent).join('/')
  return `${base}/${repository}/releases/download/${encodedTag}/${encodeURIComponent(fileName)}`
}

/** How a checksum document is read: a list naming assets, one digest, omnibus metadata, or a file list. */
export type ChecksumMode = 'list' | 'per-asset' | 'metadata-json' | 'file-list'

/**
 * Where the sha256 of `asset` is published, and how to read it. `assetUrl` is the (mirrored) URL the
 * asset itself is downloaded from when it is not a release asset: documents that sit next to the asset
 * (`per-asset`, `metadata-json`) are looked for beside it.
 */
export function checksumFileUrl(
  base: string,
  repository: string,
  tag: string,
  asset: ReleaseAsset,
  source: ChecksumSource,
  assetUrl?: string,
): { url: string; mode: ChecksumMode } {
  switch (source.kind) {
    case 'checksums-file':
      return { url: releaseAssetUrl(base, repository, tag, source.name), mode: 'list' }
    case 'file-list':
      return { url: releaseAssetUrl(base, repository, tag, source.name), mode: 'file-list' }
    case 'per-asset':
    case 'metadata-json':
      // Beside the asset: `<asset URL><suffix>`, read as a bare digest or as JSON.
      return {
        url:
          assetUrl !== undefined
            ? `${assetUrl}${source.suffix}`
            : releaseAssetUrl(base, repository, tag, `${asset.name}${source.suffix}`),
        mode: source.kind,
      }
  }
}

/**
 * `url` as fetched through the mirror `base` (see `releaseBaseUrl`): github.com paths are kept under the
 * mirror, another host becomes the first path segment (`https://downloads.cinc.sh/files/x` →
 * `<mirror>/downloads.cinc.sh/files/x`). Without a mirror the URL is unchanged.
 */
export function mirroredUrl(url: string, base: string): string {
  if (base === GITHUB_BASE_URL) return url
  const parsed = new URL(url)
  if (parsed.origin === GITHUB_BASE_URL) return `${base}${parsed.pathname}${parsed.search}`
  return `${base}/${parsed.host}${parsed.pathname}${parsed.search}`
}

/**
 * The URL `asset` is downloaded from: the spec's own `downloadUrl` (mirrored) when it has one, else the
 * release asset under `base`. A spec URL that is not https is refused: it would bypass TLS.
 */
export function assetDownloadUrl(
  spec: ToolSpec,
  version: string,
  tag: string,
  asset: ReleaseAsset,
  base: string,
): string {
  if (spec.downloadUrl === undefined) return releaseAssetUrl(base, spec.repository, tag, asset.name)
  const canonical = spec.downloadUrl(version, asset)
  let parsed: URL
  try {
    parsed = new URL(canonical)
  } catch {
    throw new ScannerError(spec.name, `${spec.name}: the download URL "${canonical}" is not a URL`)
  }
  if (parsed.protocol !== 'https:') {
    throw new ScannerError(spec.name, `${spec.name}: the download URL ${canonical} is not https`)
  }
  return mirroredUrl(parsed.href, base)
}

function isPlainFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\]/.test(name)
}

function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path)) return false
  return path.split(/[/\\]/).every((segment) => segment !== '' && segment !== '..')
}

/**
 * The asset of `version` for `platform`. A project without a build for the platform is a
 * `ScannerError`; so is a spec whose names would escape the directories they are written to.
 */
export function selectAsset(spec: ToolSpec, version: string, platform: Platform): ReleaseAsset {
  const asset = spec.asset(version, platform)
  if (asset === undefined) {
    throw new ScannerError(spec.name, `${spec.name} does not publish a ${platform} build`)
  }
  if (!isPlainFileName(asset.name)) {
    throw new ScannerError(
      spec.name,
      `${spec.name}: the release asset name "${asset.name}" is not a plain file name`,
    )
  }
  if (!isSafeRelativePath(asset.executable)) {
    throw new ScannerError(
      spec.name,
      `${spec.name}: the executable path "${asset.executable}" must be relative and stay inside the archive`,
    )
  }
  return asset
}
