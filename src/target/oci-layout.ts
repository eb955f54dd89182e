/**
 * OCI image layouts (a directory, or a tar of one as `skopeo copy … oci-archive:` writes): index.json →
 * (image index / manifest list →) image manifest → config + layers. For multi-platform indexes the
 * `linux/<architecture>` image is chosen and attestation manifests are skipped.
 */
import { createHash } from 'node:crypto'
import { ImageError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import type { BlobStore } from './blob-store.js'
import { DIGEST_PATTERN, parseJsonDocument } from './image-config.js'
import { MAX_JSON_BYTES, type ImageLayout, type LayoutLayer } from './image-layout.js'
import { isFullReference } from './reference.js'

export interface Platform {
  os?: string
  architecture?: string
  variant?: string
}

export interface Descriptor {
  mediaType?: string
  digest: string
  size: number
  platform?: Platform
  annotations: Record<string, string>
}

interface Candidate {
  descriptor: Descriptor
  /** Annotations of the index.json entry the candidate was reached from (ref names live there). */
  topAnnotations: Record<string, string>
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
])
const MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
])
const REF_NAME = 'org.opencontainers.image.ref.name'
const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name'
const MAX_INDEX_DEPTH = 4

/** `process.arch` in the GOARCH spelling image platforms use. */
export function runnerArchitecture(): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
  }
  return map[process.arch] ?? process.arch
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {}
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )
}

export function parseDescriptor(value: unknown, what: string): Descriptor {
  if (!isRecord(value)) throw new ImageError(`${what} must be an object`)
  const { digest, size, mediaType, platform } = value
  if (typeof digest !== 'string' || !DIGEST_PATTERN.test(digest)) {
    throw new ImageError(`${what}.digest must be a sha256:/sha512: digest (got ${JSON.stringify(digest)})`)
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ImageError(`${what}.size must be a non-negative integer`)
  }
  const descriptor: Descriptor = { digest, size, annotations: stringRecord(value.annotations) }
  if (typeof mediaType === 'string') descriptor.mediaType = mediaType
  if (isRecord(platform)) {
    descriptor.platform = {}
    if (typeof platform.os === 'string') descriptor.platform.os = platform.os
    if (typeof platform.architecture === 'string') descriptor.platform.architecture = platform.architecture
    if (typeof platform.variant === 'string') descriptor.platform.variant = platform.variant
  }
  return descriptor
}

/** `blobs/<algorithm>/<hex>` for a digest already checked against DIGEST_PATTERN. */
export function blobPath(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  return `blobs/${algorithm!}/${hex!}`
}

/** Reads a blob whole and checks it against its descriptor's digest. */
async function readVerifiedBlob(store: BlobStore, descriptor: Descriptor, what: string): Promise<Buffer> {
  const bytes = await store.readFile(blobPath(descriptor.digest), MAX_JSON_BYTES)
  const [algorithm] = descriptor.digest.split(':')
  const actual = `${algorithm!}:${createHash(algorithm!).update(bytes).digest('hex')}`
  if (actual !== descriptor.digest) {
    throw new ImageError(
      `${store.description}: ${what} ${descriptor.digest} does not match its content (${actual})`,
    )
  }
  return bytes
}

function manifestList(document: unknown, what: string): unknown[] {
  if (!isRecord(document) || !Array.isArray(document.manifests)) {
    throw new ImageError(`${what} must be an object with a "manifests" array`)
  }
  return document.manifests
}

function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown')
  )
}

/** Walks index.json and nested indexes, collecting image manifests. */
async function collectCandidates(store: BlobStore): Promise<Candidate[]> {
  const candidates: Candidate[] = []
  const visit = async (
    entries: unknown[],
    what: string,
    depth: number,
    inherited: Record<string, string> | undefined,
  ): Promise<void> => {
    for (const [i, entry] of entries.entries()) {
      const descriptor = parseDescriptor(entry, `${what}.manifests[${i}]`)
      const top = inherited ?? descriptor.annotations
      let mediaType = descriptor.mediaType
      let document: unknown
      if (mediaType === undefined) {
        // Some writers omit mediaType on descriptors; the document itself says what it is.
        document = parseJsonDocument(await readVerifiedBlob(store, descriptor, 'manifest'), descriptor.digest)
        if (isRecord(document) && Array.isArray(document.manifests)) mediaType = [...INDEX_TYPES][0]
        else if (isRecord(document) && Array.isArray(document.layers)) mediaType = [...MANIFEST_TYPES][0]
      }
      if (mediaType !== undefined && INDEX_TYPES.has(mediaType)) {
        if (depth >= MAX_INDEX_DEPTH)
          throw new ImageError(`${store.description}: image indexes nest too deeply`)
        document ??= parseJsonDocument(
          await readVerifiedBlob(store, descriptor, 'image index'),
          descriptor.digest,
        )
        await visit(
          manifestList(document, `index ${descriptor.digest}`),
          `index ${descriptor.digest}`,
          depth + 1,
          top,
        )
      } else if (mediaType !== undefined && MANIFEST_TYPES.has(mediaType) && !isAttestation(descriptor)) {
        candidates.push({ descriptor, topAnnotations: top })
      }
    }
  }
  const index = parseJsonDocument(
    await store.readFile('index.json', MAX_JSON_BYTES),
    `${store.description}: index.json`,
  )
  await visit(manifestList(index, `${store.description}: index.json`), 'index.json', 0, undefined)
  return candidates
}

function platformText(platform: Platform | undefined): string {
  if (!platform) return 'no platform'
  return [platform.os ?? '?', platform.architecture ?? '?', platform.variant].filter(Boolean).join('/')
}

function refNameOf(candidate: Candidate): string | undefined {
  return candidate.topAnnotations[REF_NAME] ?? candidate.descriptor.annotations[REF_NAME]
}

function chooseCandidate(
  all: Candidate[],
  options: { architecture?: string; refName?: string; description: string },
): Candidate {
  let candidates = all
  if (options.refName !== undefined) {
    const wanted = options.refName
    candidates = candidates.filter((c) => {
      const name = refNameOf(c)
      return name === wanted || (name !== undefined && name.endsWith(`:${wanted}`))
    })
    if (candidates.length === 0) {
      const names = [...new Set(all.map(refNameOf).filter(Boolean))].join(', ') || 'none'
      throw new ImageError(`${options.description} has no image named "${wanted}" (ref names: ${names})`)
    }
  }
  if (candidates.length === 0) throw new ImageError(`${options.description} holds no image manifest`)
  const digests = new Set(candidates.map((c) => c.descriptor.digest))
  if (digests.size === 1) return candidates[0]!

  const requested = (options.architecture ?? runnerArchitecture()).replace(/^linux\//, '')
  const [architecture, variant] = requested.split('/')
  const match = candidates.find(
    (c) =>
      (c.descriptor.platform?.os ?? 'linux') === 'linux' &&
      c.descriptor.platform?.architecture === architecture &&
      (variant === undefined || c.descriptor.platform?.variant === variant),
  )
  if (match) return match
  if (candidates.every((c) => c.descriptor.platform === undefined)) {
    const names = candidates.map((c) => refNameOf(c) ?? c.descriptor.digest).join(', ')
    throw new ImageError(
      `${options.description} holds ${candidates.length} images (${names}); name one, e.g. oci:PATH:REF`,
    )
  }
  const platforms = candidates.map((c) => platformText(c.descriptor.platform)).join(', ')
  throw new ImageError(`${options.description} has no linux/${requested} image (platforms: ${platforms})`)
}

/** The platforms of the images in the layout (attestations skipped), in index order, each once. */
export async function listLayoutPlatforms(store: BlobStore): Promise<Platform[]> {
  const platforms: Platform[] = []
  for (const candidate of await collectCandidates(store)) {
    const platform = candidate.descriptor.platform
    if (platform?.architecture === undefined) continue
    if (!platforms.some((p) => platformText(p) === platformText(platform))) platforms.push(platform)
  }
  return platforms
}

function parseManifest(
  document: unknown,
  what: string,
): { config: Descriptor; layers: Descriptor[]; annotations: Record<string, string> } {
  if (!isRecord(document)) throw new ImageError(`${what} must be a JSON object`)
  if (!Array.isArray(document.layers)) throw new ImageError(`${what}.layers must be an array`)
  return {
    config: parseDescriptor(document.config, `${what}.config`),
    layers: document.layers.map((layer: unknown, i) => parseDescriptor(layer, `${what}.layers[${i}]`)),
    annotations: stringRecord(document.annotations),
  }
}

/** Reads the layout in `store` down to one image: its config bytes (digest-verified) and layer blobs. */
export async function readOciLayout(
  store: BlobStore,
  options: { architecture?: string; refName?: string; logger: Logger },
): Promise<ImageLayout> {
  if (!(await store.exists('oci-layout'))) {
    throw new ImageError(`${store.description} has no oci-layout file: it is not an OCI image layout`)
  }
  const layoutFile = parseJsonDocument(
    await store.readFile('oci-layout', 64 * 1024),
    `${store.description}: oci-layout`,
  )
  if (!isRecord(layoutFile) || typeof layoutFile.imageLayoutVersion !== 'string') {
    throw new ImageError(`${store.description}: oci-layout must be an object with an imageLayoutVersion`)
  }
  const chosen = chooseCandidate(await collectCandidates(store), {
    ...options,
    description: store.description,
  })
  const manifestDigest = chosen.descriptor.digest
  options.logger.debug(
    `${store.description}: image manifest ${manifestDigest} (${platformText(chosen.descriptor.platform)})`,
  )
  const manifest = parseManifest(
    parseJsonDocument(
      await readVerifiedBlob(store, chosen.descriptor, 'manifest'),
      `manifest ${manifestDigest}`,
    ),
    `manifest ${manifestDigest}`,
  )
  const configBytes = await readVerifiedBlob(store, manifest.config, 'config')
  const layers: LayoutLayer[] = []
  for (const descriptor of manifest.layers) {
    const blob = await store.locate(blobPath(descriptor.digest))
    if (blob.size !== descriptor.size) {
      throw new ImageError(
        `${store.description}: layer blob ${descriptor.digest} is ${blob.size} bytes, the manifest says ${descriptor.size}`,
      )
    }
    const layer: LayoutLayer = { blob, digest: descriptor.digest }
    if (descriptor.mediaType !== undefined) layer.mediaType = descriptor.mediaType
    layers.push(layer)
  }
  const names = [
    chosen.topAnnotations[CONTAINERD_IMAGE_NAME],
    refNameOf(chosen),
    chosen.descriptor.annotations[CONTAINERD_IMAGE_NAME],
  ]
  const repoTags = [...new Set(names.filter((n): n is string => n !== undefined && isFullReference(n)))]
  return {
    description: store.description,
    configBytes,
    configDigest: manifest.config.digest,
    repoTags,
    layers,
    ...(Object.keys(manifest.annotations).length > 0 ? { annotations: manifest.annotations } : {}),
  }
}
