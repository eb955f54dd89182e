import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as zlib from 'node:zlib'
import { gzipSync } from 'node:zlib'
import type { LayerEntry, WalkLayerOptions } from '../../src/target/image-types.js'
import { detectCompression, streamLayer, type LayerBlob } from '../../src/target/layer-stream.js'
import { ImageError } from '../../src/util/errors.js'
import { buildLayerTar, type FileSpec } from '../../scripts/lib/image-builder.js'
import { rawTar } from '../../scripts/lib/tar-writer.js'

const DIFF_ID = `sha256:${'d'.repeat(64)}`
let dir: string
let counter = 0
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csg-layer-stream-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function blobOf(bytes: Buffer, prefix = Buffer.alloc(0)): Promise<LayerBlob> {
  const path = join(dir, `layer${++counter}`)
  // A prefix and a trailer around the blob check that only its byte range is read.
  await writeFile(path, Buffer.concat([prefix, bytes, Buffer.from('TRAILER')]))
  return { path, offset: prefix.length, size: bytes.length }
}

async function collect(blob: LayerBlob, options: WalkLayerOptions = {}): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = []
  for await (const entry of streamLayer(blob, { ...options, index: 2, diffId: DIFF_ID })) entries.push(entry)
  return entries
}

async function entriesOf(
  files: FileSpec[],
  options: WalkLayerOptions = {},
  gzip = false,
): Promise<LayerEntry[]> {
  const tar = await buildLayerTar(files)
  return collect(await blobOf(gzip ? gzipSync(tar) : tar, Buffer.from('x'.repeat(700))), options)
}

describe('detectCompression', () => {
  it.each([
    [Buffer.from([0x1f, 0x8b, 8, 0]), 'gzip'],
    [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]), 'zstd'],
    [Buffer.alloc(512), 'tar'],
    [Buffer.from('plain text'), 'unknown'],
    [Buffer.alloc(0), 'unknown'],
  ])('%#: %s', (head, expected) => {
    expect(detectCompression(head)).toBe(expected)
  })

  it('recognises a real tar header', () => {
    expect(detectCompression(rawTar([{ name: 'a', body: 'x' }]).subarray(0, 512))).toBe('tar')
  })
})

describe('streamLayer', () => {
  it.each([false, true])('reads plain and gzip layers the same way (gzip: %s)', async (gzip) => {
    const entries = await entriesOf(
      [
        { path: 'etc', type: 'dir' },
        { path: 'etc/passwd', content: 'root:x:0:0\n', mode: 0o644 },
        { path: 'usr/bin/sudo', content: 'elf', mode: 0o4755, uid: 0, gid: 0 },
        { path: 'usr/bin/wall', content: 'elf', mode: 0o2755, gid: 5 },
        { path: 'bin/sh', type: 'symlink', linkTarget: '/bin/busybox' },
        { path: 'bin/ash', type: 'hardlink', linkTarget: 'bin/busybox' },
      ],
      {},
      gzip,
    )
    expect(entries).toEqual([
      { path: 'etc', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0 },
      { path: 'etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 11 },
      { path: 'usr/bin/sudo', type: 'file', mode: 0o4755, uid: 0, gid: 0, size: 3 },
      { path: 'usr/bin/wall', type: 'file', mode: 0o2755, uid: 0, gid: 5, size: 3 },
      { path: 'bin/sh', type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkTarget: '/bin/busybox' },
      { path: 'bin/ash', type: 'hardlink', mode: 0o644, uid: 0, gid: 0, size: 0, linkTarget: 'bin/busybox' },
    ])
  })

  it.each([
    ['./usr/bin/x', 'usr/bin/x'],
    ['/abs/file', 'abs/file'],
    ['../../etc/x', 'etc/x'],
    ['a/../../../b', 'b'],
    ['a/./b//c/', 'a/b/c'],
  ])('clamps hostile name %s to %s', async (rawName, expected) => {
    const entries = await entriesOf([{ path: 'ignored', rawName, content: 'x' }])
    expect(entries.map((e) => e.path)).toEqual([expected])
  })

  it('turns whiteouts into whiteout entries and drops the root and aufs bookkeeping', async () => {
    const entries = await entriesOf([
      { path: './', type: 'dir' },
      { path: 'etc/.wh.hello', content: '' },
      { path: '.wh.toplevel', content: '' },
      { path: 'var/cache/.wh..wh..opq', content: '' },
      { path: '.wh..wh..opq', content: '' },
      { path: '.wh..wh.plnk', type: 'dir' },
      { path: 'etc/.wh.', content: '' },
    ])
    expect(entries.map((e) => [e.path, e.whiteout])).toEqual([
      ['etc/hello', 'file'],
      ['toplevel', 'file'],
      ['var/cache', 'opaque'],
      ['', 'opaque'],
    ])
  })

  it('returns content only when asked, bounded by maxContentBytes', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61)
    const entries = await entriesOf(
      [
        { path: 'big.bin', content: big },
        { path: 'small.txt', content: 'secret=1' },
        { path: 'skipped.txt', content: 'not wanted' },
      ],
      { wantContent: (h) => h.path !== 'skipped.txt', maxContentBytes: 1000 },
    )
    const [bigEntry, small, skipped] = entries
    expect(bigEntry).toMatchObject({ path: 'big.bin', size: big.length, contentTruncated: true })
    expect(bigEntry?.content?.length).toBe(1000)
    expect(small).toMatchObject({ content: Buffer.from('secret=1'), contentTruncated: false })
    expect(skipped?.content).toBeUndefined()
  })

  it('defaults to 64 KiB of content', async () => {
    const [entry] = await entriesOf([{ path: 'f', content: Buffer.alloc(200_000, 1) }], {
      wantContent: () => true,
    })
    expect(entry?.content?.length).toBe(64 * 1024)
  })

  it('never asks for the content of non-files or whiteouts', async () => {
    const asked: string[] = []
    await entriesOf(
      [
        { path: 'd', type: 'dir' },
        { path: 'l', type: 'symlink', linkTarget: 'x' },
        { path: '.wh.gone', content: '' },
        { path: 'f', content: 'x' },
      ],
      { wantContent: (h) => (asked.push(h.path), true) },
    )
    expect(asked).toEqual(['f'])
  })

  it('stops cleanly when the consumer breaks early', async () => {
    const blob = await blobOf(
      await buildLayerTar([
        { path: 'a', content: 'x' },
        { path: 'b', content: 'y' },
      ]),
    )
    const seen: string[] = []
    for await (const entry of streamLayer(blob, { index: 0, diffId: DIFF_ID })) {
      seen.push(entry.path)
      break
    }
    expect(seen).toEqual(['a'])
  })

  const cases: [string, () => Promise<Buffer>, RegExp][] = [
    [
      'text',
      async () => Buffer.from('not a tar\n'.repeat(100)),
      /layer 2 \(sha256:d+\) is not a tar archive/,
    ],
    ['empty blob', async () => Buffer.alloc(0), /layer 2 .* is empty/],
    [
      'truncated tar',
      async () =>
        (await buildLayerTar([{ path: 'f', content: Buffer.alloc(100_000, 1) }])).subarray(0, 30_000),
      /layer 2 \(sha256:d+\) is corrupt or truncated/,
    ],
    [
      'truncated gzip',
      async () => {
        const gz = gzipSync(await buildLayerTar([{ path: 'f', content: Buffer.alloc(100_000, 7) }]))
        return gz.subarray(0, gz.length - 10)
      },
      /layer 2 .* is corrupt or truncated/,
    ],
    [
      'gzip of garbage',
      async () => gzipSync(Buffer.from('garbage that is no tar at all'.repeat(40))),
      /layer 2 .* is corrupt or truncated/,
    ],
    [
      'header claiming 8 GiB',
      async () => rawTar([{ name: 'huge', body: 'x'.repeat(2000), claimedSize: 8 * 1024 ** 3 }]),
      /layer 2 .* is corrupt or truncated/,
    ],
    [
      'layer with a lying entry in the middle',
      async () =>
        buildLayerTar([
          { path: 'ok', content: 'fine' },
          { path: 'liar', content: 'short', claimedSize: 1_000_000 },
        ]),
      /layer 2 .* is corrupt or truncated/,
    ],
  ]
  it.each(cases)('rejects a %s as ImageError naming the layer', async (_name, make, message) => {
    const promise = collect(await blobOf(await make()))
    await expect(promise).rejects.toBeInstanceOf(ImageError)
    await expect(promise).rejects.toThrow(message)
  })

  it('handles zstd by Node version', async () => {
    const factory = (zlib as { zstdCompressSync?: (b: Buffer) => Buffer }).zstdCompressSync
    const tar = await buildLayerTar([{ path: 'z', content: 'zstd' }])
    if (typeof factory === 'function') {
      const entries = await collect(await blobOf(factory(tar)))
      expect(entries.map((e) => e.path)).toEqual(['z'])
    } else {
      const zstdMagic = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(100)])
      await expect(collect(await blobOf(zstdMagic))).rejects.toThrow(/zstd layers need Node ≥ 22.15/)
    }
  })
})
