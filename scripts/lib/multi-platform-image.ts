/**
 * Multi-platform OCI layouts as `docker buildx … --output type=oci` writes them: index.json points at an
 * image index whose manifests are one image per platform plus (optionally) attestation manifests with
 * platform `unknown/unknown`.
 */
import {
  MEDIA_TYPES,
  buildImage,
  canonicalJson,
  ociLayoutFiles,
  sha256,
  writeDirectory,
  writeTarFile,
  type BuiltImage,
  type ImageSpec,
} from './image-builder.js'

export interface PlatformImage {
  os?: string
  architecture: string
  variant?: string
  spec: ImageSpec
}

export interface MultiPlatformOptions {
  format: 'oci-dir' | 'oci-archive'
  out: string
  gzipLayers?: boolean
  /** Add an in-toto attestation manifest per platform, listed before the images. */
  attestations?: boolean
  /** true (default): index.json → image index → manifests; false: index.json lists the manifests (no ref name). */
  nested?: boolean
  repoTag?: string
}

export interface MultiPlatformImage {
  images: BuiltImage[]
  indexDigest?: string
}

function attestation(image: BuiltImage): { manifest: Buffer; blobs: [string, Buffer][] } {
  const config = Buffer.from(
    canonicalJson({ architecture: 'unknown', os: 'unknown', rootfs: { type: 'layers', diff_ids: [] } }),
  )
  // Not a tar: a reader that picked the attestation instead of the image would fail loudly.
  const statement = Buffer.from(canonicalJson({ _type: 'https://in-toto.io/Statement/v0.1', subject: [] }))
  const manifest = Buffer.from(
    canonicalJson({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: sha256(config), size: config.length },
      layers: [
        { mediaType: 'application/vnd.in-toto+json', digest: sha256(statement), size: statement.length },
      ],
      annotations: { 'vnd.docker.reference.digest': image.manifestDigest },
    }),
  )
  return {
    manifest,
    blobs: [
      [sha256(config), config],
      [sha256(statement), statement],
    ],
  }
}

export async function writeMultiPlatformImage(
  platforms: readonly PlatformImage[],
  options: MultiPlatformOptions,
): Promise<MultiPlatformImage> {
  const blobs = new Map<string, Buffer>()
  const images: BuiltImage[] = []
  const imageDescriptors: unknown[] = []
  const attestationDescriptors: unknown[] = []
  for (const platform of platforms) {
    const spec: ImageSpec = {
      ...platform.spec,
      os: platform.os ?? 'linux',
      architecture: platform.architecture,
    }
    if (platform.variant !== undefined) spec.variant = platform.variant
    const image = await buildImage(spec, { gzipLayers: options.gzipLayers ?? false })
    images.push(image)
    blobs.set(image.configDigest, image.config)
    for (const layer of image.layers) blobs.set(layer.digest, layer.blob)
    blobs.set(image.manifestDigest, image.manifest)
    imageDescriptors.push({
      mediaType: MEDIA_TYPES.manifest,
      digest: image.manifestDigest,
      size: image.manifest.length,
      platform: {
        os: platform.os ?? 'linux',
        architecture: platform.architecture,
        ...(platform.variant !== undefined ? { variant: platform.variant } : {}),
      },
    })
    if (options.attestations === true) {
      const att = attestation(image)
      for (const [digest, bytes] of att.blobs) blobs.set(digest, bytes)
      blobs.set(sha256(att.manifest), att.manifest)
      attestationDescriptors.push({
        mediaType: MEDIA_TYPES.manifest,
        digest: sha256(att.manifest),
        size: att.manifest.length,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.digest': image.manifestDigest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
      })
    }
  }
  const manifests = [...attestationDescriptors, ...imageDescriptors]
  const refAnnotations =
    options.repoTag !== undefined
      ? { annotations: { 'org.opencontainers.image.ref.name': options.repoTag } }
      : {}
  let topIndex: unknown
  let indexDigest: string | undefined
  if (options.nested === false) {
    topIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests }
  } else {
    const nested = Buffer.from(canonicalJson({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests }))
    indexDigest = sha256(nested)
    blobs.set(indexDigest, nested)
    topIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [
        { mediaType: MEDIA_TYPES.index, digest: indexDigest, size: nested.length, ...refAnnotations },
      ],
    }
  }
  const files = ociLayoutFiles(blobs, topIndex)
  if (options.format === 'oci-dir') await writeDirectory(options.out, files)
  else await writeTarFile(options.out, files)
  return indexDigest !== undefined ? { images, indexDigest } : { images }
}
