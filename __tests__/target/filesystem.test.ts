import { describe, it, expect, afterAll, beforeAll } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { openImage } from '../../src/target/image-reader.js'
import type { LayerEntry, OpenedImage, WalkLayerOptions } from '../../src/target/image-types.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { writeImage, type FileSpec } from '../../scripts/lib/image-builder.js'

type Step = Partial<LayerEntry> & { path: string }

function entry(step: Step): LayerEntry {
  return { type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, ...step }
}

/** An in-memory image: each layer is a list of entries. */
function fakeImage(layers: Step[][]): OpenedImage & { walked: number[]; contentAsked: string[] } {
  const walked: number[] = []
  const contentAsked: string[] = []
  return {
    walked,
    contentAsked,
    source: { input: 'fake', kind: 'docker-archive', path: '/fake.tar' },
    repoTags: [],
    imageId: `sha256:${'0'.repeat(64)}`,
    config: { exposedPorts: [], env: [], labels: {} },
    history: [],
    layers: layers.map((_, index) => ({ index, diffId: `sha256:${String(index).repeat(64)}` })),
    async *walkLayer(index: number, options: WalkLayerOptions = {}) {
      walked.push(index)
      for (const step of layers[index] ?? []) {
        const e = entry(step)
        if (e.type === 'file' && e.whiteout === undefined && options.wantContent?.(e)) {
          contentAsked.push(e.path)
          yield { ...e, content: Buffer.from(`content of ${e.path}@${index}`) }
        } else yield e
      }
    },
    close: async () => undefined,
  }
}

const all = (): boolean => true

async function finalPaths(
  layers: Step[][],
  select: (p: string) => boolean = all,
): Promise<Record<string, number>> {
  const files = await collectFinalFiles(fakeImage(layers), { select: (h) => select(h.path) })
  return Object.fromEntries([...files].map(([path, file]) => [path, file.layerIndex]).sort())
}

describe('collectFinalFiles overlay semantics', () => {
  it('walks each layer once, base to top, and keeps the last writer', async () => {
    const image = fakeImage([[{ path: 'etc/a' }, { path: 'etc/b' }], [{ path: 'etc/a' }], []])
    const files = await collectFinalFiles(image, { select: all })
    expect(image.walked).toEqual([0, 1, 2])
    expect(Object.fromEntries([...files].map(([p, f]) => [p, f.layerIndex]))).toEqual({
      'etc/a': 1,
      'etc/b': 0,
    })
  })

  it.each<[string, Step[][], Record<string, number>]>([
    [
      'a file whiteout removes the file',
      [[{ path: 'etc/hello' }, { path: 'etc/keep' }], [{ path: 'etc/hello', whiteout: 'file' }]],
      { 'etc/keep': 0 },
    ],
    [
      'a file whiteout on a directory removes everything under it',
      [
        [
          { path: 'var', type: 'directory' },
          { path: 'var/lib/x' },
          { path: 'var/lib/y' },
          { path: 'varnish' },
        ],
        [{ path: 'var', whiteout: 'file' }],
      ],
      { varnish: 0 },
    ],
    [
      'an opaque whiteout hides lower children but keeps the directory and this layer’s children',
      [
        [
          { path: 'app', type: 'directory' },
          { path: 'app/old.js' },
          { path: 'app/sub/deep.js' },
          { path: 'apple' },
        ],
        [{ path: 'app/new.js' }, { path: 'app', whiteout: 'opaque' }],
      ],
      { app: 0, 'app/new.js': 1, apple: 0 },
    ],
    [
      'a root opaque whiteout hides every lower entry',
      [
        [{ path: 'a' }, { path: 'b/c' }],
        [{ path: '', whiteout: 'opaque' }, { path: 'd' }],
      ],
      { d: 1 },
    ],
    [
      'a whiteout does not hide an entry of its own layer, in either order',
      [
        [{ path: 'x' }],
        [{ path: 'x' }, { path: 'x', whiteout: 'file' }, { path: 'y', whiteout: 'file' }, { path: 'y' }],
      ],
      { x: 1, y: 1 },
    ],
    [
      'a later whiteout hides what an upper layer wrote',
      [[{ path: 'x' }], [{ path: 'x' }], [{ path: 'x', whiteout: 'file' }]],
      {},
    ],
    [
      'a file replacing a directory hides the directory’s children',
      [
        [{ path: 'opt', type: 'directory' }, { path: 'opt/tool' }],
        [{ path: 'opt', type: 'symlink', linkTarget: '/usr' }],
      ],
      { opt: 1 },
    ],
    [
      'a directory replacing a directory keeps the children',
      [
        [{ path: 'opt', type: 'directory' }, { path: 'opt/tool' }],
        [{ path: 'opt', type: 'directory', mode: 0o700 }],
      ],
      { opt: 1, 'opt/tool': 0 },
    ],
    [
      'a deleted and re-created file belongs to the layer that re-created it',
      [[{ path: 'f' }], [{ path: 'f', whiteout: 'file' }], [{ path: 'f' }]],
      { f: 2 },
    ],
  ])('%s', async (_name, layers, expected) => {
    expect(await finalPaths(layers)).toEqual(expected)
  })

  it('an unselected entry replaces (removes) a selected one below it', async () => {
    const layers: Step[][] = [[{ path: 'bin/su', mode: 0o4755 }], [{ path: 'bin/su', mode: 0o755 }]]
    const files = await collectFinalFiles(fakeImage(layers), { select: (h) => (h.mode & 0o4000) !== 0 })
    expect([...files.keys()]).toEqual([])
  })

  it('a later duplicate in the same layer that is not selected drops the earlier one', async () => {
    const layers: Step[][] = [
      [
        { path: 'bin/su', mode: 0o4755 },
        { path: 'bin/su', mode: 0o755 },
      ],
    ]
    const files = await collectFinalFiles(fakeImage(layers), { select: (h) => (h.mode & 0o4000) !== 0 })
    expect(files.size).toBe(0)
  })

  it('tracks only selected entries, and asks for content only of selected ones that want it', async () => {
    const image = fakeImage([[{ path: 'etc/shadow' }, { path: 'etc/passwd' }, { path: 'usr/lib/big.so' }]])
    const files = await collectFinalFiles(image, {
      select: (h) => h.path.startsWith('etc/'),
      wantContent: (h) => h.path === 'etc/shadow',
    })
    expect([...files.keys()].sort()).toEqual(['etc/passwd', 'etc/shadow'])
    expect(image.contentAsked).toEqual(['etc/shadow'])
    expect(files.get('etc/shadow')?.entry.content?.toString()).toBe('content of etc/shadow@0')
  })
})

describe('collectFinalFiles on a generated image', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'csg-filesystem-'))
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('sees setuid files, whiteouts and opaque directories across real layers', async () => {
    const layer = (entries: FileSpec[]) => ({ createdBy: 'RUN step', entries })
    const path = join(root, 'image.tar')
    await writeImage(
      {
        steps: [
          layer([
            { path: 'usr/bin/passwd', content: 'elf', mode: 0o4755 },
            { path: 'usr/bin/wall', content: 'elf', mode: 0o2755 },
            { path: 'usr/bin/mount', content: 'elf', mode: 0o4755 },
            { path: 'etc/app/secret.pem', content: '-----BEGIN PRIVATE KEY-----' },
            { path: 'etc/app/old.conf', content: 'old' },
          ]),
          layer([
            { path: 'usr/bin/.wh.mount', content: '' },
            { path: 'etc/app/.wh..wh..opq', content: '' },
            { path: 'etc/app/new.conf', content: 'new' },
          ]),
          layer([{ path: 'usr/bin/wall', content: 'elf', mode: 0o755 }]),
        ],
      },
      { format: 'oci-archive', out: path, gzipLayers: true },
    )
    const image = await openImage(
      { input: path, kind: 'oci-archive', path },
      { tempDir: root, logger: new RecordingLogger() },
    )
    const special = await collectFinalFiles(image, { select: (h) => (h.mode & 0o6000) !== 0 })
    expect([...special.keys()]).toEqual(['usr/bin/passwd'])
    const etc = await collectFinalFiles(image, {
      select: (h) => h.path.startsWith('etc/app/'),
      wantContent: () => true,
      maxContentBytes: 2,
    })
    expect([...etc].map(([p, f]) => [p, f.layerIndex, f.entry.content?.toString()])).toEqual([
      ['etc/app/new.conf', 1, 'ne'],
    ])
    await image.close()
  })
})
