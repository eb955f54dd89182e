/**
 * A gzip bomb given as the image, through the built CLI: GNU tar packs a sparse file of zeros just over
 * the per-archive cap (1 GiB for a small archive) before manifest.json, and gzip shrinks it to ~1 MB. The
 * CLI must refuse it with an ImageError (exit 3) naming the cap and the way around it, without writing the
 * expanded bytes to disk. The bomb is made in the test and removed with its directory.
 */
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readdir, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MIN_MAX_ARCHIVE_EXPANDED_BYTES } from '../../src/target/archive-gzip.js'
import { runCli } from '../helpers/cli-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

describe('a gzip-compressed image archive that expands past its cap', () => {
  it('is refused with exit 3 and a message naming the cap, nothing left in the temp dir', async () => {
    const work = await tempDir('csg-archive-bomb-')
    const content = join(work, 'content')
    execFileSync('mkdir', [content])
    await truncate(await touch(join(content, 'zeros')), MIN_MAX_ARCHIVE_EXPANDED_BYTES + 16 * 1024 * 1024)
    await writeFile(join(content, 'manifest.json'), '[]')
    const bomb = join(work, 'image.tar.gz')
    execFileSync('tar', ['-czf', bomb, '-C', content, 'zeros', 'manifest.json'])
    const bombBytes = (await stat(bomb)).size
    expect(bombBytes).toBeLessThan(MIN_MAX_ARCHIVE_EXPANDED_BYTES / 100)
    const runnerTemp = await tempDir('csg-archive-bomb-temp-')

    const run = await runCli(['scan', bomb, '--scanners', 'builtin'], { env: { RUNNER_TEMP: runnerTemp } })

    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(
      `${bomb} is a gzip-compressed image archive of ${bombBytes} bytes that expands to more than ` +
        '1073741824 bytes (the cap: 100× its size, at least 1073741824 bytes): refused as a decompression ' +
        `bomb. If the image really is this large, decompress it first (gunzip -k ${bomb})`,
    )
    expect(await readdir(runnerTemp)).toEqual([])
  }, 600_000)
})

async function touch(path: string): Promise<string> {
  await writeFile(path, '')
  return path
}
