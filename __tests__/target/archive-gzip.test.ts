/**
 * A whole image archive compressed with gzip (`docker save | gzip`), packed here by GNU tar and gzip:
 * read through a metered gunzip whose cap (100× the compressed size, at least 1 GiB) refuses a
 * decompression bomb, both while recognising the archive and while copying it to the temp dir.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { BASE_SPEC } from '../../scripts/lib/hostile-images.js'
import {
  ArchiveTooLargeError,
  MAX_ARCHIVE_EXPANSION_RATIO,
  MIN_MAX_ARCHIVE_EXPANDED_BYTES,
  maxExpandedArchiveBytes,
} from '../../src/target/archive-gzip.js'
import { detectArchiveKind } from '../../src/target/image.js'
import { openImage } from '../../src/target/image-reader.js'
import { silentLogger } from '../../src/util/logger.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
let work = ''
/** GNU tar + gzip of a docker save layout, manifest.json written last. */
let archive = ''
let plainBytes = 0

beforeAll(async () => {
  work = await tempDir('csg-archive-gzip-')
  const plain = join(work, 'image.tar')
  await writeImage(BASE_SPEC, { format: 'docker-archive', out: plain, repoTag: 'example.com/app:1' })
  const layout = join(work, 'layout')
  await mkdir(layout)
  execFileSync('tar', ['-xf', plain, '-C', layout])
  const names = (await readdir(layout)).filter((n) => n !== 'manifest.json').sort()
  archive = join(work, 'image.tar.gz')
  execFileSync('sh', [
    '-c',
    'tar -cf - -C "$1" "$@" manifest.json | gzip -6 > "$0"',
    archive,
    layout,
    ...names,
  ])
  plainBytes = execFileSync('gzip', ['-dc', archive]).length
})

describe('the cap', () => {
  it.each([
    [0, 1024 ** 3],
    [1024 * 1024, 1024 ** 3],
    [20 * 1024 * 1024, 2_097_152_000],
  ])('for %i compressed bytes is %i', (size, cap) => {
    expect(maxExpandedArchiveBytes(size)).toBe(cap)
  })

  it('is 100× and at least 1 GiB', () => {
    expect([MAX_ARCHIVE_EXPANSION_RATIO, MIN_MAX_ARCHIVE_EXPANDED_BYTES]).toEqual([100, 1073741824])
  })
})

describe('a gzip-compressed docker-archive made by GNU tar and gzip', () => {
  it('is recognised and opened under the default cap, its copy removed on close', async () => {
    expect(await detectArchiveKind(archive)).toBe('docker-archive')
    const temp = await tempDir('csg-archive-gzip-open-')
    const image = await openImage(
      { kind: 'docker-archive', path: archive, input: archive },
      { tempDir: temp, logger: silentLogger },
    )
    let entries = 0
    for await (const _entry of image.walkLayer(0)) entries++
    expect(entries).toBeGreaterThan(0)
    expect(image.repoTags).toEqual(['example.com/app:1'])
    await image.close()
    expect(await readdir(temp)).toEqual([])
  })

  it('is refused while recognised once it expands past the cap', async () => {
    const run = detectArchiveKind(archive, { maxExpandedArchiveBytes: 4096 })
    await expect(run).rejects.toThrow(ArchiveTooLargeError)
    await expect(detectArchiveKind(archive, { maxExpandedArchiveBytes: 4096 })).rejects.toThrow(
      `${archive} is a gzip-compressed image archive of ${(await stat(archive)).size} bytes that expands ` +
        'to more than 4096 bytes (the cap: 100× its size, at least 1073741824 bytes): refused as a ' +
        `decompression bomb. If the image really is this large, decompress it first (gunzip -k ${archive}) ` +
        'and scan the plain .tar, which has no such cap.',
    )
  })

  it('is refused while copied to the temp dir past the cap, and the partial copy removed', async () => {
    const temp = await tempDir('csg-archive-gzip-copy-')
    const open = openImage(
      { kind: 'docker-archive', path: archive, input: archive },
      { tempDir: temp, logger: silentLogger, maxExpandedArchiveBytes: plainBytes - 1024 },
    )
    await expect(open).rejects.toThrow(ArchiveTooLargeError)
    expect(await readdir(temp)).toEqual([])
    // 1 KiB under the decompressed size is not enough; the whole of it is.
    const image = await openImage(
      { kind: 'docker-archive', path: archive, input: archive },
      { tempDir: temp, logger: silentLogger, maxExpandedArchiveBytes: plainBytes },
    )
    await image.close()
  })
})
