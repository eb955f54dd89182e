import { afterEach, describe, it, expect } from '@jest/globals'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCommand } from '../../src/util/exec.js'
import { readCalls, writeReplayScanner } from './replay-scanner.js'

describe('replay scanner', () => {
  const created: string[] = []
  const scratch = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'csg-replay-'))
    created.push(dir)
    return dir
  }
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it('writes the report to the output flag path, logs argv, and exits with the code', async () => {
    const dir = await scratch()
    const scanner = await writeReplayScanner(dir, {
      name: 'trivy',
      report: '{"a":1}',
      exitCode: 0,
      stderr: 'warn\n',
    })
    const out = join(dir, 'out.json')
    const result = await runCommand(scanner.path, ['image', '--output', out, 'x.tar'])
    expect(result.exitCode).toBe(0)
    expect(result.stderr).toBe('warn\n')
    expect(await readFile(out, 'utf8')).toBe('{"a":1}')
    expect((await readCalls(scanner.callLog))[0]?.argv).toEqual(['image', '--output', out, 'x.tar'])
  })

  it('is killed at the timeout', async () => {
    const dir = await scratch()
    const scanner = await writeReplayScanner(dir, { name: 'slow', sleepMs: 10_000 })
    const result = await runCommand(scanner.path, [], { timeoutMs: 300 })
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).toBeNull()
  })
})
