/**
 * Pulls a `registry:` image into temporary OCI image layouts, one per chosen platform (so Trivy, Grype and
 * every other reader see exactly one image), without a Docker daemon. Each layout is a valid OCI image
 * layout (opencontainers/image-spec image-layout.md: `oci-layout`, `index.json`, `blobs/sha256/…`) whose
 * index.json names the image manifest as pulled, byte for byte, with its platform and ref name.
 */
import { link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ImageError } from '../../util/errors.js'
import type { CommandRunner } from '../../util/exec.js'
import type { Logger } from '../../util/logger.js'
import { parseJsonDocument } from '../image-config.js'
import type { ImageSource } from '../image-types.js'
import { parseDescriptor, type Descriptor } from '../oci-layout.js'
import {
  platformText,
  runnerPlatform,
  selectPlatforms,
  type ImagePlatform,
  type PlatformRequest,
} from '../platform.js'
import { RegistryClient, MEDIA_TYPES, MAX_MANIFEST_BYTES, type FetchedManifest } from './client.js'
import { findCredentials } from './credentials.js'
import { parseRegistryReference, repositoryReference, REGISTRY_PREFIX } from './image-reference.js'

/** One layer may not be larger than this, whatever its manifest says. */
export const MAX_BLOB_BYTES = 32 * 1024 * 1024 * 1024

export interface RegistryPullOptions {
  tempDir: string
  platforms: PlatformRequest
  username?: string
  password?: string
  insecureRegistries: readonly string[]
  env: NodeJS.ProcessEnv
  run: CommandRunner
  logger: Logger
  /** For tests. */
  fetch?: typeof fetch
}

export interface PulledImage {
  source: ImageSource
  /** The platform of the image, from the index (or the config of a single-platform image). */
  platform?: ImagePlatform
}

export interface PulledImages {
  images: PulledImage[]
  /** Removes every layout written. */
  cleanup: () => Promise<void>
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList]
const MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]

function platformOf(descriptor: Descriptor): ImagePlatform | undefined {
  const p = descriptor.platform
  if (p?.architecture === undefined) return undefined
  const platform: ImagePlatform = { os: p.os ?? 'linux', architecture: p.architecture }
  if (p.variant !== undefined) platform.variant = p.variant
  return platform
}

function isAttestation(descriptor: Descriptor): boolean {
  return (
    descriptor.annotations['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (descriptor.platform?.os === 'unknown' && descriptor.platform.architecture === 'unknown')
  )
}

function parseManifestDocument(
  manifest: FetchedManifest,
  what: string,
): { config: Descriptor; layers: Descriptor[] } {
  const doc = parseJsonDocument(manifest.bytes, what)
  if (!isRecord(doc) || !Array.isArray(doc.layers)) {
    throw new ImageError(`${what} is not an image manifest (schema 1 manifests are not supported)`)
  }
  return {
    config: parseDescriptor(doc.config, `${what}.config`),
    layers: doc.layers.map((l: unknown, i) => parseDescriptor(l, `${what}.layers[${i}]`)),
  }
}

/** Writes one layout for one image manifest, downloading blobs not already present in `shared`. */
async function writeLayout(
  client: RegistryClient,
  dir: string,
  manifest: FetchedManifest,
  descriptor: { platform?: ImagePlatform; refName: string },
  shared: Map<string, string>,
  logger: Logger,
): Promise<ImagePlatform | undefined> {
  const what = `manifest ${manifest.digest}`
  const { config, layers } = parseManifestDocument(manifest, what)
  const blobs = join(dir, 'blobs', 'sha256')
  await mkdir(blobs, { recursive: true })
  const fetchBlob = async (d: Descriptor, max: number): Promise<string> => {
    if (!d.digest.startsWith('sha256:'))
      throw new ImageError(`${what}: only sha256 blobs are supported (${d.digest})`)
    if (d.size > max)
      throw new ImageError(`${what}: blob ${d.digest} declares ${d.size} bytes, over the ${max}-byte limit`)
    const path = join(blobs, d.digest.slice('sha256:'.length))
    const existing = shared.get(d.digest)
    if (existing === path) return path
    if (existing !== undefined) await link(existing, path)
    else {
      await client.blobToFile(d.digest, d.size, path)
      shared.set(d.digest, path)
    }
    return path
  }
  await fetchBlob(config, MAX_MANIFEST_BYTES * 4)
  let total = 0
  for (const layer of layers) {
    await fetchBlob(layer, MAX_BLOB_BYTES)
    total += layer.size
  }
  logger.debug(`pulled ${layers.length} layers (${total} bytes) of ${manifest.digest}`)
  await writeFile(join(blobs, manifest.digest.slice('sha256:'.length)), manifest.bytes, { flag: 'wx' })
  let platform = descriptor.platform
  if (platform === undefined) {
    // A single-platform image: its platform is in its config.
    const configDoc = parseJsonDocument(
      await readFile(join(blobs, config.digest.slice('sha256:'.length))),
      `config ${config.digest}`,
    )
    if (isRecord(configDoc) && typeof configDoc.architecture === 'string') {
      platform = {
        os: typeof configDoc.os === 'string' ? configDoc.os : 'linux',
        architecture: configDoc.architecture,
      }
      if (typeof configDoc.variant === 'string') platform.variant = configDoc.variant
    }
  }
  const entry: Record<string, unknown> = {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.bytes.length,
    annotations: { 'org.opencontainers.image.ref.name': descriptor.refName },
  }
  if (platform !== undefined) entry['platform'] = platform
  await writeFile(join(dir, 'oci-layout'), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`, {
    flag: 'wx',
  })
  await writeFile(
    join(dir, 'index.json'),
    `${JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [entry] })}\n`,
    { flag: 'wx' },
  )
  return platform
}

/**
 * Pulls `input` (`registry:HOST/REPO:TAG` or `…@sha256:…`): the manifest or index, then for each platform
 * the request picks, its manifest, config and layers into a layout of its own under `tempDir`.
 */
export async function pullRegistryImage(input: string, options: RegistryPullOptions): Promise<PulledImages> {
  const reference = parseRegistryReference(input.trim().slice(REGISTRY_PREFIX.length))
  const credentials = await findCredentials(reference.registry, {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    env: options.env,
    run: options.run,
  })
  const client = new RegistryClient({
    reference,
    insecureRegistries: options.insecureRegistries,
    logger: options.logger,
    ...(credentials !== undefined ? { credentials } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
  })
  const name = repositoryReference(reference)
  options.logger.info(
    `pulling ${name}${reference.digest ? `@${reference.digest}` : `:${reference.tag ?? ''}`} from its registry` +
      (credentials ? ` (credentials from ${credentials.source})` : ' (anonymously)'),
  )
  const top = await client.manifest(reference.ref)
  const refName = reference.tag !== undefined ? `${name}:${reference.tag}` : `${name}@${top.digest}`
  const description = `${name}@${top.digest}`

  let chosen: { manifest: FetchedManifest; platform?: ImagePlatform }[]
  if (INDEX_TYPES.includes(top.mediaType)) {
    const doc = parseJsonDocument(top.bytes, `index ${top.digest}`)
    if (!isRecord(doc) || !Array.isArray(doc.manifests))
      throw new ImageError(`index ${top.digest} has no manifests array`)
    const entries = doc.manifests
      .map((m: unknown, i) => parseDescriptor(m, `index ${top.digest}.manifests[${i}]`))
      .filter((d) => !isAttestation(d) && (d.mediaType === undefined || MANIFEST_TYPES.includes(d.mediaType)))
      .flatMap((d) => {
        const platform = platformOf(d)
        return platform === undefined ? [] : [{ descriptor: d, platform }]
      })
    const picked = selectPlatforms(entries, options.platforms, { runner: runnerPlatform(), description })
    chosen = []
    for (const { descriptor, platform } of picked) {
      if (descriptor.size > MAX_MANIFEST_BYTES)
        throw new ImageError(`${description}: manifest ${descriptor.digest} is too large`)
      chosen.push({ manifest: await client.manifest(descriptor.digest), platform })
    }
  } else if (MANIFEST_TYPES.includes(top.mediaType)) {
    chosen = [{ manifest: top }]
  } else {
    throw new ImageError(`${description} is a ${top.mediaType}, not an image manifest or index`)
  }

  await mkdir(options.tempDir, { recursive: true })
  const root = await mkdtemp(join(options.tempDir, 'registry-'))
  const cleanup = (): Promise<void> => rm(root, { recursive: true, force: true })
  try {
    const shared = new Map<string, string>()
    const images: PulledImage[] = []
    for (const [i, { manifest, platform }] of chosen.entries()) {
      const dir = join(root, `image-${i + 1}`)
      const actual = await writeLayout(
        client,
        dir,
        manifest,
        { refName, ...(platform !== undefined ? { platform } : {}) },
        shared,
        options.logger,
      )
      if (platform === undefined && options.platforms.kind === 'list') {
        // A single-platform image: it must be the platform asked for.
        selectPlatforms(actual ? [{ platform: actual }] : [], options.platforms, {
          runner: runnerPlatform(),
          description,
        })
      }
      const source: ImageSource = {
        input: input.trim(),
        kind: 'oci-dir',
        path: dir,
        registryDigest: `${name}@${top.digest}`,
      }
      images.push(actual !== undefined ? { source, platform: actual } : { source })
      options.logger.info(`pulled ${description}${actual ? ` (${platformText(actual)})` : ''} to ${dir}`)
    }
    return { images, cleanup }
  } catch (error) {
    await cleanup()
    throw error
  }
}
