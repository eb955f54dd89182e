import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { ArchiveIndex } from '../../src/target/archive-index.js'
import { openImage } from '../../src/target/image-reader.js'
import type { ImageSource, OpenedImage } from '../../src/target/image-types.js'
import { ImageError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import {
  buildImage,
  writeImage,
  writeTarFile,
  type BuiltImage,
  type ImageFormat,
  type ImageSpec,
} from '../../scripts/lib/image-builder.js'

const SPEC: ImageSpec = {
  config: {
    User: 'app',
    ExposedPorts: ['8080/tcp', '53/udp'],
    Env: ['PATH=/usr/bin', 'API_TOKEN=abc123'],
    Healthcheck: {
      Test: ['CMD-SHELL', 'curl -f http://localhost/'],
      Interval: 30e9,
      Timeout: 5e9,
      Retries: 3,
    },
    Labels: { 'org.opencontainers.image.source': 'https://github.com/acme/app' },
    WorkingDir: '/app',
    Cmd: ['node', 'server.js'],
    Entrypoint: ['/entrypoint.sh'],
  },
  steps: [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:abc in /',
      entries: [
        { path: 'etc/os-release', content: 'ID=alpine\n' },
        { path: 'bin/su', content: 'elf', mode: 0o4755 },
      ],
    },
    { createdBy: '/bin/sh -c #(nop)  ENV PATH=/usr/bin' },
    { createdBy: 'RUN echo same > /same.txt', entries: [{ path: 'same.txt', content: 'same' }] },
    { createdBy: 'RUN echo same > /same.txt # again', entries: [{ path: 'same.txt', content: 'same' }] },
    { createdBy: 'USER app', comment: 'buildkit.dockerfile.v0' },
  ],
}

let root: string
let counter = 0
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csg-image-reader-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

function freshDir(): string {
  return join(root, `case-${++counter}`)
}

async function layerContents(image: OpenedImage, index: number): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for await (const entry of image.walkLayer(index, { wantContent: () => true })) {
    files[entry.path] = entry.content?.toString() ?? `<${entry.type}>`
  }
  return files
}

async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip(), createWriteStream(to))
}

interface LayoutCase {
  name: string
  format: ImageFormat
  gzipLayers: boolean
  gzipWhole?: boolean
}

const LAYOUTS: LayoutCase[] = [
  { name: 'legacy docker-archive, symlinked repeated layer', format: 'docker-archive', gzipLayers: false },
  { name: 'legacy docker-archive, gzip layers', format: 'docker-archive', gzipLayers: true },
  { name: 'Docker 25+ docker-archive', format: 'docker-archive-oci', gzipLayers: false },
  { name: 'Docker 25+ docker-archive, gzip layers', format: 'docker-archive-oci', gzipLayers: true },
  { name: 'OCI directory, gzip layers', format: 'oci-dir', gzipLayers: true },
  { name: 'OCI directory, plain layers', format: 'oci-dir', gzipLayers: false },
  { name: 'OCI archive, gzip layers', format: 'oci-archive', gzipLayers: true },
  { name: 'gzip-compressed docker-archive', format: 'docker-archive', gzipLayers: false, gzipWhole: true },
  { name: 'gzip-compressed OCI archive', format: 'oci-archive', gzipLayers: true, gzipWhole: true },
]

describe.each(LAYOUTS)('openImage: $name', ({ format, gzipLayers, gzipWhole }) => {
  let image: OpenedImage
  let built: BuiltImage
  let tempDir: string
  let path: string
  const repoTag = 'ghcr.io/acme/app:1.2'

  beforeAll(async () => {
    const dir = freshDir()
    tempDir = join(dir, 'tmp')
    path = join(dir, format === 'oci-dir' ? 'oci' : 'image.tar')
    built = await writeImage(SPEC, { format, out: path, gzipLayers, symlinkRepeatedLayers: true, repoTag })
    if (gzipWhole === true) {
      await gzipFile(path, `${path}.gz`)
      path = `${path}.gz`
    }
    const kind = format === 'docker-archive-oci' ? 'docker-archive' : format
    image = await openImage({ input: path, kind, path }, { tempDir, logger: new RecordingLogger() })
  })
  afterAll(async () => {
    await image.close()
  })

  it('reads the metadata', () => {
    expect(image.repoTags).toEqual([repoTag])
    expect(image.imageId).toBe(built.configDigest)
    expect(image.os).toBe('linux')
    expect(image.architecture).toBe('amd64')
    expect(image.config).toEqual({
      user: 'app',
      exposedPorts: ['53/udp', '8080/tcp'],
      env: ['PATH=/usr/bin', 'API_TOKEN=abc123'],
      healthcheck: {
        test: ['CMD-SHELL', 'curl -f http://localhost/'],
        interval: 30e9,
        timeout: 5e9,
        retries: 3,
      },
      labels: { 'org.opencontainers.image.source': 'https://github.com/acme/app' },
      workingDir: '/app',
      cmd: ['node', 'server.js'],
      entrypoint: ['/entrypoint.sh'],
    })
    expect(image.history.map((h) => [h.createdBy, h.emptyLayer])).toEqual([
      ['/bin/sh -c #(nop) ADD file:abc in /', false],
      ['/bin/sh -c #(nop)  ENV PATH=/usr/bin', true],
      ['RUN echo same > /same.txt', false],
      ['RUN echo same > /same.txt # again', false],
      ['USER app', true],
    ])
    expect(image.history[4]).toMatchObject({
      comment: 'buildkit.dockerfile.v0',
      created: '2024-01-01T00:00:00Z',
    })
  })

  it('lists the layers with diff ids, digests and the history that made them', () => {
    expect(image.layers.map((l) => l.diffId)).toEqual(built.layers.map((l) => l.diffId))
    expect(image.layers.map((l) => l.createdBy)).toEqual([
      '/bin/sh -c #(nop) ADD file:abc in /',
      'RUN echo same > /same.txt',
      'RUN echo same > /same.txt # again',
    ])
    if (format === 'oci-dir' || format === 'oci-archive' || format === 'docker-archive-oci') {
      expect(image.layers.map((l) => l.digest)).toEqual(built.layers.map((l) => l.digest))
    }
    if (format === 'oci-dir' || format === 'oci-archive') {
      expect(image.layers[0]?.mediaType).toBe(built.layers[0]?.mediaType)
    }
  })

  it('streams every layer', async () => {
    expect(await layerContents(image, 0)).toEqual({ 'etc/os-release': 'ID=alpine\n', 'bin/su': 'elf' })
    expect(await layerContents(image, 1)).toEqual({ 'same.txt': 'same' })
    expect(await layerContents(image, 2)).toEqual({ 'same.txt': 'same' })
    const modes: number[] = []
    for await (const entry of image.walkLayer(0)) modes.push(entry.mode)
    expect(modes).toContain(0o4755)
  })

  it('rejects a layer index that does not exist', async () => {
    await expect(layerContents(image, 3)).rejects.toThrow(/no layer 3 \(the image has 3\)/)
  })

  if (gzipWhole === true) {
    it('decompressed into the temp dir once, and removes it on close', async () => {
      expect(await readdir(tempDir)).toHaveLength(1)
      await image.close()
      expect(await readdir(tempDir)).toEqual([])
      await expect(layerContents(image, 0)).rejects.toThrow(/closed/)
    })
  }
})

describe('openImage on a legacy archive with repeated layers', () => {
  it('really stores the repeated layer as a symlink, and reads through it', async () => {
    const path = join(freshDir(), 'image.tar')
    await writeImage(SPEC, { format: 'docker-archive', out: path, symlinkRepeatedLayers: true })
    const links = [...(await ArchiveIndex.open(path)).entries.values()].filter((e) => e.type === 'symlink')
    expect(links).toHaveLength(1)
    expect(links[0]?.linkTarget).toMatch(/^\.\.\/[a-f0-9]{64}\/layer\.tar$/)
    const image = await openImage(
      { input: path, kind: 'docker-archive', path },
      { tempDir: root, logger: new RecordingLogger() },
    )
    expect(await layerContents(image, 2)).toEqual({ 'same.txt': 'same' })
    expect(image.repoTags).toEqual([])
    await image.close()
  })
})

describe('openImage config edge cases', () => {
  async function openWith(spec: ImageSpec, logger = new RecordingLogger()): Promise<OpenedImage> {
    const path = join(freshDir(), 'image.tar')
    await writeImage(spec, { format: 'docker-archive', out: path })
    return openImage({ input: path, kind: 'docker-archive', path }, { tempDir: root, logger })
  }

  it('treats null lists and maps as absent', async () => {
    const image = await openWith({
      steps: [{ createdBy: 'ADD / /', entries: [{ path: 'a', content: 'x' }] }],
      rewriteConfig: (config) => ({
        ...config,
        config: { User: '', Env: null, Cmd: null, Entrypoint: null, Labels: null, ExposedPorts: null },
      }),
    })
    expect(image.config).toEqual({ exposedPorts: [], env: [], labels: {} })
    await image.close()
  })

  it('leaves createdBy unset when history does not line up with layers', async () => {
    const logger = new RecordingLogger()
    const image = await openWith(
      {
        steps: [
          { createdBy: 'ADD a /', entries: [{ path: 'a', content: 'x' }] },
          { createdBy: 'ADD b /', entries: [{ path: 'b', content: 'y' }] },
        ],
        rewriteConfig: (config) => ({ ...config, history: [{ created_by: 'only one' }] }),
      },
      logger,
    )
    expect(image.layers.map((l) => l.createdBy)).toEqual([undefined, undefined])
    expect(logger.messages('debug').join('\n')).toMatch(/history does not line up/)
    await image.close()
  })

  it.each([
    ['history not an array', { history: 'x' }, /history must be an array/],
    ['history entry not an object', { history: [1] }, /history\[0\] must be an object/],
    [
      'empty_layer not a boolean',
      { history: [{ created_by: 'x', empty_layer: 'yes' }] },
      /empty_layer must be a boolean/,
    ],
    [
      'diff id not a digest',
      { rootfs: { type: 'layers', diff_ids: ['sha256:../../x'] } },
      /diff_ids\[0\] must be a sha256/,
    ],
    ['label not a string', { config: { Labels: { a: 1 } } }, /config.Labels\["a"\] must be a string/],
    [
      'healthcheck test not strings',
      { config: { Healthcheck: { Test: 'curl' } } },
      /Healthcheck.Test must be an array/,
    ],
    ['user not a string', { config: { User: 0 } }, /config.User must be a string/],
    ['document is an array', null, /the document must be a JSON object/],
  ])('rejects a config whose %s', async (_name, patch, message) => {
    const promise = openWith({
      steps: [{ createdBy: 'ADD a /', entries: [{ path: 'a', content: 'x' }] }],
      rewriteConfig: (config) => (patch === null ? [config] : { ...config, ...patch }),
    })
    await expect(promise).rejects.toBeInstanceOf(ImageError)
    await expect(promise).rejects.toThrow(message)
  })
})

describe('openImage sources', () => {
  it('reads a daemon export like a docker-archive', async () => {
    const path = join(freshDir(), 'export-1.tar')
    await writeImage(SPEC, { format: 'docker-archive', out: path, repoTag: 'app:ci' })
    const source: ImageSource = { input: 'app:ci', kind: 'daemon', path, reference: 'app:ci' }
    const image = await openImage(source, { tempDir: root, logger: new RecordingLogger() })
    expect(image.source).toBe(source)
    expect(image.repoTags).toEqual(['app:ci'])
    await image.close()
  })

  it('turns a missing path into an ImageError', async () => {
    const path = join(root, 'missing.tar')
    await expect(
      openImage(
        { input: path, kind: 'docker-archive', path },
        { tempDir: root, logger: new RecordingLogger() },
      ),
    ).rejects.toBeInstanceOf(ImageError)
    await expect(
      openImage({ input: path, kind: 'oci-dir', path }, { tempDir: root, logger: new RecordingLogger() }),
    ).rejects.toBeInstanceOf(ImageError)
  })

  it('cleans the temp dir when a gzip archive turns out unreadable', async () => {
    const dir = freshDir()
    const tempDir = join(dir, 'tmp')
    await mkdir(dir, { recursive: true })
    const path = join(dir, 'broken.tar.gz')
    await writeImage(SPEC, { format: 'docker-archive', out: join(dir, 'image.tar') })
    await gzipFile(join(dir, 'image.tar'), path)
    const { truncate } = await import('node:fs/promises')
    await truncate(path, 300)
    const promise = openImage(
      { input: path, kind: 'docker-archive', path },
      { tempDir, logger: new RecordingLogger() },
    )
    await expect(promise).rejects.toThrow(/gzip file that cannot be decompressed/)
    expect(await readdir(tempDir)).toEqual([])
  })

  it('chooses the image matching the reference in a multi-image docker save, else the first with a warning', async () => {
    const path = join(freshDir(), 'two.tar')
    const one = await buildImage({
      steps: [{ createdBy: 'ADD one', entries: [{ path: 'one', content: '1' }] }],
    })
    const two = await buildImage({
      steps: [{ createdBy: 'ADD two', entries: [{ path: 'two', content: '2' }] }],
    })
    await writeTarFile(path, [
      { name: 'one/layer.tar', content: one.layers[0]!.blob },
      { name: 'two/layer.tar', content: two.layers[0]!.blob },
      { name: 'one.json', content: one.config },
      { name: 'two.json', content: two.config },
      {
        name: 'manifest.json',
        content: JSON.stringify([
          { Config: 'one.json', RepoTags: ['acme/one:1'], Layers: ['one/layer.tar'] },
          { Config: 'two.json', RepoTags: ['docker.io/acme/two:latest'], Layers: ['two/layer.tar'] },
        ]),
      },
    ])
    const logger = new RecordingLogger()
    const chosen = await openImage(
      { input: 'acme/two', kind: 'daemon', path, reference: 'acme/two' },
      { tempDir: root, logger },
    )
    expect(chosen.imageId).toBe(two.configDigest)
    expect(Object.keys(await layerContents(chosen, 0))).toEqual(['two'])
    expect(logger.messages('warning')).toEqual([])
    const fallback = await openImage({ input: path, kind: 'docker-archive', path }, { tempDir: root, logger })
    expect(fallback.imageId).toBe(one.configDigest)
    expect(logger.messages('warning').join()).toMatch(/holds 2 images; reading the first \(acme\/one:1\)/)
  })
})
