/**
 * Writes an output file without ever following a symlink at its path: the data goes to a new temporary
 * file in the same directory (created exclusively, so not through a planted link either) and is renamed
 * over the path. rename(2) replaces a symlink itself rather than its target, so a link committed by a pull
 * request at `results.sarif` (dangling or not) is replaced by a regular file and its target is untouched.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export async function writeFileReplacing(path: string, data: string): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await writeFile(temporary, data, { flag: 'wx' })
    await rename(temporary, path)
  } catch (error) {
    await rm(temporary, { force: true })
    throw error
  }
}
