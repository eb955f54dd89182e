/** Layers written by GNU tar: the expansion cap (a decompression bomb) and content sniffing of small files. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LayerEntry } from '../../src/target/image-types.js'
import { streamLayer, type LayerBlob } from '../../src/target/layer-stream.js'
import { ImageError } from '../../src/util/errors.js'

const DIFF_ID = `sha256:${'a'.repeat(64)}`

describe('layer streaming bounds (GNU tar layers)', () => {
  let dir = ''
  const blobs: Record<string, LayerBlob> = {}
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-layer-bounds-'))
    const root = join(dir, 'root')
    await mkdir(join(root, 'app'), { recursive: true })
    await writeFile(join(root, 'app', 'zeros'), Buffer.alloc(8 * 1024 * 1024))
    await writeFile(join(root, 'app', 'deploy_key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n')
    await writeFile(join(root, 'app', 'notes'), 'just text\n')
    for (const name of ['layer.tar.gz']) {
      execFileSync('tar', ['-czf', join(dir, name), '-C', root, 'app'])
      blobs[name] = { path: join(dir, name), offset: 0, size: (await stat(join(dir, name))).size }
    }
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a layer that expands past its cap, naming the layer', async () => {
    const walk = async (): Promise<void> => {
      for await (const _entry of streamLayer(blobs['layer.tar.gz']!, {
        index: 1,
        diffId: DIFF_ID,
        maxExpandedBytes: 1024 * 1024,
      })) {
        // drain
      }
    }
    await expect(walk()).rejects.toThrow(ImageError)
    await expect(walk()).rejects.toThrow(
      `layer 1 (${DIFF_ID}) expands to more than 1048576 bytes (its blob is ${blobs['layer.tar.gz']!.size}): refused as a decompression bomb`,
    )
  })

  it('keeps the content of small files whose first bytes the sniffer accepts, and only those', async () => {
    const seen: string[] = []
    const entries: LayerEntry[] = []
    for await (const entry of streamLayer(blobs['layer.tar.gz']!, {
      index: 0,
      diffId: DIFF_ID,
      sniffContent: (header, head) => {
        seen.push(header.path)
        return head.subarray(0, 11).toString() === '-----BEGIN '
      },
    }))
      entries.push(entry)
    // The 8 MiB file is over the content bound: never offered to the sniffer.
    expect(seen.sort()).toEqual(['app/deploy_key', 'app/notes'])
    const key = entries.find((e) => e.path === 'app/deploy_key')
    expect(key?.sniffed).toBe(true)
    expect(key?.content?.toString()).toBe('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n')
    expect(entries.find((e) => e.path === 'app/notes')?.content).toBeUndefined()
  })
})
