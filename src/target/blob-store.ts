/**
 * Read access to the files of an OCI image layout, whether it is a directory or a tar (OCI archive). The
 * directory form refuses anything that resolves outside the layout directory (symlinked blobs or
 * `blobs/` itself pointing at the host) and anything that is not a regular file.
 */
import { lstat, open, realpath, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { ImageError, errorMessage } from '../util/errors.js'
import type { ArchiveIndex } from './archive-index.js'
import type { LayerBlob } from './layer-stream.js'
import { normaliseArchivePath } from './tar-path.js'

export interface BlobStore {
  /** The directory or archive path, for messages. */
  readonly description: string
  /** True when `name` (`oci-layout`, `blobs/sha256/…`) exists as a readable file. */
  exists(name: string): Promise<boolean>
  /** Where the bytes of file `name` are. */
  locate(name: string): Promise<LayerBlob>
  /** Reads file `name` whole; more than `maxBytes` is an `ImageError`. */
  readFile(name: string, maxBytes: number): Promise<Buffer>
}

async function readRange(blob: LayerBlob, maxBytes: number, name: string): Promise<Buffer> {
  if (blob.size > maxBytes) {
    throw new ImageError(
      `${blob.description ?? blob.path}: "${name}" is ${blob.size} bytes, more than ${maxBytes}`,
    )
  }
  const handle = await open(blob.path, 'r')
  try {
    const buffer = Buffer.alloc(blob.size)
    const { bytesRead } = await handle.read(buffer, 0, blob.size, blob.offset)
    if (bytesRead !== blob.size) throw new ImageError(`${blob.description ?? blob.path} is truncated`)
    return buffer
  } finally {
    await handle.close()
  }
}

export class DirectoryBlobStore implements BlobStore {
  private constructor(
    readonly description: string,
    private readonly realRoot: string,
  ) {}

  static async open(directory: string): Promise<DirectoryBlobStore> {
    try {
      const realRoot = await realpath(directory)
      if (!(await stat(realRoot)).isDirectory()) throw new ImageError(`${directory} is not a directory`)
      return new DirectoryBlobStore(directory, realRoot)
    } catch (error) {
      if (error instanceof ImageError) throw error
      throw new ImageError(`cannot open OCI layout directory ${directory}: ${errorMessage(error)}`, {
        cause: error,
      })
    }
  }

  /** The real path and size of `name`, checked to be a regular file inside the layout directory. */
  private async realFile(name: string): Promise<{ real: string; size: number }> {
    const relative = normaliseArchivePath(name)
    if (relative === undefined) throw new ImageError(`${this.description}: "${name}" is outside the layout`)
    const candidate = join(this.realRoot, relative)
    let real: string
    try {
      await lstat(candidate)
      real = await realpath(candidate)
    } catch (error) {
      throw new ImageError(`${this.description}: "${relative}" is missing (${errorMessage(error)})`, {
        cause: error,
      })
    }
    const rootPrefix = this.realRoot.endsWith(sep) ? this.realRoot : this.realRoot + sep
    if (!real.startsWith(rootPrefix)) {
      throw new ImageError(
        `${this.description}: "${relative}" is a symlink leading outside the layout directory`,
      )
    }
    const info = await stat(real).catch((error: unknown) => {
      throw new ImageError(`${this.description}: "${relative}" cannot be read (${errorMessage(error)})`)
    })
    if (!info.isFile()) throw new ImageError(`${this.description}: "${relative}" is not a regular file`)
    return { real, size: info.size }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.realFile(name)
      return true
    } catch {
      return false
    }
  }

  async locate(name: string): Promise<LayerBlob> {
    const { real, size } = await this.realFile(name)
    return { path: real, offset: 0, size, description: `${this.description}/${name}` }
  }

  async readFile(name: string, maxBytes: number): Promise<Buffer> {
    return readRange(await this.locate(name), maxBytes, name)
  }
}

export class ArchiveBlobStore implements BlobStore {
  readonly description: string
  constructor(private readonly archive: ArchiveIndex) {
    this.description = archive.path
  }

  exists(name: string): Promise<boolean> {
    try {
      this.archive.resolve(name)
      return Promise.resolve(true)
    } catch {
      return Promise.resolve(false)
    }
  }

  locate(name: string): Promise<LayerBlob> {
    try {
      return Promise.resolve(this.archive.locate(name))
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)))
    }
  }

  readFile(name: string, maxBytes: number): Promise<Buffer> {
    return this.archive.readFile(name, maxBytes)
  }
}
