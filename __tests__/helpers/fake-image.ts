/**
 * An in-memory `OpenedImage` for tests: metadata from plain objects, layers from arrays of entries. It
 * honours `wantContent`/`maxContentBytes` like the real reader and counts walks per layer, so tests can
 * assert that a scanner makes one pass. Also a small reference collector of the final filesystem (overlay
 * replacement and whiteouts) for tests that must not depend on the real one.
 */
import type {
  FinalFile,
  HistoryEntry,
  ImageRuntimeConfig,
  LayerEntry,
  LayerEntryHeader,
  LayerEntryType,
  OpenedImage,
  WalkLayerOptions,
} from '../../src/target/image-types.js'

export interface FakeEntry {
  /** Relative or absolute (`/etc/passwd`); stored normalised (no leading `/`). */
  path: string
  type?: LayerEntryType
  mode?: number
  uid?: number
  gid?: number
  content?: string | Buffer
  linkTarget?: string
  whiteout?: 'file' | 'opaque'
}

export interface FakeLayer {
  /** The history line of the layer (a non-empty history entry is made for it unless `history` is given). */
  createdBy?: string
  entries?: FakeEntry[]
}

export interface FakeImageSpec {
  config?: Partial<ImageRuntimeConfig>
  /** Full history; strings are layer-less (`emptyLayer: true`) unless they are a layer's `createdBy`. */
  history?: HistoryEntry[]
  layers?: FakeLayer[]
  repoTags?: string[]
}

export interface FakeImage extends OpenedImage {
  /** How many times each layer was walked. */
  readonly walks: number[]
  closed: boolean
}

const DEFAULT_CONFIG: ImageRuntimeConfig = { exposedPorts: [], env: [], labels: {} }

function fakeDiffId(index: number): string {
  return `sha256:${index.toString(16).padStart(64, '0')}`
}

function toEntry(spec: FakeEntry, options: WalkLayerOptions | undefined): LayerEntry {
  const content =
    spec.content === undefined
      ? undefined
      : Buffer.isBuffer(spec.content)
        ? spec.content
        : Buffer.from(spec.content)
  const header: LayerEntryHeader = {
    path: spec.path.replace(/^\/+/, ''),
    type: spec.type ?? 'file',
    mode: spec.mode ?? (spec.type === 'directory' ? 0o755 : 0o644),
    uid: spec.uid ?? 0,
    gid: spec.gid ?? 0,
    size: content?.length ?? 0,
    ...(spec.linkTarget !== undefined ? { linkTarget: spec.linkTarget } : {}),
    ...(spec.whiteout !== undefined ? { whiteout: spec.whiteout } : {}),
  }
  if (header.type !== 'file' || content === undefined || options === undefined) return header
  const max = options.maxContentBytes ?? 64 * 1024
  // Like the real reader: a small file not asked for is kept when `sniffContent` accepts its first bytes.
  if (options.wantContent?.(header) !== true) {
    const sniffed =
      content.length > 0 && content.length <= max && options.sniffContent?.(header, content) === true
    return sniffed ? { ...header, sniffed: true, content } : header
  }
  return content.length > max
    ? { ...header, content: content.subarray(0, max), contentTruncated: true }
    : { ...header, content }
}

export function fakeImage(spec: FakeImageSpec = {}): FakeImage {
  const layers = spec.layers ?? []
  const history: HistoryEntry[] =
    spec.history ??
    layers.map((layer, index) => ({ createdBy: layer.createdBy ?? `RUN layer ${index}`, emptyLayer: false }))
  const walks = layers.map(() => 0)
  const image: FakeImage = {
    source: { input: 'app:test', kind: 'docker-archive', path: '/tmp/app.tar' },
    repoTags: spec.repoTags ?? ['app:test'],
    imageId: `sha256:${'f'.repeat(64)}`,
    os: 'linux',
    architecture: 'amd64',
    config: { ...DEFAULT_CONFIG, ...spec.config },
    history,
    layers: layers.map((layer, index) => ({
      index,
      diffId: fakeDiffId(index),
      ...(layer.createdBy !== undefined ? { createdBy: layer.createdBy } : {}),
    })),
    walks,
    closed: false,
    walkLayer(index: number, options?: WalkLayerOptions): AsyncIterable<LayerEntry> {
      const layer = layers[index]
      if (layer === undefined) throw new Error(`fake image has no layer ${index}`)
      walks[index] = (walks[index] ?? 0) + 1
      const entries = layer.entries ?? []
      return (async function* () {
        for (const entry of entries) yield toEntry(entry, options)
      })()
    },
    close() {
      image.closed = true
      return Promise.resolve()
    },
  }
  return image
}

/**
 * Reference final-filesystem collector (overlay semantics, simple and slow): a later entry replaces the
 * path, a `file` whiteout removes the path and everything under it, an `opaque` one everything under it
 * from lower layers.
 */
export async function fakeCollectFinalFiles(
  image: OpenedImage,
  options: {
    select: (header: LayerEntryHeader) => boolean
    wantContent?: (header: LayerEntryHeader) => boolean
    maxContentBytes?: number
    sniffContent?: (header: LayerEntryHeader, head: Buffer) => boolean
  },
): Promise<Map<string, FinalFile>> {
  const files = new Map<string, FinalFile>()
  const removeBelow = (dir: string): void => {
    for (const path of [...files.keys()]) if (path.startsWith(`${dir}/`)) files.delete(path)
  }
  for (const layer of image.layers) {
    const walkOptions: WalkLayerOptions = {
      wantContent: (h) => options.select(h) && (options.wantContent?.(h) ?? false),
      ...(options.maxContentBytes !== undefined ? { maxContentBytes: options.maxContentBytes } : {}),
      ...(options.sniffContent !== undefined ? { sniffContent: options.sniffContent } : {}),
    }
    const upper = new Map<string, FinalFile | null>()
    for await (const entry of image.walkLayer(layer.index, walkOptions)) {
      if (entry.whiteout === 'file') {
        files.delete(entry.path)
        removeBelow(entry.path)
      } else if (entry.whiteout === 'opaque') {
        removeBelow(entry.path)
      } else {
        files.delete(entry.path)
        if (entry.type !== 'directory') removeBelow(entry.path)
        upper.set(entry.path, options.select(entry) ? { entry, layerIndex: layer.index } : null)
      }
    }
    for (const [path, file] of upper) if (file !== null) files.set(path, file)
  }
  return files
}
