import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { openImage } from '../../src/target/image-reader.js'
import type { ImageSourceKind, LayerEntry } from '../../src/target/image-types.js'
import { ImageError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import {
  HOSTILE_ARCHIVE_KINDS,
  HOSTILE_OCI_KINDS,
  writeHostileDockerArchive,
  writeHostileOciDir,
  type HostileArchiveKind,
  type HostileOciKind,
} from '../../scripts/lib/hostile-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csg-hostile-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.map((e) => relative(dir, join(dir, e))).sort()
}

/** Opens the image and walks every layer; returns what went wrong. */
async function readEverything(kind: ImageSourceKind, path: string, tempDir: string): Promise<unknown> {
  try {
    const image = await openImage({ input: path, kind, path }, { tempDir, logger: new RecordingLogger() })
    try {
      for (const layer of image.layers) {
        for await (const _entry of image.walkLayer(layer.index, { wantContent: () => true })) {
          // reading is the test
        }
      }
    } finally {
      await image.close()
    }
    return undefined
  } catch (error) {
    return error
  }
}

const ARCHIVE_MESSAGES: Record<HostileArchiveKind, RegExp> = {
  'manifest-names-outside': /"\.\.\/outside\.tar" names a path outside the archive/,
  'manifest-names-absolute': /"\/etc\/passwd" names a path outside the archive/,
  'manifest-names-missing': /"nowhere\/layer\.tar" is not in the archive/,
  'manifest-not-json': /manifest\.json is not valid JSON/,
  'manifest-wrong-shape': /manifest\.json must be a non-empty JSON array/,
  'config-not-json': /image config is not valid JSON/,
  'config-missing-rootfs': /rootfs must be present/,
  'config-bad-env': /config\.Env must be an array of strings/,
  'layer-count-mismatch': /lists 2 layers but the config has 1 diff_ids/,
  'layer-not-a-tar': /layer 0 \(sha256:[a-f0-9]{64}\) is not a tar archive/,
  'layer-bad-gzip': /layer 0 \(sha256:[a-f0-9]{64}\) is corrupt or truncated/,
  'layer-truncated': /layer 0 \(sha256:[a-f0-9]{64}\) is corrupt or truncated/,
  'layer-symlink-escapes': /links to "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd", outside the archive/,
  'layer-symlink-absolute': /links to "\/etc\/passwd", outside the archive/,
  'layer-symlink-loop': /more than 16 levels of links/,
  'huge-claimed-size': /truncated: entry "layer0\/layer\.tar" claims 8589934592 bytes/,
  'truncated-archive': /is truncated/,
  'not-a-tar': /is not a tar archive/,
}

describe('hostile docker archives', () => {
  it.each(HOSTILE_ARCHIVE_KINDS.map((kind) => [kind]))('%s → ImageError, nothing written', async (kind) => {
    const dir = join(root, kind)
    const tempDir = join(dir, 'tmp')
    const path = join(dir, 'image.tar')
    await writeHostileDockerArchive(kind, path)
    await mkdir(tempDir)
    const before = await listTree(dir)
    const error = await readEverything('docker-archive', path, tempDir)
    expect(error).toBeInstanceOf(ImageError)
    expect((error as Error).message).toMatch(ARCHIVE_MESSAGES[kind])
    expect(await listTree(dir)).toEqual(before)
  })

  it.each(HOSTILE_ARCHIVE_KINDS.filter((k) => k !== 'not-a-tar').map((kind) => [kind]))(
    '%s gzip-compressed as a whole → ImageError, temp dir left empty',
    async (kind) => {
      const dir = join(root, `gz-${kind}`)
      const tempDir = join(dir, 'tmp')
      const plain = join(dir, 'image.tar')
      await writeHostileDockerArchive(kind, plain)
      const { createReadStream, createWriteStream } = await import('node:fs')
      const { pipeline } = await import('node:stream/promises')
      const { createGzip } = await import('node:zlib')
      await pipeline(createReadStream(plain), createGzip(), createWriteStream(`${plain}.gz`))
      const error = await readEverything('docker-archive', `${plain}.gz`, tempDir)
      expect(error).toBeInstanceOf(ImageError)
      expect(await readdir(tempDir)).toEqual([])
    },
  )
})

const OCI_MESSAGES: Record<HostileOciKind, RegExp> = {
  'blob-symlink-to-host': /is a symlink leading outside the layout directory/,
  'config-symlink-to-host': /is a symlink leading outside the layout directory/,
  'blobs-dir-symlink-outside': /is a symlink leading outside the layout directory/,
  'digest-path-traversal': /digest must be a sha256:\/sha512: digest/,
  'config-digest-mismatch': /config sha256:[a-f0-9]{64} does not match its content/,
  'missing-layer-blob': /is missing/,
  'layer-size-mismatch': /is \d+ bytes, the manifest says \d+/,
  'index-not-json': /index\.json is not valid JSON/,
  'index-no-manifests': /holds no image manifest/,
}

describe('hostile OCI layout directories', () => {
  it.each(HOSTILE_OCI_KINDS.map((kind) => [kind]))('%s → ImageError', async (kind) => {
    const dir = join(root, `oci-${kind}`)
    // A "host" file the hostile layout points at, with content the reader must never return.
    const hostFile = join(root, `host-secret-${kind}`)
    await writeFile(hostFile, 'HOST SECRET')
    await writeHostileOciDir(kind, dir, { hostFile })
    const error = await readEverything('oci-dir', dir, join(root, 'tmp'))
    expect(error).toBeInstanceOf(ImageError)
    expect((error as Error).message).toMatch(OCI_MESSAGES[kind])
    expect((error as Error).message).not.toContain('HOST SECRET')
  })

  it('refuses a blob symlinked to /etc/passwd', async () => {
    const dir = join(root, 'oci-etc-passwd')
    await writeHostileOciDir('blob-symlink-to-host', dir)
    const error = await readEverything('oci-dir', dir, join(root, 'tmp'))
    expect((error as Error).message).toMatch(/symlink leading outside/)
  })
})

describe('hostile entry names inside layers', () => {
  it('clamps them at the root instead of failing, and writes nothing', async () => {
    const dir = join(root, 'names')
    const path = join(dir, 'image.tar')
    await writeImage(
      {
        steps: [
          {
            createdBy: 'ADD evil.tar /',
            entries: [
              { path: 'x', rawName: '../../etc/cron.d/evil', content: '* * * * * root sh' },
              { path: 'x', rawName: '/abs/file', content: 'abs' },
              { path: 'x', rawName: '../.wh.passwd', content: '' },
            ],
          },
        ],
      },
      { format: 'docker-archive', out: path },
    )
    const before = await listTree(root)
    const image = await openImage(
      { input: path, kind: 'docker-archive', path },
      { tempDir: join(dir, 'tmp'), logger: new RecordingLogger() },
    )
    const entries: LayerEntry[] = []
    for await (const entry of image.walkLayer(0)) entries.push(entry)
    await image.close()
    expect(entries.map((e) => [e.path, e.whiteout])).toEqual([
      ['etc/cron.d/evil', undefined],
      ['abs/file', undefined],
      ['passwd', 'file'],
    ])
    expect(await listTree(root)).toEqual(before)
  })
})
