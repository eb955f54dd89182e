import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ArchiveIndex, NotATarArchiveError, parseTarNumber } from '../../src/target/archive-index.js'
import { ImageError } from '../../src/util/errors.js'
import { packTar, paxRecords, rawTar, type RawTarEntry, type TarFile } from '../../scripts/lib/tar-writer.js'

let dir: string
let counter = 0
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csg-archive-index-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function archiveOf(bytes: Buffer): Promise<string> {
  const path = join(dir, `a${++counter}.tar`)
  await writeFile(path, bytes)
  return path
}

async function indexOfFiles(files: TarFile[]): Promise<ArchiveIndex> {
  return ArchiveIndex.open(await archiveOf(await packTar(files)))
}

async function indexOfRaw(entries: RawTarEntry[], options?: { endMarker?: boolean }): Promise<ArchiveIndex> {
  return ArchiveIndex.open(await archiveOf(rawTar(entries, options)))
}

async function readAll(index: ArchiveIndex, name: string): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of index.createReadStream(index.resolve(name)) as AsyncIterable<Buffer>)
    chunks.push(chunk)
  return Buffer.concat(chunks).toString()
}

describe('ArchiveIndex headers', () => {
  it('indexes entries with their data offsets and sizes, normalising ./ names', async () => {
    const index = await indexOfFiles([
      { name: './manifest.json', content: '[1]' },
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/abc', content: 'x'.repeat(1000) },
    ])
    expect([...index.entries.keys()]).toEqual(['manifest.json', 'blobs', 'blobs/sha256/abc'])
    expect(index.entries.get('blobs/sha256/abc')).toMatchObject({ size: 1000, type: 'file', offset: 2048 })
    expect(await readAll(index, 'blobs/sha256/abc')).toBe('x'.repeat(1000))
    expect((await index.readFile('manifest.json', 100)).toString()).toBe('[1]')
  })

  it('joins the ustar prefix with the name', async () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(60)}/file.txt`
    const index = await indexOfFiles([{ name: long, content: 'prefixed' }])
    expect(await readAll(index, long)).toBe('prefixed')
  })

  it('applies pax path and size records to the next entry only', async () => {
    const longName = `${'n'.repeat(150)}.json`
    const index = await indexOfRaw([
      { name: 'PaxHeader', typeflag: 'x', body: paxRecords({ path: longName, size: '5' }) },
      { name: 'short', body: 'hello', claimedSize: 0 },
      { name: 'after', body: 'abc' },
    ])
    expect(index.entries.get(longName)).toMatchObject({ size: 5 })
    expect(await readAll(index, longName)).toBe('hello')
    expect(index.entries.get('after')).toMatchObject({ size: 3 })
    expect(index.has('short')).toBe(false)
  })

  it('skips pax global headers (git archive writes one)', async () => {
    const index = await indexOfRaw([
      { name: 'pax_global_header', typeflag: 'g', body: paxRecords({ comment: 'deadbeef' }) },
      { name: 'manifest.json', body: '[]' },
    ])
    expect([...index.entries.keys()]).toEqual(['manifest.json'])
  })

  it('reads GNU long names and long link targets', async () => {
    const longName = `dir/${'l'.repeat(130)}`
    const longTarget = `../${'t'.repeat(120)}/layer.tar`
    const index = await indexOfRaw([
      { name: '././@LongLink', typeflag: 'L', body: `${longName}\0`, magic: 'gnu' },
      { name: 'truncated-name', body: 'gnu', magic: 'gnu' },
      { name: '././@LongLink', typeflag: 'K', body: `${longTarget}\0`, magic: 'gnu' },
      { name: 'link', typeflag: '2', linkname: 'short', magic: 'gnu' },
    ])
    expect(await readAll(index, longName)).toBe('gnu')
    expect(index.entries.get('link')).toMatchObject({ type: 'symlink', linkTarget: longTarget })
  })

  it('reads base-256 sizes', async () => {
    const index = await indexOfRaw([{ name: 'big-ish', body: 'b'.repeat(700), base256Size: true }])
    expect(index.entries.get('big-ish')).toMatchObject({ size: 700 })
    expect(parseTarNumber(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00]))).toBe(512)
    expect(parseTarNumber(Buffer.from([0xff, 0xff]))).toBeUndefined()
    expect(parseTarNumber(Buffer.from('0000644 \0'))).toBe(0o644)
    expect(parseTarNumber(Buffer.from('12x4'))).toBeUndefined()
  })

  it('rejects an entry whose size runs past the end of the file (8 GiB claim)', async () => {
    const promise = indexOfRaw([{ name: 'layer.tar', body: 'tiny', claimedSize: 8 * 1024 ** 3 }])
    await expect(promise).rejects.toThrow(ImageError)
    await expect(promise).rejects.toThrow(/truncated.*8589934592 bytes/)
  })

  it('rejects a header cut off by the end of the file', async () => {
    const bytes = rawTar([{ name: 'a', body: 'x' }], { endMarker: false })
    const promise = ArchiveIndex.open(await archiveOf(Buffer.concat([bytes, Buffer.alloc(100, 1)])))
    await expect(promise).rejects.toThrow(/truncated/)
  })

  it('accepts an archive without the end-of-archive blocks', async () => {
    const index = await indexOfRaw([{ name: 'a', body: 'x' }], { endMarker: false })
    expect(index.has('a')).toBe(true)
  })

  it('says a text file is not a tar archive', async () => {
    const promise = ArchiveIndex.open(await archiveOf(Buffer.from('hello world\n'.repeat(100))))
    await expect(promise).rejects.toBeInstanceOf(NotATarArchiveError)
    await expect(ArchiveIndex.open(await archiveOf(Buffer.alloc(0)))).rejects.toBeInstanceOf(
      NotATarArchiveError,
    )
  })

  it('says a corrupt header in the middle is corruption, not "not a tar"', async () => {
    const bytes = rawTar([
      { name: 'a', body: 'x' },
      { name: 'b', body: 'y' },
    ])
    bytes[1024 + 10] = 0x41 // second header's name changes, checksum no longer matches
    const promise = ArchiveIndex.open(await archiveOf(bytes))
    await expect(promise).rejects.toThrow(/checksum at byte 1024/)
    await expect(promise).rejects.not.toBeInstanceOf(NotATarArchiveError)
  })

  it('rejects a missing file as ImageError', async () => {
    await expect(ArchiveIndex.open(join(dir, 'nope.tar'))).rejects.toBeInstanceOf(ImageError)
  })

  it('leaves out names that climb out of the archive', async () => {
    const index = await indexOfRaw([
      { name: '../outside.tar', body: 'evil' },
      { name: '/etc/passwd', body: 'evil' },
      { name: 'ok/../fine', body: 'fine' },
    ])
    expect([...index.entries.keys()]).toEqual(['fine'])
  })

  it('bounds the number of entries', async () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, body: '' }))
    await expect(ArchiveIndex.open(await archiveOf(rawTar(entries)), { maxEntries: 4 })).rejects.toThrow(
      /more than 4 entries/,
    )
  })

  it('refuses to read a small file whole when it is larger than asked', async () => {
    const index = await indexOfFiles([{ name: 'manifest.json', content: 'x'.repeat(100) }])
    await expect(index.readFile('manifest.json', 10)).rejects.toThrow(/100 bytes/)
  })
})

describe('ArchiveIndex links', () => {
  let index: ArchiveIndex
  beforeAll(async () => {
    index = await indexOfFiles([
      { name: 'first/layer.tar', content: 'layer bytes' },
      { name: 'second/layer.tar', type: 'symlink', linkTarget: '../first/layer.tar' },
      { name: 'third/layer.tar', type: 'symlink', linkTarget: '../second/layer.tar' },
      { name: 'hard.tar', type: 'hardlink', linkTarget: 'first/layer.tar' },
      { name: 'digest.tar', content: 'digest layer' },
      { name: 'legacy/layer.tar', type: 'symlink', linkTarget: '../digest.tar' },
      { name: 'escape/layer.tar', type: 'symlink', linkTarget: '../../../etc/passwd' },
      { name: 'absolute/layer.tar', type: 'symlink', linkTarget: '/etc/passwd' },
      { name: 'loop-a', type: 'symlink', linkTarget: 'loop-b' },
      { name: 'loop-b', type: 'symlink', linkTarget: 'loop-a' },
      { name: 'dangling', type: 'symlink', linkTarget: 'nothing-here' },
      { name: 'adir', type: 'directory' },
    ])
  })

  it.each([
    ['second/layer.tar', 'first/layer.tar'],
    ['third/layer.tar', 'first/layer.tar'],
    ['hard.tar', 'first/layer.tar'],
    ['legacy/layer.tar', 'digest.tar'],
    ['./first/./layer.tar', 'first/layer.tar'],
  ])('resolves %s to %s inside the archive', (name, target) => {
    expect(index.resolve(name).name).toBe(target)
  })

  it.each([
    ['escape/layer.tar', /outside the archive/],
    ['absolute/layer.tar', /outside the archive/],
    ['loop-a', /levels of links/],
    ['dangling', /"dangling" is not in the archive/],
    ['adir', /is a directory/],
    ['../outside.tar', /outside the archive/],
    ['/etc/passwd', /outside the archive/],
    ['missing.tar', /not in the archive/],
  ])('refuses %s', (name, message) => {
    expect(() => index.resolve(name)).toThrow(ImageError)
    expect(() => index.resolve(name)).toThrow(message)
  })

  it('locates the byte range of the link target', () => {
    const blob = index.locate('second/layer.tar')
    expect(blob).toMatchObject({ path: index.path, size: 'layer bytes'.length })
    expect(blob.offset).toBe(index.entries.get('first/layer.tar')!.offset)
  })
})
