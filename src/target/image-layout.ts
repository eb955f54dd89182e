/**
 * What a layout reader (docker-archive, OCI directory, OCI archive) hands to the image reader: the raw
 * config JSON and where each layer blob is. Internal to `src/target/`.
 */
import type { LayerBlob } from './layer-stream.js'

export interface LayoutLayer {
  blob: LayerBlob
  /** Digest of the blob as stored, when the layout names it. */
  digest?: string
  mediaType?: string
}

export interface ImageLayout {
  /** For messages: the archive or directory path. */
  description: string
  configBytes: Buffer
  /** `sha256:…` of the config bytes (verified against the manifest for OCI layouts). */
  configDigest: string
  repoTags: string[]
  layers: LayoutLayer[]
  /** The image manifest's annotations (OCI layouts; `org.opencontainers.image.base.name`, …). */
  annotations?: Record<string, string>
}

/** Image JSON documents (manifests, configs, indexes) are kilobytes; anything huge is hostile. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024
