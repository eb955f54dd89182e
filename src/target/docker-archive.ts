/**
 * `docker save` tarballs. Both layouts are driven by `manifest.json`: the legacy one (`<id>/layer.tar`,
 * repeated layers stored as symlinks to the first copy) and the Docker 25+ one, which is an OCI layout
 * whose `manifest.json` names `blobs/sha256/<hex>` files. skopeo's `docker-archive:` output has the same
 * shape (`<diffid>.tar` layers).
 */
import { createHash } from 'node:crypto'
import { ImageError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import type { ArchiveIndex } from './archive-index.js'
import { parseJsonDocument } from './image-config.js'
import { MAX_JSON_BYTES, type ImageLayout, type LayoutLayer } from './image-layout.js'
import { parseReference } from './reference.js'

interface ManifestItem {
  config: string
  repoTags: string[]
  layers: string[]
}

const BLOB_NAME = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/

function parseManifest(document: unknown, what: string): ManifestItem[] {
  if (!Array.isArray(document) || document.length === 0) {
    throw new ImageError(`${what} must be a non-empty JSON array`)
  }
  return document.map((item: unknown, i): ManifestItem => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ImageError(`${what}[${i}] must be an object`)
    }
    const record = item as Record<string, unknown>
    const config = record.Config
    if (typeof config !== 'string' || config === '') {
      throw new ImageError(`${what}[${i}].Config must be the name of the config file`)
    }
    const layers = record.Layers
    if (!Array.isArray(layers) || !layers.every((layer) => typeof layer === 'string' && layer !== '')) {
      throw new ImageError(`${what}[${i}].Layers must be an array of layer file names`)
    }
    const repoTags = record.RepoTags ?? []
    if (!Array.isArray(repoTags) || !repoTags.every((tag) => typeof tag === 'string')) {
      throw new ImageError(`${what}[${i}].RepoTags must be an array of strings or null`)
    }
    return { config, layers: layers as string[], repoTags: repoTags }
  })
}

/** `name:tag` identity of a reference after Docker normalisation (`alpine` = `docker.io/library/alpine:latest`). */
function referenceKey(ref: string): string | undefined {
  const parsed = parseReference(ref)
  if (!parsed) return undefined
  return `${parsed.registry ?? ''}/${parsed.repository}:${parsed.tag ?? (parsed.digest ? '' : 'latest')}`
}

function chooseItem(
  items: ManifestItem[],
  options: { reference?: string; logger: Logger; what: string },
): ManifestItem {
  const first = items[0]! // parseManifest guarantees one
  if (items.length === 1) return first
  const wanted = options.reference === undefined ? undefined : referenceKey(options.reference)
  if (wanted !== undefined) {
    const match = items.find((item) => item.repoTags.some((tag) => referenceKey(tag) === wanted))
    if (match) return match
  }
  options.logger.warning(
    `${options.what} holds ${items.length} images; reading the first (${first.repoTags[0] ?? first.config})`,
  )
  return first
}

/** Reads `manifest.json` and the config of a `docker save` archive; every name must exist inside the archive. */
export async function readDockerArchive(
  archive: ArchiveIndex,
  options: { reference?: string; logger: Logger },
): Promise<ImageLayout> {
  const what = `${archive.path}: manifest.json`
  if (!archive.has('manifest.json')) {
    throw new ImageError(`${archive.path} has no manifest.json: it is not a docker save archive`)
  }
  const items = parseManifest(
    parseJsonDocument(await archive.readFile('manifest.json', MAX_JSON_BYTES), what),
    what,
  )
  const item = chooseItem(items, { ...options, what })

  const configBytes = await archive.readFile(item.config, MAX_JSON_BYTES)
  const layers = item.layers.map((name): LayoutLayer => {
    const layer: LayoutLayer = { blob: archive.locate(name) }
    const blobName = BLOB_NAME.exec(name)
    if (blobName) layer.digest = `${blobName[1]!}:${blobName[2]!}`
    return layer
  })
  return {
    description: archive.path,
    configBytes,
    configDigest: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
    repoTags: item.repoTags.filter((tag) => parseReference(tag) !== undefined),
    layers,
  }
}
