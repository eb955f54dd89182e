import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type BuiltImage } from '../../scripts/lib/image-builder.js'
import { imageSourceIn } from '../../src/target/image-forms.js'
import { imageInternals, openImage } from '../../src/target/image-reader.js'
import type { ImageSource, OpenedImage } from '../../src/target/image-types.js'
import { writeDockerArchive } from '../../src/target/write-image.js'
import { ImageError } from '../../src/util/errors.js'
import { silentLogger } from '../../src/util/logger.js'
import { RecordingLogger } from '../helpers/recording-logger.js'

let dir: string
let built: BuiltImage
const sources: Record<string, ImageSource> = {}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csg-forms-'))
  for (const [kind, out] of [
    ['oci-archive', join(dir, 'app-oci.tar')],
    ['oci-dir', join(dir, 'app-oci')],
    ['docker-archive', join(dir, 'app.tar')],
  ] as const) {
    built = await writeImage(plantedImage(), { format: kind, out, repoTag: 'acme/app:1.0', gzipLayers: true })
    sources[kind] = { input: out, kind, path: out }
  }
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function opened(kind: string, tempDir: string): Promise<OpenedImage> {
  return openImage(sources[kind]!, { tempDir, logger: silentLogger })
}

describe('imageSourceIn', () => {
  it.each([
    ['oci-archive', 'docker-archive'],
    ['oci-archive', 'oci-dir'],
    ['oci-dir', 'docker-archive'],
  ] as const)('%s written as a %s is the same image (config, diff IDs, tags)', async (from, to) => {
    const tempDir = join(dir, `temp-${from}-${to}`)
    const image = await opened(from, tempDir)
    const logger = new RecordingLogger()
    try {
      const [first, second] = await Promise.all([
        imageSourceIn({ image, source: image.source, logger }, [to]),
        imageSourceIn({ image, source: image.source, logger }, [to]),
      ])
      expect(first).toBe(second)
      expect(first.kind).toBe(to)
      expect(logger.lines.filter((l) => /wrote .* as a/.test(l.message))).toHaveLength(1)
      const copy = await openImage(first, { tempDir, logger: silentLogger })
      try {
        expect(copy.imageId).toBe(built.configDigest)
        expect(copy.layers.map((l) => l.diffId)).toEqual(built.layers.map((l) => l.diffId))
        expect(copy.repoTags).toEqual(['acme/app:1.0'])
        expect(copy.config).toEqual(image.config)
      } finally {
        await copy.close()
      }
    } finally {
      await image.close()
    }
    expect(await readdir(tempDir)).toEqual([])
  })

  it('hands over the image as it is when it already has an accepted form', async () => {
    const image = await opened('docker-archive', join(dir, 'temp-same'))
    try {
      expect(
        await imageSourceIn({ image, source: image.source, logger: silentLogger }, ['docker-archive']),
      ).toBe(image.source)
    } finally {
      await image.close()
    }
  })

  it('stops at its byte budget with an ImageError and leaves no partial archive', async () => {
    const image = await opened('oci-dir', join(dir, 'temp-budget'))
    try {
      const out = join(dir, 'budget.tar')
      const internals = imageInternals(image)!
      const error = await writeDockerArchive(out, {
        layout: internals.layout,
        diffIds: image.layers.map((l) => l.diffId),
        maxBytes: 1024,
      }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ImageError)
      expect((error as Error).message).toMatch(/more than 1024 bytes of disk/)
      expect(existsSync(out)).toBe(false)
    } finally {
      await image.close()
    }
  })
})
