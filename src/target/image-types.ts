/**
 * What the image reader gives the rest of the pipeline: where an image is, its metadata, and its layers
 * as streams of entries. Types only.
 */

export type ImageSourceKind = 'docker-archive' | 'oci-dir' | 'oci-archive' | 'daemon'

/** Where an image is. A daemon image is exported once to a docker-archive before it is read. */
export interface ImageSource {
  /** The image as the user named it (`app:ci`, `./image.tar`, `oci:build/oci`). */
  input: string
  kind: ImageSourceKind
  /** Absolute path of the archive or OCI directory (for `daemon`, of the exported archive once saved). */
  path: string
  /** The Docker reference, for daemon images (`app:ci`). */
  reference?: string
  /**
   * The platform picked (`linux/arm64`) from a layout or archive that holds several images: a scanner that
   * reads the layout itself would pick its own, so it gets a copy holding this image alone (image-forms.ts).
   */
  selectedImage?: string
  /** `HOST/REPO@sha256:…` of what was pulled, for images pulled from a registry (`registry:` inputs). */
  registryDigest?: string
}

export interface ImageHealthcheck {
  /** `["CMD-SHELL", "curl -f http://localhost/"]`, `["NONE"]` when disabled. */
  test: string[]
  interval?: number
  timeout?: number
  retries?: number
}

/** The runtime config of the image (the `config` object of the image config JSON). */
export interface ImageRuntimeConfig {
  user?: string
  /** As in the config: `"8080/tcp"`, `"53/udp"`. */
  exposedPorts: string[]
  /** `NAME=value` strings. */
  env: string[]
  healthcheck?: ImageHealthcheck
  labels: Record<string, string>
  workingDir?: string
  cmd?: string[]
  entrypoint?: string[]
}

export interface HistoryEntry {
  createdBy: string
  created?: string
  comment?: string
  /** True for instructions that made no layer (ENV, USER, EXPOSE, ...). */
  emptyLayer: boolean
}

export interface LayerInfo {
  /** Position in the image, 0 = base. */
  index: number
  /** `sha256:…` of the uncompressed tar. */
  diffId: string
  /** Digest of the blob as stored (compressed or not), when the layout names it. */
  digest?: string
  mediaType?: string
  /** The `created_by` of the history entry that made this layer, when history lines up with layers. */
  createdBy?: string
}

export interface ImageMetadata {
  source: ImageSource
  /** `RepoTags` from a docker-archive manifest, or `org.opencontainers.image.ref.name` style names. */
  repoTags: string[]
  /** The `sha256:…` digest of the image config (the image ID). */
  imageId: string
  os?: string
  architecture?: string
  config: ImageRuntimeConfig
  history: HistoryEntry[]
  layers: LayerInfo[]
  /** The image manifest's annotations, when the image came with its manifest (OCI layouts). */
  annotations?: Record<string, string>
}

export type LayerEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

/** One tar entry of a layer, as read. Paths are normalised: relative, `/`-separated, no `.`/`..`. */
export interface LayerEntryHeader {
  path: string
  type: LayerEntryType
  /** Permission bits including setuid (0o4000) and setgid (0o2000). */
  mode: number
  uid: number
  gid: number
  /** Size the header claims. */
  size: number
  /** Target of a symlink or hard link, as written in the archive (never followed on the host). */
  linkTarget?: string
  /**
   * A whiteout: `file` deletes `path` (and everything under it) from the layers below; `opaque` hides
   * everything below the directory `path` that came from lower layers.
   */
  whiteout?: 'file' | 'opaque'
  /** Set by the reader when `WalkLayerOptions.sniffContent` accepted the first bytes of this regular file. */
  sniffed?: boolean
}

export interface LayerEntry extends LayerEntryHeader {
  /** The first bytes of a regular file's content, when asked for (see `WalkLayerOptions`). */
  content?: Buffer
  /** True when `content` holds less than the whole file. */
  contentTruncated?: boolean
}

export interface WalkLayerOptions {
  /** Return true to receive (the start of) this entry's content. Called for regular files only. */
  wantContent?: (header: LayerEntryHeader) => boolean
  /** At most this many bytes of content are kept per entry. Default 64 KiB. */
  maxContentBytes?: number
  /**
   * For regular files not asked for by `wantContent` and no larger than `maxContentBytes`: return true on
   * the first chunk of content (at least its first bytes) to keep the content and mark the entry `sniffed`.
   */
  sniffContent?: (header: LayerEntryHeader, head: Buffer) => boolean
}

/** A readable image. Layers are streamed on demand; nothing is extracted to disk. */
export interface OpenedImage extends ImageMetadata {
  /** Streams the entries of layer `index` in archive order. Throws `ImageError` on a corrupt layer. */
  walkLayer(index: number, options?: WalkLayerOptions): AsyncIterable<LayerEntry>
  /** Releases file handles and temporary files. */
  close(): Promise<void>
}

/** A file of the final filesystem (after every layer and whiteout), and the layer that last wrote it. */
export interface FinalFile {
  entry: LayerEntry
  layerIndex: number
}

/**
 * A tracked file that a later entry removed from the final filesystem (a whiteout, or a replacement in a
 * later layer or later in the same layer): its bytes still ship in the layer that added it.
 */
export interface RemovedFile extends FinalFile {
  /** The layer whose whiteout or entry removed it (equal to `layerIndex`: overwritten in the same layer). */
  removedInLayer: number
}
