import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { lstat, mkdtemp, readFile, readdir, rm, symlink, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileReplacing } from '../../src/util/replace-file.js'

describe('writeFileReplacing', () => {
  let dir = ''
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-replace-file-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('replaces a symlink at the path and leaves its target untouched', async () => {
    await writeFile(join(dir, 'victim'), 'precious\n')
    await symlink(join(dir, 'victim'), join(dir, 'results.sarif'))
    await writeFileReplacing(join(dir, 'results.sarif'), '{"version":"2.1.0"}')
    expect(await readFile(join(dir, 'victim'), 'utf8')).toBe('precious\n')
    expect((await lstat(join(dir, 'results.sarif'))).isSymbolicLink()).toBe(false)
    expect(await readFile(join(dir, 'results.sarif'), 'utf8')).toBe('{"version":"2.1.0"}')
  })

  it('replaces a dangling symlink without creating its target', async () => {
    await symlink(join(dir, 'created-by-us'), join(dir, 'findings.json'))
    await writeFileReplacing(join(dir, 'findings.json'), '{}\n')
    expect((await readdir(dir)).sort()).toEqual(['findings.json'])
    expect((await lstat(join(dir, 'findings.json'))).isFile()).toBe(true)
  })

  it('creates missing directories, and overwrites a regular file', async () => {
    const path = join(dir, 'out', 'nested', 'r.json')
    await writeFileReplacing(path, 'one')
    await writeFileReplacing(path, 'two')
    expect(await readFile(path, 'utf8')).toBe('two')
    expect(await readdir(join(dir, 'out', 'nested'))).toEqual(['r.json'])
  })

  it('fails on a directory at the path and leaves no temporary file', async () => {
    await mkdir(join(dir, 'taken'))
    await expect(writeFileReplacing(join(dir, 'taken'), 'x')).rejects.toThrow()
    expect(await readdir(dir)).toEqual(['taken'])
  })
})
