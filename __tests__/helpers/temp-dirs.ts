/**
 * Temporary directories a test file creates and removes again: call `tempDirs()` once at the top level of
 * the file (it registers an afterAll hook), then `await tempDir('csg-x-')` wherever a directory is needed.
 * Nothing is left in the temporary directory after the file's tests (`.ci/run` checks this).
 */
import { afterAll } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function tempDirs(): (prefix: string) => Promise<string> {
  const created: string[] = []
  afterAll(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })
  return async (prefix) => {
    const dir = await mkdtemp(join(tmpdir(), prefix))
    created.push(dir)
    return dir
  }
}
