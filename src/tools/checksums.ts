/**
 * Reading the sha256 checksum files releases publish, and hashing a downloaded file. Parsing is pure.
 *
 * Accepted line forms (hex in any case, CRLF or LF, blank lines and `#` comments ignored):
 *   `<sha256>  <name>`        sha256sum text mode, goreleaser
 *   `<sha256> *<name>`        sha256sum binary mode (`sha256sum -b`)
 *   `<sha256> <name>`         a single space
 *   `SHA256 (<name>) = <sha256>`  BSD / `shasum --tag` style
 *   `<sha256>`                a per-asset file holding only the digest
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

export interface ChecksumEntry {
  /** Lower-case hex. */
  sha256: string
  /** The file name as listed, without a `*` binary marker; undefined for a lone digest. */
  name?: string
}

export interface ParsedChecksums {
  entries: ChecksumEntry[]
  /** Non-blank, non-comment lines that matched no known form (1-based line numbers). */
  unrecognizedLines: number[]
}

const HEX64 = /^[0-9a-fA-F]{64}$/
const GNU_LINE = /^([0-9a-fA-F]{64})(?: \*| {1,2}|\t)(.+)$/
const BSD_LINE = /^SHA256 ?\((.+)\) ?= ?([0-9a-fA-F]{64})$/i

export function isSha256Hex(text: string): boolean {
  return HEX64.test(text)
}

export function parseChecksums(text: string): ParsedChecksums {
  const entries: ChecksumEntry[] = []
  const unrecognizedLines: number[] = []
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/)
  lines.forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    if (HEX64.test(line)) {
      entries.push({ sha256: line.toLowerCase() })
      return
    }
    const gnu = GNU_LINE.exec(line)
    if (gnu?.[1] !== undefined && gnu[2] !== undefined) {
      entries.push({ sha256: gnu[1].toLowerCase(), name: gnu[2].trim().replace(/^\*/, '') })
      return
    }
    const bsd = BSD_LINE.exec(line)
    if (bsd?.[1] !== undefined && bsd[2] !== undefined) {
      entries.push({ sha256: bsd[2].toLowerCase(), name: bsd[1].trim() })
      return
    }
    unrecognizedLines.push(index + 1)
  })
  return { entries, unrecognizedLines }
}

/** A listed name refers to the asset when it is the asset, or a path whose last segment is the asset. */
function namesAsset(listedName: string, assetName: string): boolean {
  const normalized = listedName.replace(/\\/g, '/')
  const base = normalized.slice(normalized.lastIndexOf('/') + 1)
  return normalized === assetName || base === assetName
}

export type ChecksumLookup =
  | { found: true; sha256: string }
  | { found: false; reason: 'not-listed' | 'conflicting' | 'empty' | 'names-another-file'; detail: string }

/**
 * The sha256 a checksum file gives for `assetName`. In a per-asset file (`<asset>.sha256`) a single
 * lone digest counts; in a list the asset must be named. Two different digests for one name are a
 * conflict, never a guess.
 */
export function lookupChecksum(
  parsed: ParsedChecksums,
  assetName: string,
  mode: 'list' | 'per-asset',
): ChecksumLookup {
  const { entries } = parsed
  if (entries.length === 0) {
    return { found: false, reason: 'empty', detail: 'the file holds no sha256 entries' }
  }
  if (mode === 'per-asset' && entries.length === 1) {
    const only = entries[0]!
    if (only.name === undefined || namesAsset(only.name, assetName)) {
      return { found: true, sha256: only.sha256 }
    }
    return {
      found: false,
      reason: 'names-another-file',
      detail: `the file gives the sha256 of "${only.name}", not of ${assetName}`,
    }
  }
  const matches = entries.filter((e) => e.name !== undefined && namesAsset(e.name, assetName))
  const distinct = [...new Set(matches.map((e) => e.sha256))]
  if (distinct.length === 1) return { found: true, sha256: distinct[0]! }
  if (distinct.length > 1) {
    return {
      found: false,
      reason: 'conflicting',
      detail: `${assetName} is listed with ${distinct.length} different sha256 values`,
    }
  }
  return { found: false, reason: 'not-listed', detail: `${assetName} is not listed` }
}

/** The lower-case hex sha256 of a file, read as a stream (scanner archives are large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    const stream = createReadStream(path)
    stream.on('data', (chunk) => hash.update(chunk))
    stream.on('error', reject)
    stream.on('end', () => resolve(hash.digest('hex')))
  })
}
