import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readConfigFile, readConfigFileSync } from '../../src/util/read-config-file.js'

describe('readConfigFile / readConfigFileSync', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-read-config-'))
    await writeFile(join(dir, 'policy.yml'), 'failOn: high\n')
    await writeFile(join(dir, 'big'), 'x'.repeat(101))
    await mkdir(join(dir, 'a-dir'))
    execFileSync('mkfifo', [join(dir, 'fifo')])
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads a regular file under the limit', async () => {
    expect(readConfigFileSync(join(dir, 'policy.yml'))).toBe('failOn: high\n')
    expect(await readConfigFile(join(dir, 'policy.yml'))).toBe('failOn: high\n')
  })

  it.each([
    ['a directory', () => join(dir, 'a-dir'), 'it is a directory, not a regular file'],
    ['a FIFO (without blocking)', () => join(dir, 'fifo'), 'it is a FIFO, not a regular file'],
    ['/dev/zero', () => '/dev/zero', 'it is a character device, not a regular file'],
  ])('refuses %s', async (_name, path, message) => {
    expect(() => readConfigFileSync(path())).toThrow(message)
    await expect(readConfigFile(path())).rejects.toThrow(message)
  })

  it('refuses a file over the limit', async () => {
    expect(() => readConfigFileSync(join(dir, 'big'), 100)).toThrow(
      'it is 101 bytes, over the 100-byte limit',
    )
    await expect(readConfigFile(join(dir, 'big'), 100)).rejects.toThrow(
      'it is 101 bytes, over the 100-byte limit',
    )
  })
})
