/**
 * A whole image archive that is itself gzip-compressed (`docker save | gzip`, `image.tar.gz`) is read
 * through gunzip: once to recognise it, once into a plain copy in the temp dir (random access needs one).
 * Both are metered, so a gzip bomb (8 MB that expand to 8 GB) is refused before it fills the disk.
 */
import { createReadStream } from 'node:fs'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { ImageError } from '../util/errors.js'

/**
 * A compressed image archive may expand to at most this many bytes, or 100× its own size when that is
 * larger: a `docker save` archive compresses 2–5×, a gzip bomb ~1000×.
 */
export const MIN_MAX_ARCHIVE_EXPANDED_BYTES = 1024 ** 3
export const MAX_ARCHIVE_EXPANSION_RATIO = 100

export function maxExpandedArchiveBytes(compressedSize: number): number {
  return Math.max(MIN_MAX_ARCHIVE_EXPANDED_BYTES, compressedSize * MAX_ARCHIVE_EXPANSION_RATIO)
}

/** The archive expands past its cap. */
export class ArchiveTooLargeError extends ImageError {}

function tooLarge(path: string, compressedSize: number, maxBytes: number): ArchiveTooLargeError {
  return new ArchiveTooLargeError(
    `${path} is a gzip-compressed image archive of ${compressedSize} bytes that expands to more than ` +
      `${maxBytes} bytes (the cap: ${MAX_ARCHIVE_EXPANSION_RATIO}× its size, at least ` +
      `${MIN_MAX_ARCHIVE_EXPANDED_BYTES} bytes): refused as a decompression bomb. If the image really is ` +
      `this large, decompress it first (gunzip -k ${path}) and scan the plain .tar, which has no such cap.`,
  )
}

/** Passes bytes through until more than `maxBytes` went by, then fails with `error()`. */
class ByteMeter extends Transform {
  private seen = 0
  constructor(
    private readonly maxBytes: number,
    private readonly error: () => Error,
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.maxBytes) callback(this.error())
    else callback(null, chunk)
  }
}

export interface GunzipArchiveOptions {
  /** Size of the compressed file (for the default cap and messages). */
  compressedSize: number
  /** Default: `maxExpandedArchiveBytes(compressedSize)`. */
  maxExpandedBytes?: number
}

/**
 * The decompressed bytes of the gzip file at `path`, failing with an `ArchiveTooLargeError` past the cap.
 * Returns every stream of the chain, the readable end last, so a caller can destroy them all.
 */
export function gunzipArchive(path: string, options: GunzipArchiveOptions): Readable[] {
  const maxBytes = options.maxExpandedBytes ?? maxExpandedArchiveBytes(options.compressedSize)
  const source = createReadStream(path)
  const gunzip = createGunzip()
  const meter = new ByteMeter(maxBytes, () => tooLarge(path, options.compressedSize, maxBytes))
  const fail = (error: Error): void => {
    meter.destroy(error)
  }
  source.on('error', fail)
  gunzip.on('error', fail)
  source.pipe(gunzip).pipe(meter)
  return [source, gunzip, meter]
}
