/**
 * Streams the entries of one layer blob (plain, gzip or zstd tar) with bounded memory: names are
 * normalised and clamped at the root, whiteouts are recognised, and only the first bytes of the files the
 * caller asks for are kept. Nothing is written to disk.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Readable, Transform } from 'node:stream'
import * as zlib from 'node:zlib'
import { extract, type Header } from 'tar-stream'
import { ImageError, errorMessage, isGateError } from '../util/errors.js'
import type { LayerEntry, LayerEntryHeader, LayerEntryType, WalkLayerOptions } from './image-types.js'
import { looksLikeTarHeader } from './archive-index.js'
import { baseName, normaliseLayerPath, parentPath } from './tar-path.js'

/** A byte range of a file holding one blob: a whole file in an OCI directory, or an entry of a tar. */
export interface LayerBlob {
  path: string
  offset: number
  size: number
  /** For messages: `image.tar!blobs/sha256/…`. */
  description?: string
}

export type LayerCompression = 'gzip' | 'zstd' | 'tar' | 'unknown'

export const DEFAULT_MAX_CONTENT_BYTES = 64 * 1024

/**
 * A layer may expand to at most this many bytes of tar, or 100× its blob size when that is larger: real
 * layers compress 2–20×, a gzip bomb ~1000× (32 GiB from 32 MiB), which would otherwise keep the scan
 * busy for minutes.
 */
export const MIN_MAX_LAYER_EXPANDED_BYTES = 4 * 1024 ** 3
export const MAX_LAYER_EXPANSION_RATIO = 100

export function maxExpandedLayerBytes(blobSize: number): number {
  return Math.max(MIN_MAX_LAYER_EXPANDED_BYTES, blobSize * MAX_LAYER_EXPANSION_RATIO)
}
const WHITEOUT_PREFIX = '.wh.'
const OPAQUE_WHITEOUT = '.wh..wh..opq'

/** Decides the layer format from its first bytes (up to 512). */
export function detectCompression(head: Buffer): LayerCompression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd'
  if (looksLikeTarHeader(head)) return 'tar'
  return 'unknown'
}

type ZlibWithZstd = typeof zlib & { createZstdDecompress?: () => Transform }

/** `zlib.createZstdDecompress` exists from Node 22.15 / 23.8 on. */
function zstdDecompressor(layerName: string): Transform {
  const factory = (zlib as ZlibWithZstd).createZstdDecompress
  if (typeof factory !== 'function') {
    throw new ImageError(
      `${layerName} is zstd-compressed: zstd layers need Node ≥ 22.15 (this is ${process.version})`,
    )
  }
  return factory()
}

function entryType(type: Header['type']): LayerEntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file'
    case 'directory':
      return 'directory'
    case 'symlink':
      return 'symlink'
    case 'link':
      return 'hardlink'
    default:
      return 'other'
  }
}

function safeInteger(value: number | undefined): number {
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : 0
}

/**
 * The header as the rest of the pipeline sees it, or undefined for entries that carry nothing (the root
 * directory itself, aufs bookkeeping files like `.wh..wh.plnk`).
 */
export function toEntryHeader(header: Header): LayerEntryHeader | undefined {
  const path = normaliseLayerPath(header.name)
  const name = baseName(path)
  const base: Omit<LayerEntryHeader, 'path'> = {
    type: entryType(header.type),
    mode: safeInteger(header.mode) & 0o7777,
    uid: safeInteger(header.uid),
    gid: safeInteger(header.gid),
    size: safeInteger(header.size),
  }
  if (name === OPAQUE_WHITEOUT) return { ...base, path: parentPath(path), whiteout: 'opaque' }
  if (name.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return undefined
  if (name.startsWith(WHITEOUT_PREFIX)) {
    const target = name.slice(WHITEOUT_PREFIX.length)
    if (target === '' || target === '.' || target === '..') return undefined
    const dir = parentPath(path)
    return { ...base, path: dir === '' ? target : `${dir}/${target}`, whiteout: 'file' }
  }
  if (path === '') return undefined
  const entry: LayerEntryHeader = { ...base, path }
  if ((entry.type === 'symlink' || entry.type === 'hardlink') && header.linkname)
    entry.linkTarget = header.linkname
  return entry
}

async function readHead(blob: LayerBlob, length: number): Promise<Buffer> {
  const handle = await open(blob.path, 'r')
  try {
    const buffer = Buffer.alloc(Math.min(length, blob.size))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, blob.offset)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

export interface StreamLayerOptions extends WalkLayerOptions {
  /** Position of the layer in the image, for messages. */
  index: number
  /** Cap on the layer's file bytes after decompression; default `maxExpandedLayerBytes(blob size)`. */
  maxExpandedBytes?: number
  diffId: string
}

/** Yields the entries of a layer blob in archive order. Throws `ImageError` naming the layer when it is not a readable tar. */
export async function* streamLayer(blob: LayerBlob, options: StreamLayerOptions): AsyncGenerator<LayerEntry> {
  const layerName = `layer ${options.index} (${options.diffId})`
  const maxContentBytes = Math.max(0, options.maxContentBytes ?? DEFAULT_MAX_CONTENT_BYTES)
  if (blob.size === 0) throw new ImageError(`${layerName} is empty: a layer must be a tar archive`)
  let head: Buffer
  try {
    head = await readHead(blob, 512)
  } catch (error) {
    throw new ImageError(`${layerName} cannot be read: ${errorMessage(error)}`, { cause: error })
  }
  const compression = detectCompression(head)
  if (compression === 'unknown') {
    throw new ImageError(`${layerName} is not a tar archive (nor a gzip or zstd compressed one)`)
  }

  const raw = createReadStream(blob.path, { start: blob.offset, end: blob.offset + blob.size - 1 })
  const streams: Readable[] = [raw]
  let decoded: Readable = raw
  // v7 (pre-POSIX) headers have no ustar magic; their checksum is still verified.
  const extractor = extract({ allowUnknownFormat: true } as Parameters<typeof extract>[0])
  const fail = (error: Error): void => {
    extractor.destroy(error)
  }
  try {
    if (compression !== 'tar') {
      const decompressor = compression === 'gzip' ? zlib.createGunzip() : zstdDecompressor(layerName)
      raw.on('error', fail)
      decoded = raw.pipe(decompressor)
      streams.push(decompressor)
    }
    decoded.on('error', fail)
    decoded.pipe(extractor)

    const maxExpanded = options.maxExpandedBytes ?? maxExpandedLayerBytes(blob.size)
    let expanded = 0
    for await (const entryStream of extractor) {
      const header = toEntryHeader(entryStream.header)
      const wantsContent =
        header !== undefined &&
        header.type === 'file' &&
        header.whiteout === undefined &&
        maxContentBytes > 0 &&
        (options.wantContent?.(header) ?? false)
      // A small file may be kept when its first chunk looks interesting (one predicate call per file).
      let sniffing =
        !wantsContent &&
        options.sniffContent !== undefined &&
        header !== undefined &&
        header.type === 'file' &&
        header.whiteout === undefined &&
        header.size > 0 &&
        header.size <= maxContentBytes
      let sniffed = false
      const kept: Buffer[] = []
      let keptBytes = 0
      let totalBytes = 0
      // Every byte is read (the tar must be consumed in order) but at most maxContentBytes are kept.
      for await (const chunk of entryStream as AsyncIterable<Buffer>) {
        if (sniffing && header !== undefined && totalBytes === 0) {
          sniffed = options.sniffContent?.(header, chunk) === true
          sniffing = false
        }
        totalBytes += chunk.length
        expanded += chunk.length
        if (expanded > maxExpanded) {
          throw new ImageError(
            `${layerName} expands to more than ${maxExpanded} bytes (its blob is ${blob.size}): ` +
              'refused as a decompression bomb',
          )
        }
        if ((wantsContent || sniffed) && keptBytes < maxContentBytes) {
          const piece = chunk.subarray(0, maxContentBytes - keptBytes)
          kept.push(piece)
          keptBytes += piece.length
        }
      }
      if (header === undefined) continue
      const entry: LayerEntry = { ...header }
      if (wantsContent || sniffed) {
        entry.content = Buffer.concat(kept, keptBytes)
        entry.contentTruncated = totalBytes > keptBytes
      }
      if (sniffed) entry.sniffed = true
      yield entry
    }
  } catch (error) {
    if (isGateError(error)) throw error
    throw new ImageError(`${layerName} is corrupt or truncated: ${errorMessage(error)}`, { cause: error })
  } finally {
    for (const stream of streams) stream.destroy()
    extractor.destroy()
  }
}
