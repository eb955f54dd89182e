import { describe, it, expect } from '@jest/globals'
import {
  containerName,
  findDaemonImage,
  keepAliveRunArgs,
  loadedImages,
  withContainer,
} from '../../src/scanners/daemon-image.js'
import type { ScanContext } from '../../src/scanners/scanner.js'
import type { ImageSource, OpenedImage } from '../../src/target/image-types.js'
import { ScannerError } from '../../src/util/errors.js'
import type { CommandRunner, RunResult } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'

const ID = `sha256:${'9'.repeat(64)}`

function result(stdout: string, exitCode = 0, stderr = ''): RunResult {
  return { exitCode, signal: null, timedOut: false, stdout, stderr, durationMs: 1 }
}

function context(source: ImageSource, answer: (args: readonly string[]) => RunResult) {
  const calls: string[][] = []
  const run: CommandRunner = (command, args) => {
    expect(command).toBe('docker')
    calls.push([...args])
    return Promise.resolve(answer(args))
  }
  const logger = new RecordingLogger()
  const ctx: Pick<ScanContext, 'run' | 'env' | 'logger' | 'timeoutMs' | 'source' | 'image'> = {
    run,
    env: {},
    logger,
    timeoutMs: 60_000,
    source,
    image: { imageId: `sha256:${'1'.repeat(64)}` } as OpenedImage,
  }
  return { ctx, calls, logger }
}

const daemon: ImageSource = { input: 'app:ci', kind: 'daemon', path: '/t/saved.tar', reference: 'app:ci' }

describe('findDaemonImage', () => {
  it('falls back to the reference when the daemon names the image by another ID (containerd store)', async () => {
    const { ctx, calls } = await Promise.resolve(
      context(daemon, (args) => (args.at(-1) === 'app:ci' ? result(`${ID}\n`) : result('', 1))),
    )
    expect(await findDaemonImage(ctx, 'docker-bench')).toEqual({ id: ID, shortId: '999999999999' })
    expect(calls.map((c) => c.at(-1))).toEqual([`sha256:${'1'.repeat(64)}`, 'app:ci'])
  })

  it('refuses an OCI layout directory it cannot load', async () => {
    const { ctx } = context({ input: 'oci:build', kind: 'oci-dir', path: '/t/oci' }, () => result('', 1))
    await expect(findDaemonImage(ctx, 'cinc-auditor')).rejects.toThrow(/cannot load an OCI layout directory/)
  })

  it('reports a failed docker load with its output', async () => {
    const { ctx } = context({ input: './i.tar', kind: 'docker-archive', path: '/t/i.tar' }, (args) =>
      args[0] === 'load' ? result('', 1, 'open /t/i.tar: no such file') : result('', 1),
    )
    const error = await findDaemonImage(ctx, 'cinc-auditor').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(/docker load` of \.\/i\.tar failed[\s\S]*no such file/)
  })

  it('reads both forms of docker load output', () => {
    expect(loadedImages(`Loaded image: app:ci\nLoaded image ID: ${ID}\n`)).toEqual(['app:ci', ID])
  })
})

describe('withContainer', () => {
  it('names and labels a waiting container that runs no image command', () => {
    const name = containerName('cinc-auditor')
    expect(name).toMatch(/^csg-cinc-auditor-[0-9a-f]{8}$/)
    expect(keepAliveRunArgs({ name, image: ID, scannerId: 'cinc-auditor' })).toEqual([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'none',
      '--label',
      'org.container-security-gate.scanner=cinc-auditor',
      '--entrypoint',
      'sh',
      ID,
      '-c',
      'while :; do sleep 3600; done',
    ])
  })

  it('removes the container when the body throws, and keeps the body error when removal fails too', async () => {
    const { ctx, calls, logger } = context(daemon, (args) =>
      args[0] === 'run' ? result(`${'e'.repeat(64)}\n`) : result('', 1, 'daemon gone'),
    )
    const body = (): Promise<never> => Promise.reject(new ScannerError('x', 'scanner broke'))
    await expect(withContainer(ctx, { scannerId: 'x', image: ID, name: 'csg-x-1' }, body)).rejects.toThrow(
      'scanner broke',
    )
    expect(calls.at(-1)).toEqual(['rm', '--force', '--volumes', 'csg-x-1'])
    expect(logger.messages('warning')).toEqual(['x: could not remove container csg-x-1: daemon gone'])
  })

  it('passes the container ID to the body and returns its value', async () => {
    const { ctx } = context(daemon, (args) =>
      args[0] === 'run' ? result(`${'e'.repeat(64)}\n`) : result(''),
    )
    expect(
      await withContainer(ctx, { scannerId: 'x', image: ID, name: 'n' }, (id) => Promise.resolve(id.length)),
    ).toBe(64)
  })
})
