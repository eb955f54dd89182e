/**
 * Opens an image without a Docker engine: finds its layout, parses the config, and exposes each layer as a
 * stream of entries. A gzip-compressed archive (`image.tar.gz`) is decompressed once into the temp dir
 * (streamed, and capped: `archive-gzip.ts`) and removed again on `close()`.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ImageError, errorMessage, isGateError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { ArchiveTooLargeError, gunzipArchive } from './archive-gzip.js'
import { ArchiveIndex } from './archive-index.js'
import { ArchiveBlobStore, DirectoryBlobStore } from './blob-store.js'
import { readDockerArchive } from './docker-archive.js'
import { attachHistory, parseImageConfig } from './image-config.js'
import type { ImageLayout } from './image-layout.js'
import type { ImageSource, LayerEntry, LayerInfo, OpenedImage, WalkLayerOptions } from './image-types.js'
import { streamLayer } from './layer-stream.js'
import { listLayoutPlatforms, readOciLayout, type Platform } from './oci-layout.js'

export interface OpenImageOptions {
  /** Where a compressed archive is decompressed to; created when missing. */
  tempDir: string
  logger: Logger
  /** Cap on a gzip-compressed archive's decompressed bytes; default `maxExpandedArchiveBytes(its size)`. */
  maxExpandedArchiveBytes?: number
  /** Platform to choose from a multi-platform index (`amd64`, `arm64`, `arm/v7`); default: the runner's. */
  architecture?: string
}

async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

/** The path of a plain tar for `path`: itself, or a decompressed copy in a fresh directory under tempDir. */
async function plainTarOf(
  path: string,
  options: OpenImageOptions,
  cleanups: (() => Promise<void>)[],
): Promise<string> {
  if (!(await isGzipFile(path))) return path
  await mkdir(options.tempDir, { recursive: true })
  const dir = await mkdtemp(join(options.tempDir, 'image-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const target = join(dir, 'image.tar')
  options.logger.debug(`decompressing ${path} to ${target}`)
  const { size } = await stat(path)
  const streams = gunzipArchive(path, {
    compressedSize: size,
    ...(options.maxExpandedArchiveBytes !== undefined
      ? { maxExpandedBytes: options.maxExpandedArchiveBytes }
      : {}),
  })
  try {
    await pipeline(streams.at(-1)!, createWriteStream(target, { flags: 'wx' }))
  } catch (error) {
    if (error instanceof ArchiveTooLargeError) throw error
    throw new ImageError(`${path} is a gzip file that cannot be decompressed: ${errorMessage(error)}`, {
      cause: error,
    })
  } finally {
    for (const stream of streams) stream.destroy()
  }
  return target
}

async function readLayout(
  source: ImageSource,
  options: OpenImageOptions,
  cleanups: (() => Promise<void>)[],
): Promise<ImageLayout> {
  switch (source.kind) {
    case 'docker-archive':
    case 'daemon': {
      const archive = await ArchiveIndex.open(await plainTarOf(source.path, options, cleanups))
      const layoutOptions: { logger: Logger; reference?: string } = { logger: options.logger }
      if (source.reference !== undefined) layoutOptions.reference = source.reference
      return readDockerArchive(archive, layoutOptions)
    }
    case 'oci-archive':
    case 'oci-dir': {
      const store =
        source.kind === 'oci-dir'
          ? await DirectoryBlobStore.open(source.path)
          : new ArchiveBlobStore(await ArchiveIndex.open(await plainTarOf(source.path, options, cleanups)))
      const layoutOptions: { logger: Logger; architecture?: string; refName?: string } = {
        logger: options.logger,
      }
      if (options.architecture !== undefined) layoutOptions.architecture = options.architecture
      if (source.reference !== undefined) layoutOptions.refName = source.reference
      return readOciLayout(store, layoutOptions)
    }
  }
}

/** The platforms of a multi-platform OCI layout or archive; empty for other forms and single images. */
export async function imagePlatforms(source: ImageSource, options: OpenImageOptions): Promise<Platform[]> {
  if (source.kind !== 'oci-dir' && source.kind !== 'oci-archive') return []
  const cleanups: (() => Promise<void>)[] = []
  try {
    const store =
      source.kind === 'oci-dir'
        ? await DirectoryBlobStore.open(source.path)
        : new ArchiveBlobStore(await ArchiveIndex.open(await plainTarOf(source.path, options, cleanups)))
    return await listLayoutPlatforms(store)
  } finally {
    await runCleanups(cleanups)
  }
}

async function runCleanups(cleanups: (() => Promise<void>)[]): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined)
}

/** Opens `source`. Throws `ImageError` (never a raw error) when the image cannot be read. */
export async function openImage(source: ImageSource, options: OpenImageOptions): Promise<OpenedImage> {
  const cleanups: (() => Promise<void>)[] = []
  try {
    const layout = await readLayout(source, options, cleanups)
    const parsed = parseImageConfig(layout.configBytes, `${layout.description}: image config`)
    if (parsed.diffIds.length !== layout.layers.length) {
      throw new ImageError(
        `${layout.description}: the manifest lists ${layout.layers.length} layers but the config has ` +
          `${parsed.diffIds.length} diff_ids`,
      )
    }
    const layers = layout.layers.map((layer, index): LayerInfo => {
      const info: LayerInfo = { index, diffId: parsed.diffIds[index]! }
      if (layer.digest !== undefined) info.digest = layer.digest
      if (layer.mediaType !== undefined) info.mediaType = layer.mediaType
      return info
    })
    if (!attachHistory(layers, parsed.history) && parsed.history.length > 0) {
      options.logger.debug(
        `${layout.description}: history does not line up with layers; layers keep no created_by`,
      )
    }
    let closed = false
    const image: OpenedImage = {
      source,
      repoTags: layout.repoTags,
      imageId: layout.configDigest,
      config: parsed.config,
      history: parsed.history,
      layers,
      ...(layout.annotations !== undefined ? { annotations: { ...layout.annotations } } : {}),
      walkLayer(index: number, walkOptions: WalkLayerOptions = {}): AsyncIterable<LayerEntry> {
        const layer = layout.layers[index]
        const info = layers[index]
        if (closed) return failing(new ImageError(`${layout.description}: the image was closed`))
        if (layer === undefined || info === undefined) {
          return failing(
            new ImageError(`${layout.description}: no layer ${index} (the image has ${layers.length})`),
          )
        }
        return streamLayer(layer.blob, { ...walkOptions, index, diffId: info.diffId })
      },
      async close(): Promise<void> {
        closed = true
        await runCleanups(cleanups)
      },
    }
    if (parsed.os !== undefined) image.os = parsed.os
    if (parsed.architecture !== undefined) image.architecture = parsed.architecture
    INTERNALS.set(image, { layout, tempDir: options.tempDir, onClose: (cleanup) => cleanups.push(cleanup) })
    return image
  } catch (error) {
    await runCleanups(cleanups)
    if (isGateError(error)) throw error
    throw new ImageError(`cannot read image ${source.input}: ${errorMessage(error)}`, { cause: error })
  }
}

/** What a conversion of an opened image needs (see `image-forms.ts`): its blobs and where to write. */
export interface ImageInternals {
  layout: ImageLayout
  tempDir: string
  /** Runs `cleanup` when the image is closed (removes converted copies). */
  onClose(cleanup: () => Promise<void>): void
}

const INTERNALS = new WeakMap<OpenedImage, ImageInternals>()

/** The layout an image was opened from; undefined for images not opened by `openImage` (test doubles). */
export function imageInternals(image: OpenedImage): ImageInternals | undefined {
  return INTERNALS.get(image)
}

function failing(error: Error): AsyncIterable<LayerEntry> {
  return {
    [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
  }
}
