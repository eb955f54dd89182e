/**
 * Deterministic container image generator for tests and the demo: writes the same image as a legacy
 * `docker save` tarball, a Docker 25+ tarball (OCI layout inside), an OCI layout directory or an OCI
 * archive, with real digests and diff_ids. Fixed mtimes and sorted JSON keys make the output byte-stable.
 */
import { gzipSync } from 'node:zlib'
import {
  MEDIA_TYPES,
  blobName,
  canonicalJson,
  ociLayoutFiles,
  sha256,
  writeDirectory,
  writeTarFile,
} from './layout-files.js'
import { packTar, rawTar, type RawTarEntry, type TarFile } from './tar-writer.js'

export { MEDIA_TYPES, blobName, canonicalJson, ociLayoutFiles, sha256, writeDirectory, writeTarFile }

export interface FileSpec {
  path: string
  type?: 'file' | 'dir' | 'symlink' | 'hardlink'
  content?: string | Buffer
  mode?: number
  uid?: number
  gid?: number
  linkTarget?: string
  /** Written verbatim as the tar name (hostile names like `../../etc/x` or `/abs`). */
  rawName?: string
  /** The size the header claims, when it should lie (the layer then ends early). */
  claimedSize?: number
}

export interface ImageConfigSpec {
  User?: string
  ExposedPorts?: string[]
  Env?: string[]
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number }
  Labels?: Record<string, string>
  WorkingDir?: string
  Cmd?: string[]
  Entrypoint?: string[]
}

/** A Dockerfile-like step: with `entries` it makes a layer, without it is an empty_layer history entry. */
export interface ImageStep {
  createdBy: string
  entries?: FileSpec[]
  comment?: string
}

export interface ImageSpec {
  config?: ImageConfigSpec
  steps: ImageStep[]
  os?: string
  architecture?: string
  variant?: string
  /** Last chance to tamper with the config document (malformed-config tests). */
  rewriteConfig?: (config: Record<string, unknown>) => unknown
}

export type ImageFormat = 'docker-archive' | 'docker-archive-oci' | 'oci-dir' | 'oci-archive'

export interface WriteImageOptions {
  format: ImageFormat
  /** The tar file, or the directory for `oci-dir`. */
  out: string
  gzipLayers?: boolean
  /** Legacy docker-archive: store a repeated layer as `<id>/layer.tar -> ../<first id>/layer.tar`. */
  symlinkRepeatedLayers?: boolean
  /** `RepoTags[0]` / the OCI ref name annotation. */
  repoTag?: string
}

export interface BuiltLayer {
  diffId: string
  digest: string
  mediaType: string
  blob: Buffer
}

export interface BuiltImage {
  config: Buffer
  configDigest: string
  layers: BuiltLayer[]
  manifest: Buffer
  manifestDigest: string
}

const CREATED = '2024-01-01T00:00:00Z'

const TAR_TYPES = { file: 'file', dir: 'directory', symlink: 'symlink', hardlink: 'hardlink' } as const
const TYPEFLAGS = { file: '0', dir: '5', symlink: '2', hardlink: '1' } as const

/** The uncompressed tar of one layer. Entries with `claimedSize` need raw headers, so such layers are raw. */
export async function buildLayerTar(entries: readonly FileSpec[]): Promise<Buffer> {
  if (entries.some((entry) => entry.claimedSize !== undefined)) {
    return rawTar(
      entries.map((entry): RawTarEntry => {
        const raw: RawTarEntry = {
          name: entry.rawName ?? entry.path,
          typeflag: TYPEFLAGS[entry.type ?? 'file'],
        }
        if (entry.content !== undefined) raw.body = entry.content
        if (entry.claimedSize !== undefined) raw.claimedSize = entry.claimedSize
        if (entry.mode !== undefined) raw.mode = entry.mode
        if (entry.linkTarget !== undefined) raw.linkname = entry.linkTarget
        return raw
      }),
    )
  }
  return packTar(
    entries.map((entry): TarFile => {
      const file: TarFile = { name: entry.rawName ?? entry.path, type: TAR_TYPES[entry.type ?? 'file'] }
      if (entry.content !== undefined) file.content = entry.content
      if (entry.mode !== undefined) file.mode = entry.mode
      if (entry.uid !== undefined) file.uid = entry.uid
      if (entry.gid !== undefined) file.gid = entry.gid
      if (entry.linkTarget !== undefined) file.linkTarget = entry.linkTarget
      return file
    }),
  )
}

function configDocument(spec: ImageSpec, diffIds: string[]): unknown {
  const c = spec.config ?? {}
  const config: Record<string, unknown> = {}
  if (c.User !== undefined) config.User = c.User
  if (c.ExposedPorts !== undefined)
    config.ExposedPorts = Object.fromEntries(c.ExposedPorts.map((p) => [p, {}]))
  if (c.Env !== undefined) config.Env = c.Env
  if (c.Healthcheck !== undefined) config.Healthcheck = c.Healthcheck
  if (c.Labels !== undefined) config.Labels = c.Labels
  if (c.WorkingDir !== undefined) config.WorkingDir = c.WorkingDir
  if (c.Cmd !== undefined) config.Cmd = c.Cmd
  if (c.Entrypoint !== undefined) config.Entrypoint = c.Entrypoint
  const document: Record<string, unknown> = {
    architecture: spec.architecture ?? 'amd64',
    config,
    created: CREATED,
    history: spec.steps.map((step) => ({
      created: CREATED,
      created_by: step.createdBy,
      ...(step.comment !== undefined ? { comment: step.comment } : {}),
      ...(step.entries === undefined ? { empty_layer: true } : {}),
    })),
    os: spec.os ?? 'linux',
    rootfs: { type: 'layers', diff_ids: diffIds },
    ...(spec.variant !== undefined ? { variant: spec.variant } : {}),
  }
  return spec.rewriteConfig ? spec.rewriteConfig(document) : document
}

/** Builds every blob of an image: layers (optionally gzip'd), config and OCI manifest. */
export async function buildImage(
  spec: ImageSpec,
  options: { gzipLayers?: boolean } = {},
): Promise<BuiltImage> {
  const layers: BuiltLayer[] = []
  for (const step of spec.steps) {
    if (step.entries === undefined) continue
    const tar = await buildLayerTar(step.entries)
    const blob = options.gzipLayers === true ? gzipSync(tar) : tar
    const mediaType = options.gzipLayers === true ? MEDIA_TYPES.layerGzip : MEDIA_TYPES.layer
    layers.push({ diffId: sha256(tar), digest: sha256(blob), mediaType, blob })
  }
  const config = Buffer.from(
    canonicalJson(
      configDocument(
        spec,
        layers.map((l) => l.diffId),
      ),
    ),
  )
  const configDigest = sha256(config)
  const manifest = Buffer.from(
    canonicalJson({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
    }),
  )
  return { config, configDigest, layers, manifest, manifestDigest: sha256(manifest) }
}

function legacyLayerIds(layers: readonly BuiltLayer[]): string[] {
  let parent = ''
  return layers.map((layer) => (parent = sha256(`${parent}\n${layer.diffId}`).slice(7)))
}

function dockerArchiveFiles(image: BuiltImage, options: WriteImageOptions): TarFile[] {
  const repoTags = options.repoTag !== undefined ? [options.repoTag] : null
  const files: TarFile[] = []
  let layerNames: string[]
  let configName: string
  if (options.format === 'docker-archive') {
    const ids = legacyLayerIds(image.layers)
    const firstCopy = new Map<string, string>()
    layerNames = image.layers.map((layer, i) => {
      const id = ids[i]!
      const name = `${id}/layer.tar`
      files.push({ name: `${id}/VERSION`, content: '1.0' })
      files.push({
        name: `${id}/json`,
        content: canonicalJson({ id, ...(i > 0 ? { parent: ids[i - 1] } : {}) }),
      })
      const first = firstCopy.get(layer.diffId)
      if (first !== undefined && options.symlinkRepeatedLayers === true) {
        files.push({ name, type: 'symlink', linkTarget: `../${first}` })
      } else {
        files.push({ name, content: layer.blob })
        firstCopy.set(layer.diffId, name)
      }
      return name
    })
    configName = `${image.configDigest.slice(7)}.json`
    files.push({ name: configName, content: image.config })
  } else {
    const blobs = new Map<string, Buffer>([[image.configDigest, image.config]])
    for (const layer of image.layers) blobs.set(layer.digest, layer.blob)
    blobs.set(image.manifestDigest, image.manifest)
    const annotations =
      options.repoTag !== undefined
        ? {
            'io.containerd.image.name': options.repoTag,
            'org.opencontainers.image.ref.name': tagOf(options.repoTag),
          }
        : undefined
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests:
        annotations === undefined
          ? []
          : [
              {
                mediaType: MEDIA_TYPES.manifest,
                digest: image.manifestDigest,
                size: image.manifest.length,
                annotations,
              },
            ],
    }
    for (const file of ociLayoutFiles(blobs, index)) files.push(file)
    layerNames = image.layers.map((layer) => blobName(layer.digest))
    configName = blobName(image.configDigest)
  }
  files.push({
    name: 'manifest.json',
    content: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: layerNames }]),
  })
  if (options.repoTag !== undefined) {
    const last = layerNames.at(-1)?.split('/')[0] ?? ''
    const colon = options.repoTag.lastIndexOf(':')
    files.push({
      name: 'repositories',
      content: canonicalJson({
        [options.repoTag.slice(0, colon)]: { [options.repoTag.slice(colon + 1)]: last },
      }),
    })
  }
  return files
}

function tagOf(repoTag: string): string {
  const colon = repoTag.lastIndexOf(':')
  return colon > repoTag.lastIndexOf('/') ? repoTag.slice(colon + 1) : 'latest'
}

/** Writes `spec` in the requested format; returns the built blobs (digests for assertions). */
export async function writeImage(spec: ImageSpec, options: WriteImageOptions): Promise<BuiltImage> {
  const image = await buildImage(spec, { gzipLayers: options.gzipLayers ?? false })
  if (options.format === 'docker-archive' || options.format === 'docker-archive-oci') {
    await writeTarFile(options.out, dockerArchiveFiles(image, options))
    return image
  }
  const blobs = new Map<string, Buffer>([[image.configDigest, image.config]])
  for (const layer of image.layers) blobs.set(layer.digest, layer.blob)
  blobs.set(image.manifestDigest, image.manifest)
  const descriptor = {
    mediaType: MEDIA_TYPES.manifest,
    digest: image.manifestDigest,
    size: image.manifest.length,
    ...(options.repoTag !== undefined
      ? { annotations: { 'org.opencontainers.image.ref.name': options.repoTag } }
      : {}),
  }
  const files = ociLayoutFiles(blobs, {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: [descriptor],
  })
  if (options.format === 'oci-dir') await writeDirectory(options.out, files)
  else await writeTarFile(options.out, files)
  return image
}
