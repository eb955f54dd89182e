/**
 * What a download must match before anything is cached: the action's pinned sha256, else what the
 * release publishes (a checksum list, a per-asset digest, omnibus metadata, or a list of the files
 * inside the archive, checked after extraction). Split from `install.ts`.
 */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ScannerError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { metadataDigest, parseFileList, verifyFileList, type ListedFile } from './checksum-documents.js'
import { lookupChecksum, parseChecksums, sha256File } from './checksums.js'
import { downloadText, type TransferOptions } from './download.js'
import { PINNED_CHECKSUM_SOURCE } from './install-plan.js'
import { checksumFileUrl } from './release-urls.js'
import type { ReleaseAsset, ToolSpec } from './tool-spec.js'
import { DEFAULT_VERSIONS, isDownloadableTool, knownSha256, type KnownSha256Lookup } from './versions.js'

export interface ExpectedContentOptions {
  /** The release base (or mirror) and the URL the asset itself was downloaded from. */
  urls: { base: string; asset: string }
  logger: Logger
  transfer: TransferOptions
  knownSha256?: KnownSha256Lookup
}

export interface ExpectedDigest {
  kind: 'digest'
  sha256: string
  /** `pinned sha256 in the action` or the checksum file's URL. */
  source: string
}

/** No digest of the archive: its extracted files are checked against a published list. */
export interface ExpectedFiles {
  kind: 'file-list'
  files: ListedFile[]
  root: string
  mustBeListed: RegExp
  source: string
}

/** What the download must match: the action's pinned digest, else what the release publishes. */
export async function expectedContent(
  spec: ToolSpec,
  version: string,
  tag: string,
  asset: ReleaseAsset,
  options: ExpectedContentOptions,
): Promise<ExpectedDigest | ExpectedFiles> {
  const { urls } = options
  const pinned = (options.knownSha256 ?? knownSha256)(spec.name, version, asset.name)
  if (pinned !== undefined) {
    return { kind: 'digest', sha256: pinned.toLowerCase(), source: PINNED_CHECKSUM_SOURCE }
  }
  const source = spec.checksums(version)
  const assetUrl = spec.downloadUrl !== undefined ? urls.asset : undefined
  const { url, mode } = checksumFileUrl(urls.base, spec.repository, tag, asset, source, assetUrl)
  const isPinnedDefault = isDownloadableTool(spec.name) && DEFAULT_VERSIONS[spec.name] === version
  const what =
    mode === 'file-list' ? `the release's list of the files in it` : `the release's own checksum file`
  const note = `${spec.name} ${version}: no sha256 of ${asset.name} is pinned in the action; verifying it against ${what} ${url}`
  if (isPinnedDefault) options.logger.warning(note)
  else options.logger.info(note)
  const text = await downloadText(url, options.transfer)
  const cannotVerify = (detail: string): never => {
    throw new ScannerError(spec.name, `${spec.name}: cannot verify ${asset.name}: ${detail} in ${url}`)
  }
  if (source.kind === 'file-list') {
    const { files, problems } = parseFileList(text)
    if (problems.length > 0) return cannotVerify(problems.slice(0, 5).join('; '))
    if (files.length === 0) return cannotVerify('no file is listed')
    return { kind: 'file-list', files, root: source.root, mustBeListed: source.mustBeListed, source: url }
  }
  if (mode === 'metadata-json') {
    const digest = metadataDigest(text, asset.name)
    if (!digest.found) return cannotVerify(digest.detail)
    return { kind: 'digest', sha256: digest.sha256, source: url }
  }
  const parsed = parseChecksums(text)
  if (parsed.unrecognizedLines.length > 0) {
    options.logger.debug(
      `${spec.name}: ignored unrecognized lines ${parsed.unrecognizedLines.join(', ')} of ${url}`,
    )
  }
  const lookup = lookupChecksum(parsed, asset.name, mode === 'per-asset' ? 'per-asset' : 'list')
  if (!lookup.found) return cannotVerify(lookup.detail)
  return { kind: 'digest', sha256: lookup.sha256, source: url }
}

/** Checks the extracted tree against the release's file list; a mismatch caches nothing. */
export async function verifyExtractedFiles(
  stagingDir: string,
  expected: ExpectedFiles,
  spec: ToolSpec,
): Promise<void> {
  const problems = await verifyFileList({
    root: join(stagingDir, expected.root),
    files: expected.files,
    mustBeListed: expected.mustBeListed,
  })
  if (problems.length === 0) return
  const shown = problems.slice(0, 5).join('; ')
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''
  throw new ScannerError(
    spec.name,
    `${spec.name}: the extracted files do not match ${expected.source}: ${shown}${more}; nothing was installed`,
  )
}

export async function verifyDownload(
  file: string,
  expected: ExpectedDigest,
  asset: ReleaseAsset,
  spec: ToolSpec,
): Promise<void> {
  const actual = await sha256File(file)
  if (actual === expected.sha256) return
  await rm(file, { force: true })
  throw new ScannerError(
    spec.name,
    `checksum mismatch for ${asset.name}: expected ${expected.sha256}, got ${actual} (expected value from ${expected.source}); the download was deleted and nothing was installed`,
  )
}
