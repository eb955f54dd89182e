import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openImage } from '../../src/target/image-reader.js'
import type { OpenedImage } from '../../src/target/image-types.js'
import { runnerArchitecture } from '../../src/target/oci-layout.js'
import { ImageError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { canonicalJson, writeImage, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { writeMultiPlatformImage, type PlatformImage } from '../../scripts/lib/multi-platform-image.js'

let root: string
let counter = 0
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csg-oci-layout-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function specFor(arch: string): ImageSpec {
  return { steps: [{ createdBy: `ADD ${arch} /`, entries: [{ path: 'arch.txt', content: arch }] }] }
}

const PLATFORMS: PlatformImage[] = [
  { architecture: 'amd64', spec: specFor('amd64') },
  { architecture: 'arm64', variant: 'v8', spec: specFor('arm64') },
  { architecture: 'arm', variant: 'v7', spec: specFor('arm/v7') },
]

async function archTxt(image: OpenedImage): Promise<string | undefined> {
  for await (const entry of image.walkLayer(0, { wantContent: () => true })) {
    if (entry.path === 'arch.txt') return entry.content?.toString()
  }
  return undefined
}

async function open(
  path: string,
  kind: 'oci-dir' | 'oci-archive',
  extra: { architecture?: string; reference?: string } = {},
) {
  const source =
    extra.reference === undefined
      ? { input: path, kind, path }
      : { input: path, kind, path, reference: extra.reference }
  const options = extra.architecture === undefined ? {} : { architecture: extra.architecture }
  return openImage(source, { tempDir: root, logger: new RecordingLogger(), ...options })
}

describe.each([
  ['oci-dir', true],
  ['oci-archive', true],
  ['oci-dir', false],
] as const)('multi-platform %s (nested index: %s)', (format, nested) => {
  let path: string
  beforeAll(async () => {
    path = join(root, `multi-${++counter}${format === 'oci-dir' ? '' : '.tar'}`)
    await writeMultiPlatformImage(PLATFORMS, {
      format,
      out: path,
      attestations: true,
      nested,
      gzipLayers: true,
    })
  })

  it.each([
    ['amd64', 'amd64'],
    ['arm64', 'arm64'],
    ['linux/arm64', 'arm64'],
    ['arm/v7', 'arm/v7'],
    ['arm', 'arm/v7'],
  ])('chooses linux/%s', async (architecture, expected) => {
    const image = await open(path, format, { architecture })
    expect(await archTxt(image)).toBe(expected)
    expect(image.architecture).toBe(expected.split('/')[0])
    await image.close()
  })

  it('defaults to the runner architecture and never picks an attestation', async () => {
    const image = await open(path, format)
    expect(await archTxt(image)).toBe(runnerArchitecture() === 'arm64' ? 'arm64' : 'amd64')
    await image.close()
  })

  it('says which platforms exist when the requested one does not', async () => {
    const promise = open(path, format, { architecture: 's390x' })
    await expect(promise).rejects.toBeInstanceOf(ImageError)
    await expect(promise).rejects.toThrow(
      /no linux\/s390x image \(platforms: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7\)/,
    )
  })
})

describe('single-manifest layouts', () => {
  it('takes the only image whatever its platform', async () => {
    const path = join(root, 'single-arm')
    await writeMultiPlatformImage([PLATFORMS[1]!], { format: 'oci-dir', out: path, attestations: true })
    const image = await open(path, 'oci-dir', { architecture: 'amd64' })
    expect(await archTxt(image)).toBe('arm64')
    await image.close()
  })

  it('chooses by ref name among several tags, and asks for one otherwise', async () => {
    const path = join(root, 'two-tags')
    await writeImage(specFor('one'), { format: 'oci-dir', out: path, repoTag: '1.0' })
    const first = await readFile(join(path, 'index.json'), 'utf8')
    await writeImage(specFor('two'), { format: 'oci-dir', out: `${path}-b`, repoTag: '2.0' })
    // Merge the second image into the first layout: blobs and the index entry.
    const second = JSON.parse(await readFile(join(`${path}-b`, 'index.json'), 'utf8')) as {
      manifests: unknown[]
    }
    const { cp } = await import('node:fs/promises')
    await cp(join(`${path}-b`, 'blobs'), join(path, 'blobs'), { recursive: true })
    const merged = JSON.parse(first) as { manifests: unknown[] }
    merged.manifests.push(...second.manifests)
    await writeFile(join(path, 'index.json'), canonicalJson(merged))

    await expect(open(path, 'oci-dir')).rejects.toThrow(/holds 2 images \(1\.0, 2\.0\); name one/)
    const image = await open(path, 'oci-dir', { reference: '2.0' })
    expect(await archTxt(image)).toBe('two')
    expect(image.repoTags).toEqual([])
    await image.close()
    await expect(open(path, 'oci-dir', { reference: '3.0' })).rejects.toThrow(
      /no image named "3.0" \(ref names: 1.0, 2.0\)/,
    )
  })

  it('infers what a descriptor without mediaType points at', async () => {
    const path = join(root, 'no-media-type')
    await writeImage(specFor('bare'), { format: 'oci-dir', out: path })
    const index = JSON.parse(await readFile(join(path, 'index.json'), 'utf8')) as {
      manifests: { mediaType?: string }[]
    }
    delete index.manifests[0]!.mediaType
    await writeFile(join(path, 'index.json'), JSON.stringify(index))
    const image = await open(path, 'oci-dir')
    expect(await archTxt(image)).toBe('bare')
    await image.close()
  })

  it('reports the full reference from the ref name annotation as a repo tag', async () => {
    const path = join(root, 'full-ref.tar')
    await writeImage(specFor('x'), { format: 'oci-archive', out: path, repoTag: 'example.com/acme/app:1.0' })
    const image = await open(path, 'oci-archive')
    expect(image.repoTags).toEqual(['example.com/acme/app:1.0'])
    await image.close()
  })
})
