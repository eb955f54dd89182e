/**
 * Reads the package inventory of an image in one streamed pass over its layers (base → top), applying
 * overlay semantics (replacement, file and opaque whiteouts) as `target/filesystem.ts` does. Only the files
 * a reader selects are read, each up to that reader's size limit, and each is parsed as soon as its layer
 * has streamed it: memory holds parsed packages, never file contents.
 *
 * Layer attribution: a package database (dpkg status, apk installed) is rewritten by every layer that
 * installs anything, so "the layer that last wrote the file" would credit the top layer with the whole
 * distribution. A package keeps the layer of the earliest version of its file in which it already had the
 * same name, version and architecture, as long as the file was never removed in between.
 */
import type { LayerEntryHeader, OpenedImage } from '../target/image-types.js'
import { parentPath } from '../target/tar-path.js'
import { apkReader } from './apk.js'
import { dpkgReader } from './dpkg.js'
import { npmReader } from './npm.js'
import { OS_RELEASE_PATHS, parseOsRelease } from './os-release.js'
import type { Distro, ImageInventory, InventoryPackage } from './package.js'
import { purlOf } from './purl.js'
import { pythonReader } from './python.js'
import type { FoundPackage, PackageReader } from './reader.js'
import { rpmReaders } from './rpm.js'

export const PACKAGE_READERS: readonly PackageReader[] = [
  dpkgReader,
  apkReader,
  ...rpmReaders,
  npmReader,
  pythonReader,
]

/** os-release is a few hundred bytes; anything bigger is not one. */
const OS_RELEASE_MAX_BYTES = 64 * 1024

interface LayeredPackage {
  found: FoundPackage
  layerIndex: number
}

interface FileRecord {
  packages: LayeredPackage[]
  notes: string[]
  distro?: Distro
}

export interface ReadInventoryOptions {
  /** The image as the user named it. */
  target: string
  readers?: readonly PackageReader[]
}

function identity(found: FoundPackage): string {
  return `${found.type}\u0000${found.name}\u0000${found.version}\u0000${found.arch ?? ''}`
}

function readerFor(readers: readonly PackageReader[], path: string): PackageReader | undefined {
  return readers.find((r) => r.selects(path))
}

/** Files tracked across layers; counts tracked descendants per directory so whiteouts of untracked trees cost nothing. */
class TrackedFiles {
  readonly records = new Map<string, FileRecord>()
  private readonly descendants = new Map<string, number>()

  set(path: string, record: FileRecord): void {
    if (!this.records.has(path)) this.adjust(path, 1)
    this.records.set(path, record)
  }

  /** Removes `path` itself; what was removed goes to `removed` (for the attribution of a re-added file). */
  remove(path: string, removed: Map<string, FileRecord>): void {
    const record = this.records.get(path)
    if (record === undefined) return
    removed.set(path, record)
    this.records.delete(path)
    this.adjust(path, -1)
  }

  /** Removes everything strictly below directory `dir` (`''` = the root). */
  removeBelow(dir: string, removed: Map<string, FileRecord>): void {
    if (!this.descendants.has(dir)) return
    const prefix = dir === '' ? '' : `${dir}/`
    for (const path of [...this.records.keys()]) {
      if (path.startsWith(prefix) && path !== dir) this.remove(path, removed)
    }
  }

  private adjust(path: string, delta: number): void {
    for (let dir = parentPath(path); ; dir = parentPath(dir)) {
      const count = (this.descendants.get(dir) ?? 0) + delta
      if (count <= 0) this.descendants.delete(dir)
      else this.descendants.set(dir, count)
      if (dir === '') break
    }
  }
}

function readFile(
  reader: PackageReader,
  entry: { path: string; size: number; content?: Buffer },
  layerIndex: number,
): FileRecord {
  if (reader.maxBytes === 0 || entry.content === undefined) {
    const note =
      reader.maxBytes === 0
        ? (reader.read(entry.path, Buffer.alloc(0)).notes[0] ?? `${entry.path}: not read`)
        : `${entry.path}: ${entry.size} bytes, over the ${reader.id} reader's limit of ${reader.maxBytes}; not read`
    return { packages: [], notes: [note] }
  }
  try {
    const result = reader.read(entry.path, entry.content)
    return { packages: result.packages.map((found) => ({ found, layerIndex })), notes: result.notes }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return {
      packages: [],
      notes: [`${entry.path}: could not be read by the ${reader.id} reader (${message})`],
    }
  }
}

/** Keeps the earlier layer of every package the previous version of the file already had. */
function inheritLayers(record: FileRecord, previous: FileRecord | undefined): FileRecord {
  if (previous === undefined) return record
  const earlier = new Map(previous.packages.map((p) => [identity(p.found), p.layerIndex]))
  return {
    ...record,
    packages: record.packages.map((p) => ({
      ...p,
      layerIndex: earlier.get(identity(p.found)) ?? p.layerIndex,
    })),
  }
}

export async function readInventory(
  image: OpenedImage,
  options: ReadInventoryOptions,
): Promise<ImageInventory> {
  const readers = options.readers ?? PACKAGE_READERS
  const isOsRelease = (path: string): boolean => (OS_RELEASE_PATHS as readonly string[]).includes(path)
  const tracked = new TrackedFiles()
  const maxContentBytes = Math.max(OS_RELEASE_MAX_BYTES, ...readers.map((r) => r.maxBytes))
  const wantContent = (header: LayerEntryHeader): boolean => {
    if (isOsRelease(header.path)) return header.size <= OS_RELEASE_MAX_BYTES
    const reader = readerFor(readers, header.path)
    return reader !== undefined && reader.maxBytes > 0 && header.size <= reader.maxBytes
  }

  for (const layer of image.layers) {
    // Whiteouts hide lower layers only: this layer's own files are kept apart until it ends.
    const upper = new Map<string, FileRecord>()
    const removed = new Map<string, FileRecord>()
    for await (const entry of image.walkLayer(layer.index, { wantContent, maxContentBytes })) {
      if (entry.whiteout !== undefined) {
        if (entry.whiteout === 'file') tracked.remove(entry.path, removed)
        tracked.removeBelow(entry.path, removed)
        continue
      }
      tracked.remove(entry.path, removed)
      if (entry.type !== 'directory') tracked.removeBelow(entry.path, removed)
      upper.delete(entry.path)
      if (entry.type !== 'file') continue
      if (isOsRelease(entry.path)) {
        const distro =
          entry.content !== undefined ? parseOsRelease(entry.content.toString('utf8')) : undefined
        upper.set(
          entry.path,
          distro !== undefined ? { packages: [], notes: [], distro } : { packages: [], notes: [] },
        )
        continue
      }
      const reader = readerFor(readers, entry.path)
      if (reader !== undefined) upper.set(entry.path, readFile(reader, entry, layer.index))
    }
    for (const [path, record] of upper) {
      tracked.set(path, inheritLayers(record, removed.get(path)))
    }
  }
  return buildInventory(image, tracked.records, options.target)
}

function buildInventory(
  image: OpenedImage,
  records: ReadonlyMap<string, FileRecord>,
  target: string,
): ImageInventory {
  const distro = OS_RELEASE_PATHS.map((p) => records.get(p)?.distro).find((d) => d !== undefined)
  const packages: InventoryPackage[] = []
  const notes: string[] = []
  const seen = new Set<string>()
  for (const [path, record] of [...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    notes.push(...record.notes)
    for (const { found, layerIndex } of record.packages) {
      const purl = purlOf(found, distro)
      // The same package installed twice at one path cannot happen; at two paths (two node_modules) it is
      // listed once per path, which is what an SBOM of the filesystem should say.
      const key = `${purl}\u0000${path}`
      if (seen.has(key)) continue
      seen.add(key)
      const pkg: InventoryPackage = {
        name: found.name,
        version: found.version,
        type: found.type,
        purl,
        licenses: found.licenses,
        layer: { index: layerIndex, diffId: image.layers[layerIndex]?.diffId ?? '' },
        path,
      }
      if (found.arch !== undefined) pkg.arch = found.arch
      packages.push(pkg)
    }
  }
  packages.sort(comparePackages)
  const packagesPerLayer = image.layers.map(() => 0)
  for (const pkg of packages) packagesPerLayer[pkg.layer.index] = (packagesPerLayer[pkg.layer.index] ?? 0) + 1
  const inventory: ImageInventory = { target, packages, packagesPerLayer, notes }
  if (distro !== undefined) inventory.distro = distro
  return inventory
}

function comparePackages(a: InventoryPackage, b: InventoryPackage): number {
  return (
    compareText(a.type, b.type) ||
    compareText(a.name, b.name) ||
    compareText(a.version, b.version) ||
    compareText(a.path, b.path)
  )
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
