/**
 * The image reader on damaged images: a small valid image from the fixture generator (docker-archive,
 * Docker 25+ archive, OCI archive with gzip layers, OCI directory) with bytes changed at random offsets,
 * truncated, one of its files damaged, or the fields of its JSON documents (manifest.json, index.json,
 * OCI manifest, image config) mutated. resolveImageSource + openImage + walking every layer +
 * collectFinalFiles may only fail with ImageError or ConfigurationError, and never hang.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { extract } from 'tar-stream'
import fc from 'fast-check'
import { writeImage, type ImageFormat, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { packTar, type TarFile } from '../../scripts/lib/tar-writer.js'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { resolveImageSource } from '../../src/target/image.js'
import { openImage } from '../../src/target/image-reader.js'
import { ConfigurationError, ImageError } from '../../src/util/errors.js'
import { silentLogger } from '../../src/util/logger.js'
import { mutatedJson } from './fuzz-mutations.js'
import { fuzz, fuzzSettings, onlyExpectedErrors, testTimeout } from './fuzz-support.js'

const settings = fuzzSettings(0.5)
const ALLOWED = [ImageError, ConfigurationError]

const SPEC: ImageSpec = {
  config: {
    User: 'root',
    ExposedPorts: ['22/tcp', '8080/tcp'],
    Env: ['PATH=/usr/bin:/bin', 'API_TOKEN=abc123'],
    Healthcheck: { Test: ['CMD-SHELL', 'true'] },
    Cmd: ['/app/server'],
  },
  steps: [
    {
      createdBy: 'ADD rootfs.tar /',
      entries: [
        { path: 'etc', type: 'dir' },
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
        { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
        { path: 'usr/bin/busybox', content: Buffer.alloc(3000, 7), mode: 0o4755 },
        { path: 'bin/sh', type: 'symlink', linkTarget: '/usr/bin/busybox' },
      ],
    },
    { createdBy: 'ENV API_TOKEN=abc123' },
    {
      createdBy: 'COPY app /app',
      entries: [
        { path: 'app/server', content: '#!/bin/sh\necho hi\n', mode: 0o755 },
        { path: 'app/.env', content: 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' },
        { path: 'app/link', type: 'hardlink', linkTarget: 'app/server' },
      ],
    },
    {
      createdBy: 'RUN rm /app/.env',
      entries: [
        { path: 'app/.wh..env', content: '' },
        { path: 'etc/.wh..wh..opq', content: '' },
      ],
    },
  ],
}

interface Entry {
  name: string
  type: NonNullable<TarFile['type']>
  content: Buffer
  linkTarget?: string
  mode?: number
}

interface Base {
  label: string
  /** A directory layout (oci-dir) rather than a tar. */
  directory: boolean
  entries: Entry[]
  /** Indexes of the entries that hold JSON documents. */
  jsonEntries: number[]
}

const TAR_TYPES: Record<string, Entry['type']> = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  link: 'hardlink',
}

async function tarEntries(tar: Buffer): Promise<Entry[]> {
  const entries: Entry[] = []
  const extractor = extract()
  const done = (async () => {
    for await (const entry of extractor) {
      const chunks: Buffer[] = []
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk)
      const header = entry.header
      const item: Entry = {
        name: header.name,
        type: TAR_TYPES[header.type] ?? 'file',
        content: Buffer.concat(chunks),
        mode: header.mode,
      }
      if (header.linkname) item.linkTarget = header.linkname
      entries.push(item)
    }
  })()
  extractor.end(tar)
  await done
  return entries
}

async function directoryEntries(dir: string): Promise<Entry[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort()
  return Promise.all(
    names.map(async (name) => ({ name, type: 'file' as const, content: await readFile(join(dir, name)) })),
  )
}

function jsonIndexes(entries: readonly Entry[]): number[] {
  return entries.flatMap((entry, i) => {
    if (entry.type !== 'file' || entry.content.length === 0 || entry.content.length > 100_000) return []
    try {
      const value: unknown = JSON.parse(entry.content.toString('utf8'))
      return typeof value === 'object' && value !== null ? [i] : []
    } catch {
      return []
    }
  })
}

let root: string
const bases: Base[] = []

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'csg-fuzz-image-'))
  const formats: [string, ImageFormat, boolean][] = [
    ['docker-archive', 'docker-archive', false],
    ['docker-archive (Docker 25+)', 'docker-archive-oci', false],
    ['oci-archive, gzip layers', 'oci-archive', true],
    ['oci-dir', 'oci-dir', false],
  ]
  for (const [label, format, gzipLayers] of formats) {
    const out = join(root, `base-${format}${format === 'oci-dir' ? '' : '.tar'}`)
    await writeImage(SPEC, { format, out, gzipLayers, repoTag: 'fuzz/app:1' })
    const entries = format === 'oci-dir' ? await directoryEntries(out) : await tarEntries(await readFile(out))
    bases.push({ label, directory: format === 'oci-dir', entries, jsonEntries: jsonIndexes(entries) })
  }
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

type Damage =
  | { kind: 'bytes'; edits: { at: number; byte: number }[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'entry-bytes'; entry: number; edits: { at: number; byte: number }[] }
  | { kind: 'entry-truncate'; entry: number; at: number }
  | { kind: 'entry-delete'; entry: number }
  | { kind: 'json'; entry: number; text: string }

interface Case {
  base: number
  damage: Damage
}

const edits = fc.array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }), {
  minLength: 1,
  maxLength: 8,
})

const caseArbitrary: fc.Arbitrary<Case> = fc.nat({ max: 3 }).chain((base) => {
  const b = bases[base]!
  const json: fc.Arbitrary<Damage>[] = b.jsonEntries.map((entry) =>
    mutatedJson([JSON.parse(b.entries[entry]!.content.toString('utf8'))]).map((text): Damage => ({
      kind: 'json',
      entry,
      text,
    })),
  )
  const damage = fc.oneof(
    edits.map((e): Damage => ({ kind: 'bytes', edits: e })),
    fc.nat().map((at): Damage => ({ kind: 'truncate', at })),
    fc.tuple(fc.nat(), edits).map(([entry, e]): Damage => ({ kind: 'entry-bytes', entry, edits: e })),
    fc.tuple(fc.nat(), fc.nat()).map(([entry, at]): Damage => ({ kind: 'entry-truncate', entry, at })),
    fc.nat().map((entry): Damage => ({ kind: 'entry-delete', entry })),
    ...json,
  )
  return damage.map((d) => ({ base, damage: d }))
})

function applyEdits(bytes: Buffer, list: readonly { at: number; byte: number }[]): Buffer {
  const out = Buffer.from(bytes)
  if (out.length === 0) return out
  for (const { at, byte } of list) out[at % out.length] = byte
  return out
}

/** The damaged image's entries, and what to do to the written file afterwards. */
function damagedEntries(base: Base, damage: Damage): Entry[] {
  const entries = base.entries.map((e) => ({ ...e }))
  const pick = (n: number): Entry | undefined => entries[n % entries.length]
  switch (damage.kind) {
    case 'entry-bytes': {
      const entry = pick(damage.entry)
      if (entry) entry.content = applyEdits(entry.content, damage.edits)
      break
    }
    case 'entry-truncate': {
      const entry = pick(damage.entry)
      if (entry) entry.content = entry.content.subarray(0, damage.at % (entry.content.length + 1))
      break
    }
    case 'entry-delete':
      entries.splice(damage.entry % entries.length, 1)
      break
    case 'json':
      entries[damage.entry]!.content = Buffer.from(damage.text)
      break
    default:
      break
  }
  return entries
}

let caseNumber = 0

async function writeDamaged(c: Case): Promise<string> {
  const base = bases[c.base]!
  const entries = damagedEntries(base, c.damage)
  const out = join(root, `case-${caseNumber++}${base.directory ? '' : '.tar'}`)
  if (base.directory) {
    for (const entry of entries) {
      await mkdir(dirname(join(out, entry.name)), { recursive: true })
      await writeFile(join(out, entry.name), entry.content)
    }
    return out
  }
  let tar = await packTar(
    entries.map((e) => ({
      name: e.name,
      type: e.type,
      ...(e.type === 'file' ? { content: e.content } : {}),
      ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
      ...(e.mode !== undefined ? { mode: e.mode } : {}),
    })),
  )
  if (c.damage.kind === 'bytes') tar = applyEdits(tar, c.damage.edits)
  if (c.damage.kind === 'truncate') tar = tar.subarray(0, c.damage.at % (tar.length + 1))
  await writeFile(out, tar)
  return out
}

async function readEverything(path: string, tempDir: string): Promise<void> {
  const source = await resolveImageSource(path, {
    cwd: root,
    tempDir,
    run: () => Promise.reject(new Error('the fuzz test has no Docker daemon')),
    logger: silentLogger,
  })
  const image = await openImage(source, { tempDir, logger: silentLogger })
  try {
    for (const layer of image.layers) {
      for await (const _entry of image.walkLayer(layer.index, { wantContent: () => true })) {
        // reading is the test
      }
    }
    await collectFinalFiles(image, { select: () => true, wantContent: () => true })
  } finally {
    await image.close()
  }
}

describe('image reader fuzzing', () => {
  it('reads every undamaged base image', async () => {
    for (const base of bases) {
      const path = await writeDamaged({ base: bases.indexOf(base), damage: { kind: 'bytes', edits: [] } })
      await readEverything(path, join(root, 'tmp-undamaged'))
      expect(base.jsonEntries.length).toBeGreaterThan(0)
    }
  })

  it(
    'damaged images fail only with ImageError or ConfigurationError',
    async () => {
      await fuzz(
        caseArbitrary,
        async (c) => {
          const path = await writeDamaged(c)
          const tempDir = `${path}.tmp`
          try {
            await onlyExpectedErrors(
              () => readEverything(path, tempDir),
              ALLOWED,
              () => `${bases[c.base]!.label}: ${JSON.stringify(c.damage).slice(0, 1500)}`,
            )
          } finally {
            await rm(path, { recursive: true, force: true })
            await rm(tempDir, { recursive: true, force: true })
          }
        },
        settings,
      )
    },
    testTimeout(settings),
  )
})
