/**
 * Random access into a plain tar file (a `docker save` tarball or an OCI archive) without reading it
 * whole: the 512-byte headers are read at their offsets, which gives a map of entry → byte range. Layer
 * blobs are then streamed straight from their range of the file.
 */
import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { ImageError, errorMessage } from '../util/errors.js'
import type { LayerBlob } from './layer-stream.js'
import { normaliseArchivePath, resolveLinkTarget } from './tar-path.js'

export type ArchiveEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface ArchiveEntry {
  /** Normalised name (no `./`, no trailing `/`). */
  name: string
  /** Byte offset of the entry's data in the archive file. */
  offset: number
  size: number
  type: ArchiveEntryType
  linkTarget?: string
}

/** The file is not a tar archive at all (as opposed to a damaged one). */
export class NotATarArchiveError extends ImageError {}

const BLOCK = 512
/** Long-name and pax payloads are a few hundred bytes in practice; refuse absurd ones. */
const MAX_EXTENDED_HEADER_BYTES = 1024 * 1024
/** Image archives hold a handful of entries per layer; a bound keeps a hostile archive from exhausting memory. */
export const DEFAULT_MAX_ENTRIES = 200_000
const MAX_LINK_DEPTH = 16

interface RawHeader {
  name: string
  size: number
  typeflag: string
  linkname: string
}

function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false
  return true
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start)
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end)
}

/** Octal (space/NUL terminated) or GNU base-256 (high bit set) numeric field. */
export function parseTarNumber(field: Buffer): number | undefined {
  const first = field[0] ?? 0
  if (first & 0x80) {
    if (first === 0xff) return undefined // negative
    let value = first & 0x7f
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + (field[i] ?? 0)
      if (value > Number.MAX_SAFE_INTEGER) return undefined
    }
    return value
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) return undefined
  return parseInt(text, 8)
}

function checksumMatches(block: Buffer): boolean {
  const stored = parseTarNumber(block.subarray(148, 156))
  if (stored === undefined) return false
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += byte
    signed += byte > 127 ? byte - 256 : byte
  }
  return stored === unsigned || stored === signed
}

/** True when `block` is a valid tar header (checksum) or an end-of-archive block. */
export function looksLikeTarHeader(block: Buffer): boolean {
  if (block.length < BLOCK) return false
  return isZeroBlock(block) || checksumMatches(block)
}

function decodeHeader(block: Buffer): RawHeader | undefined {
  const size = parseTarNumber(block.subarray(124, 136))
  if (size === undefined) return undefined
  let name = cString(block, 0, 100)
  const magic = block.toString('latin1', 257, 263)
  // POSIX ustar keeps a prefix in 345..500; GNU tar ("ustar  \0") uses that space for other fields.
  if (magic === 'ustar\0' && block[345] !== 0) name = `${cString(block, 345, 155)}/${name}`
  const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!)
  return { name, size, typeflag, linkname: cString(block, 157, 100) }
}

function entryType(typeflag: string, name: string): ArchiveEntryType {
  switch (typeflag) {
    case '0':
    case '7':
      return name.endsWith('/') ? 'directory' : 'file'
    case '1':
      return 'hardlink'
    case '2':
      return 'symlink'
    case '5':
      return 'directory'
    default:
      return 'other'
  }
}

/** Parses pax records (`<len> <key>=<value>\n`). Malformed records end the parse, as in GNU tar. */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {}
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space === -1) break
    const length = Number(data.toString('latin1', pos, space))
    if (!Number.isInteger(length) || length <= 0 || pos + length > data.length) break
    const record = data.toString('utf8', space + 1, pos + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1)
    pos += length
  }
  return records
}

export class ArchiveIndex {
  private constructor(
    /** Absolute path of the tar file. */
    readonly path: string,
    readonly fileSize: number,
    readonly entries: ReadonlyMap<string, ArchiveEntry>,
    /**
     * False when the file ended at a header boundary without the end-of-archive marker (two zero blocks
     * that every tar writer appends): the archive was most likely cut short there.
     */
    readonly complete: boolean,
  ) {}

  /** Scans every header of the tar at `path`. Throws `ImageError` for a truncated or corrupt archive. */
  static async open(path: string, options: { maxEntries?: number } = {}): Promise<ArchiveIndex> {
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (error) {
      throw new ImageError(`cannot open image archive ${path}: ${errorMessage(error)}`, { cause: error })
    }
    try {
      const { size } = await handle.stat()
      const { entries, complete } = await scanHeaders(handle, {
        path,
        fileSize: size,
        maxEntries: options.maxEntries,
      })
      return new ArchiveIndex(path, size, entries, complete)
    } finally {
      await handle.close()
    }
  }

  has(name: string): boolean {
    const normalised = normaliseArchivePath(name)
    return normalised !== undefined && this.entries.has(normalised)
  }

  /**
   * The regular-file entry `name` refers to, following symlinks (relative to the link's directory) and
   * hard links (relative to the archive root) inside the archive only.
   */
  resolve(name: string): ArchiveEntry {
    const start = normaliseArchivePath(name)
    if (start === undefined) throw new ImageError(`${this.path}: "${name}" names a path outside the archive`)
    let current: string = start
    for (let depth = 0; depth <= MAX_LINK_DEPTH; depth++) {
      const entry = this.entries.get(current)
      if (entry === undefined) throw new ImageError(`${this.path}: "${name}" is not in the archive`)
      if (entry.type === 'file') return entry
      if (entry.type !== 'symlink' && entry.type !== 'hardlink') {
        throw new ImageError(`${this.path}: "${name}" is a ${entry.type}, not a file`)
      }
      const target = entry.linkTarget ?? ''
      const next: string | undefined =
        entry.type === 'symlink' ? resolveLinkTarget(current, target) : normaliseArchivePath(target)
      if (next === undefined) {
        throw new ImageError(`${this.path}: "${current}" links to "${target}", outside the archive`)
      }
      current = next
    }
    throw new ImageError(`${this.path}: "${name}" has more than ${MAX_LINK_DEPTH} levels of links (a loop?)`)
  }

  /** The byte range of entry `name` (links followed). */
  locate(name: string): LayerBlob {
    const entry = this.resolve(name)
    return {
      path: this.path,
      offset: entry.offset,
      size: entry.size,
      description: `${this.path}!${entry.name}`,
    }
  }

  /** Streams the data of a resolved entry. */
  createReadStream(entry: ArchiveEntry): Readable {
    if (entry.size === 0) return Readable.from([])
    return createReadStream(this.path, { start: entry.offset, end: entry.offset + entry.size - 1 })
  }

  /** Reads a small entry (JSON) whole; larger than `maxBytes` is an `ImageError`. */
  async readFile(name: string, maxBytes: number): Promise<Buffer> {
    const entry = this.resolve(name)
    if (entry.size > maxBytes) {
      throw new ImageError(
        `${this.path}: "${name}" is ${entry.size} bytes, more than the ${maxBytes} expected`,
      )
    }
    const handle = await open(this.path, 'r')
    try {
      const buffer = Buffer.alloc(entry.size)
      const { bytesRead } = await handle.read(buffer, 0, entry.size, entry.offset)
      if (bytesRead !== entry.size) throw new ImageError(`${this.path}: "${name}" is truncated`)
      return buffer
    } finally {
      await handle.close()
    }
  }
}

async function readBlock(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await handle.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

async function scanHeaders(
  handle: FileHandle,
  options: { path: string; fileSize: number; maxEntries?: number },
): Promise<{ entries: Map<string, ArchiveEntry>; complete: boolean }> {
  const { path, fileSize } = options
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
  const entries = new Map<string, ArchiveEntry>()
  let globalPax: Record<string, string> = {}
  let pendingPax: Record<string, string> = {}
  let longName: string | undefined
  let longLink: string | undefined
  let position = 0
  let count = 0
  let complete = false

  while (position < fileSize) {
    const block = await readBlock(handle, position, BLOCK)
    if (block.length < BLOCK) {
      throw new ImageError(`${path} is truncated: a tar header at byte ${position} is cut off`)
    }
    if (isZeroBlock(block)) {
      complete = true // end-of-archive marker
      break
    }
    if (!checksumMatches(block)) {
      if (position === 0) throw new NotATarArchiveError(`${path} is not a tar archive`)
      throw new ImageError(`${path} is corrupt: bad tar header checksum at byte ${position}`)
    }
    const header = decodeHeader(block)
    if (header === undefined) throw new ImageError(`${path} is corrupt: bad tar header at byte ${position}`)
    const dataOffset = position + BLOCK
    const paxSize = pendingPax.size ?? globalPax.size
    const size = isExtendedHeader(header.typeflag) || paxSize === undefined ? header.size : Number(paxSize)
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ImageError(`${path} is corrupt: entry "${header.name}" has an invalid size`)
    }
    if (dataOffset + size > fileSize) {
      throw new ImageError(
        `${path} is truncated: entry "${longName ?? header.name}" claims ${size} bytes at byte ${dataOffset}, ` +
          `but the archive is ${fileSize} bytes`,
      )
    }

    if (isExtendedHeader(header.typeflag)) {
      if (size > MAX_EXTENDED_HEADER_BYTES) {
        throw new ImageError(`${path}: extended tar header of ${size} bytes at byte ${position} is too large`)
      }
      const data = await readBlock(handle, dataOffset, size)
      if (header.typeflag === 'x') pendingPax = { ...pendingPax, ...parsePax(data) }
      else if (header.typeflag === 'g') globalPax = { ...globalPax, ...parsePax(data) }
      else if (header.typeflag === 'L') longName = cString(data, 0, data.length)
      else longLink = cString(data, 0, data.length)
    } else {
      const rawName = pendingPax.path ?? longName ?? globalPax.path ?? header.name
      const linkTarget = pendingPax.linkpath ?? longLink ?? globalPax.linkpath ?? header.linkname
      const type = entryType(header.typeflag, rawName)
      const name = normaliseArchivePath(rawName)
      // Names that climb out of the archive can never be referenced by a valid layout: leave them out.
      if (name !== undefined) {
        if (++count > maxEntries) throw new ImageError(`${path} has more than ${maxEntries} entries`)
        const entry: ArchiveEntry = { name, offset: dataOffset, size, type }
        if ((type === 'symlink' || type === 'hardlink') && linkTarget !== '') entry.linkTarget = linkTarget
        entries.set(name, entry)
      }
      pendingPax = {}
      longName = undefined
      longLink = undefined
    }
    position = dataOffset + Math.ceil(size / BLOCK) * BLOCK
  }
  if (position === 0 && fileSize === 0) throw new NotATarArchiveError(`${path} is empty, not a tar archive`)
  return { entries, complete }
}

function isExtendedHeader(typeflag: string): boolean {
  return typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K'
}
