import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { ArchiveIndex } from '../../src/target/archive-index.js'
import {
  canonicalJson,
  sha256,
  writeImage,
  type ImageFormat,
  type ImageSpec,
} from '../../scripts/lib/image-builder.js'

const SPEC: ImageSpec = {
  config: { Labels: { z: '1', a: '2' }, ExposedPorts: ['9000/tcp', '80/tcp'] },
  steps: [
    {
      createdBy: 'ADD a /',
      entries: [
        { path: 'a', content: 'x' },
        { path: 'bin/su', content: 'y', mode: 0o4755 },
      ],
    },
    { createdBy: 'ENV A=1' },
  ],
}

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csg-builder-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

async function digestOfOutput(path: string, format: ImageFormat): Promise<string> {
  const hash = createHash('sha256')
  if (format === 'oci-dir') {
    for (const name of (await readdir(path, { recursive: true })).sort()) {
      hash.update(name)
      try {
        hash.update(await readFile(join(path, name)))
      } catch {
        // directories
      }
    }
  } else {
    hash.update(await readFile(path))
  }
  return hash.digest('hex')
}

describe('writeImage', () => {
  it.each<ImageFormat>(['docker-archive', 'docker-archive-oci', 'oci-dir', 'oci-archive'])(
    'writes byte-identical %s output for the same spec',
    async (format) => {
      const outputs: string[] = []
      for (const run of [1, 2]) {
        const out = join(root, `${format}-${run}${format === 'oci-dir' ? '' : '.tar'}`)
        await writeImage(SPEC, { format, out, gzipLayers: true, repoTag: 'app:1' })
        outputs.push(await digestOfOutput(out, format))
      }
      expect(outputs[0]).toBe(outputs[1])
    },
  )

  it('computes real diff ids and digests', async () => {
    const built = await writeImage(SPEC, { format: 'oci-dir', out: join(root, 'digests'), gzipLayers: true })
    const layer = built.layers[0]!
    expect(layer.digest).toBe(sha256(layer.blob))
    expect(layer.diffId).toBe(sha256(gunzipSync(layer.blob)))
    expect(built.configDigest).toBe(
      sha256(await readFile(join(root, 'digests', 'blobs', 'sha256', built.configDigest.slice(7)))),
    )
  })

  it('writes the files each docker save generation writes', async () => {
    await writeImage(SPEC, { format: 'docker-archive', out: join(root, 'legacy.tar'), repoTag: 'app:1' })
    await writeImage(SPEC, {
      format: 'docker-archive-oci',
      out: join(root, 'docker25.tar'),
      repoTag: 'app:1',
    })
    const legacy = [...(await ArchiveIndex.open(join(root, 'legacy.tar'))).entries.keys()]
    const docker25 = [...(await ArchiveIndex.open(join(root, 'docker25.tar'))).entries.keys()]
    expect(legacy).toEqual(expect.arrayContaining(['manifest.json', 'repositories']))
    expect(legacy.some((n) => /^[a-f0-9]{64}\/layer\.tar$/.test(n))).toBe(true)
    expect(legacy.some((n) => /^[a-f0-9]{64}\.json$/.test(n))).toBe(true)
    expect(docker25).toEqual(
      expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout', 'repositories']),
    )
    expect(docker25.filter((n) => n.startsWith('blobs/sha256/'))).toHaveLength(3)
  })

  it('sorts JSON keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    )
  })
})
