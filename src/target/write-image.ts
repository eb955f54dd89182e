/**
 * Writes an opened image in another on-disk form, from the blobs it was read from: an OCI layout
 * directory (the blobs as stored, a new manifest and index) or a `docker save` tarball (`manifest.json`,
 * the config, each layer decompressed to `<diffid>.tar` as docker save and skopeo write it). The image
 * is the same: same config bytes (so the same image ID), same layers (each diff ID is checked while it
 * is written). Written bytes are bounded by the free space of the disk minus a reserve.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rename, rm, statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { pack } from 'tar-stream'
import { ImageError, errorMessage, isGateError } from '../util/errors.js'
import type { ImageLayout, LayoutLayer } from './image-layout.js'
import { detectCompression, type LayerBlob, type LayerCompression } from './layer-stream.js'
import { blobPath } from './oci-layout.js'

/** Left free on the disk after a conversion: scanners still write reports and caches there. */
export const DISK_RESERVE_BYTES = 512 * 1024 * 1024

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
const LAYER_MEDIA_TYPES: Record<Exclude<LayerCompression, 'unknown'>, string> = {
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
}

export interface WriteImageOptions {
  layout: ImageLayout
  /** The diff ID of each layer (from the config), in order. */
  diffIds: readonly string[]
  /** Most bytes the conversion may write; default: free space of the disk minus `DISK_RESERVE_BYTES`. */
  maxBytes?: number
}

/** Counts bytes through a stream and fails once more than `limit` went by. */
class ByteBudget {
  used = 0
  constructor(
    readonly limit: number,
    private readonly what: string,
  ) {}
  meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback: TransformCallback) => {
        this.used += chunk.length
        if (this.used > this.limit) {
          callback(
            new ImageError(
              `${this.what} would take more than ${this.limit} bytes of disk (the free space less a reserve)`,
            ),
          )
        } else callback(null, chunk)
      },
    })
  }
}

async function budgetFor(dir: string, options: WriteImageOptions, what: string): Promise<ByteBudget> {
  if (options.maxBytes !== undefined) return new ByteBudget(options.maxBytes, what)
  const fs = await statfs(dir)
  return new ByteBudget(Math.max(0, fs.bavail * fs.bsize - DISK_RESERVE_BYTES), what)
}

/** Hashes what passes through with `algorithm`. */
function hasher(algorithm: string): { stream: Transform; digest: () => string } {
  const hash = createHash(algorithm)
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  return { stream, digest: () => `${algorithm}:${hash.digest('hex')}` }
}

function rangeStream(blob: LayerBlob): Readable {
  if (blob.size === 0) return createReadStream(blob.path, { start: 0, end: -1 })
  return createReadStream(blob.path, { start: blob.offset, end: blob.offset + blob.size - 1 })
}

async function compressionOf(blob: LayerBlob): Promise<LayerCompression> {
  const handle = await open(blob.path, 'r')
  try {
    const head = Buffer.alloc(Math.min(512, blob.size))
    const { bytesRead } = await handle.read(head, 0, head.length, blob.offset)
    return detectCompression(head.subarray(0, bytesRead))
  } finally {
    await handle.close()
  }
}

function decompressor(compression: LayerCompression, what: string): Transform | undefined {
  if (compression === 'gzip') return zlib.createGunzip()
  if (compression !== 'zstd') return undefined
  const factory = (zlib as typeof zlib & { createZstdDecompress?: () => Transform }).createZstdDecompress
  if (typeof factory !== 'function')
    throw new ImageError(`${what} is zstd-compressed: this needs Node ≥ 22.15`)
  return factory()
}

function layerName(layout: ImageLayout, index: number): string {
  return `${layout.description}: layer ${index}`
}

async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isGateError(error)) throw error
    throw new ImageError(`${what}: ${errorMessage(error)}`, { cause: error })
  }
}

/**
 * Writes `layout` as an OCI image layout in `dir` (created). Layer blobs are copied as stored and checked
 * against their digest; the manifest and index are new (index.json names the image by its first tag).
 */
export async function writeOciLayout(dir: string, options: WriteImageOptions): Promise<void> {
  const { layout } = options
  const what = `writing ${layout.description} as an OCI layout`
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const budget = await budgetFor(dir, options, what)
  const writeBlob = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
    budget.used += bytes.length
    if (budget.used > budget.limit) throw new ImageError(`${what}: not enough free disk space`)
    await writeFile(join(dir, blobPath(digest)), bytes)
    return { digest, size: bytes.length }
  }
  const config = await writeBlob(layout.configBytes)
  const layers: { mediaType: string; digest: string; size: number }[] = []
  for (const [index, layer] of layout.layers.entries()) {
    layers.push(await guarded(what, () => copyLayerBlob(dir, layer, index, { layout, budget })))
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, ...config },
      layers,
    }),
  )
  const written = await writeBlob(manifest)
  const descriptor: Record<string, unknown> = { mediaType: OCI_MANIFEST, ...written }
  const name = layout.repoTags[0]
  if (name !== undefined) descriptor.annotations = { 'org.opencontainers.image.ref.name': name }
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor] }),
  )
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
}

async function copyLayerBlob(
  dir: string,
  layer: LayoutLayer,
  index: number,
  context: { layout: ImageLayout; budget: ByteBudget },
): Promise<{ mediaType: string; digest: string; size: number }> {
  const algorithm = layer.digest?.split(':')[0] ?? 'sha256'
  const partial = join(dir, 'blobs', `layer-${index}.partial`)
  const hash = hasher(algorithm)
  await pipeline(rangeStream(layer.blob), context.budget.meter(), hash.stream, createWriteStream(partial))
  const digest = hash.digest()
  if (layer.digest !== undefined && digest !== layer.digest) {
    throw new ImageError(
      `${layerName(context.layout, index)}: blob ${layer.digest} does not match its content (${digest})`,
    )
  }
  await mkdir(join(dir, 'blobs', algorithm), { recursive: true })
  await rename(partial, join(dir, blobPath(digest)))
  const compression = await compressionOf(layer.blob)
  const mediaType =
    layer.mediaType ?? (compression === 'unknown' ? LAYER_MEDIA_TYPES.tar : LAYER_MEDIA_TYPES[compression])
  return { mediaType, digest, size: layer.blob.size }
}

/**
 * Writes `layout` as a `docker save` tarball at `file`: `manifest.json` (one image, its tags), the config
 * as `<hex>.json` and each layer decompressed as `<diffid-hex>.tar`, checked against its diff ID.
 */
export async function writeDockerArchive(file: string, options: WriteImageOptions): Promise<void> {
  const { layout, diffIds } = options
  const what = `writing ${layout.description} as a docker-archive`
  const dir = join(file, '..')
  const budget = await budgetFor(dir, options, what)
  const configHex = createHash('sha256').update(layout.configBytes).digest('hex')
  const layerFiles = diffIds.map((diffId) => `${diffId.split(':')[1] ?? diffId}.tar`)
  const manifest = JSON.stringify([
    { Config: `${configHex}.json`, RepoTags: layout.repoTags, Layers: layerFiles },
  ])
  const tar = pack()
  // Layers are metered as they are decompressed; the tar around them adds headers only.
  const output = pipeline(tar, createWriteStream(file))
  const addBuffer = (name: string, content: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      tar.entry({ name, size: content.length, mode: 0o644, mtime: new Date(0) }, content, (error) =>
        error ? reject(error) : resolve(),
      )
    })
  try {
    await guarded(what, async () => {
      await addBuffer(`${configHex}.json`, layout.configBytes)
      for (const [index, layer] of layout.layers.entries()) {
        const plain = `${file}.layer-${index}.partial`
        try {
          const size = await decompressLayer(layer.blob, plain, {
            diffId: diffIds[index] ?? '',
            what: layerName(layout, index),
            budget,
          })
          await new Promise<void>((resolve, reject) => {
            const entry = tar.entry(
              { name: layerFiles[index]!, size, mode: 0o644, mtime: new Date(0) },
              (error) => (error ? reject(error) : resolve()),
            )
            pipeline(createReadStream(plain), entry).catch(reject)
          })
        } finally {
          await rm(plain, { force: true })
        }
      }
      await addBuffer('manifest.json', Buffer.from(manifest))
      tar.finalize()
      await output
    })
  } catch (error) {
    tar.destroy()
    await output.catch(() => undefined)
    await rm(file, { force: true })
    throw error
  }
}

/** Decompresses one layer blob to `target`, checking its diff ID; returns the plain tar's size. */
async function decompressLayer(
  blob: LayerBlob,
  target: string,
  context: { diffId: string; what: string; budget: ByteBudget },
): Promise<number> {
  const compression = await compressionOf(blob)
  if (compression === 'unknown') throw new ImageError(`${context.what} is not a tar archive`)
  const algorithm = context.diffId.split(':')[0] ?? 'sha256'
  const hash = hasher(algorithm)
  const counter = { bytes: 0 }
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counter.bytes += chunk.length
      callback(null, chunk)
    },
  })
  const stages: (Readable | Transform)[] = [rangeStream(blob)]
  const inflate = decompressor(compression, context.what)
  if (inflate !== undefined) stages.push(inflate)
  stages.push(context.budget.meter(), hash.stream, count)
  await pipeline([...stages, createWriteStream(target)])
  const diffId = hash.digest()
  if (diffId !== context.diffId) {
    throw new ImageError(`${context.what}: its content is ${diffId}, the config says ${context.diffId}`)
  }
  return counter.bytes
}
