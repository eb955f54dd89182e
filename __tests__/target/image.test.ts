import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip, gzipSync } from 'node:zlib'
import { dockerAvailable, resolveImageSource } from '../../src/target/image.js'
import { ConfigurationError, ImageError } from '../../src/util/errors.js'
import type { CommandRunner, RunResult } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { writeHostileDockerArchive } from '../../scripts/lib/hostile-images.js'
import { writeImage, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { packTar } from '../../scripts/lib/tar-writer.js'

const SPEC: ImageSpec = { steps: [{ createdBy: 'ADD a /', entries: [{ path: 'a', content: 'x' }] }] }

let cwd: string
let tempDir: string
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'csg-image-'))
  tempDir = join(cwd, 'runner-temp')
  await writeImage(SPEC, { format: 'docker-archive', out: join(cwd, 'legacy.tar') })
  await writeImage(SPEC, { format: 'docker-archive-oci', out: join(cwd, 'docker25.tar') })
  await writeImage(SPEC, { format: 'oci-archive', out: join(cwd, 'oci.tar') })
  await writeImage(SPEC, { format: 'oci-dir', out: join(cwd, 'layout'), repoTag: 'v1' })
  for (const name of ['legacy.tar', 'oci.tar']) {
    await pipeline(
      createReadStream(join(cwd, name)),
      createGzip(),
      createWriteStream(join(cwd, `${name}.gz`)),
    )
  }
  await mkdir(join(cwd, 'empty-dir'))
  await writeFile(join(cwd, 'notes.txt'), 'just some notes\n'.repeat(64))
  await writeFile(join(cwd, 'notes.gz'), gzipSync('just some notes\n'.repeat(64)))
  await writeFile(join(cwd, 'other.tar'), await packTar([{ name: 'README.md', content: 'hi' }]))
  await writeHostileDockerArchive('truncated-archive', join(cwd, 'truncated.tar'))
})
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true })
})

function result(partial: Partial<RunResult>): RunResult {
  return { exitCode: 0, signal: null, timedOut: false, stdout: '', stderr: '', durationMs: 1, ...partial }
}

interface FakeRun {
  run: CommandRunner
  calls: string[][]
}

/** A docker stand-in: `version` answers as told; `save -o PATH` writes a file and succeeds. */
function fakeDocker(version: 'ok' | 'no-cli' | 'no-daemon', save: 'ok' | 'fail' = 'ok'): FakeRun {
  const calls: string[][] = []
  const run: CommandRunner = async (command, args) => {
    calls.push([command, ...args])
    if (args[0] === 'version') {
      if (version === 'no-cli') throw Object.assign(new Error('spawn docker ENOENT'), { code: 'ENOENT' })
      if (version === 'no-daemon') {
        return result({
          exitCode: 1,
          stdout: '\n',
          stderr:
            'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
        })
      }
      return result({ stdout: '27.3.1\n' })
    }
    if (args[0] === 'save') {
      if (save === 'fail')
        return result({ exitCode: 1, stderr: 'Error response from daemon: reference does not exist' })
      await writeFile(args[2]!, 'archive')
      return result({})
    }
    throw new Error(`unexpected ${command} ${args.join(' ')}`)
  }
  return { run, calls }
}

function resolve(input: string, fake: FakeRun = fakeDocker('no-cli')) {
  return resolveImageSource(input, { cwd, tempDir, run: fake.run, logger: new RecordingLogger() })
}

describe('resolveImageSource with prefixes', () => {
  it.each([
    ['docker-archive:legacy.tar', 'docker-archive', 'legacy.tar', undefined],
    ['oci-archive:oci.tar', 'oci-archive', 'oci.tar', undefined],
    ['oci:layout', 'oci-dir', 'layout', undefined],
    ['oci-dir:./layout', 'oci-dir', 'layout', undefined],
    ['oci:layout:v1', 'oci-dir', 'layout', 'v1'],
    ['oci-archive:oci.tar:example.com/app:1', 'oci-archive', 'oci.tar', 'example.com/app:1'],
    [
      'docker-archive:legacy.tar:localhost:5000/app:1',
      'docker-archive',
      'legacy.tar',
      'localhost:5000/app:1',
    ],
    ['docker-archive:legacy.tar.gz', 'docker-archive', 'legacy.tar.gz', undefined],
  ])('%s → %s', async (input, kind, relativePath, reference) => {
    const source = await resolve(input)
    expect(source).toEqual({
      input,
      kind,
      path: join(cwd, relativePath),
      ...(reference !== undefined ? { reference } : {}),
    })
  })

  it('accepts absolute paths', async () => {
    expect(await resolve(`docker-archive:${join(cwd, 'legacy.tar')}`)).toMatchObject({
      path: join(cwd, 'legacy.tar'),
    })
  })

  it.each([
    ['docker-archive:missing.tar', /image path missing.tar does not exist/],
    ['oci:missing-dir', /image path missing-dir does not exist/],
    ['oci:legacy.tar', /is not a directory/],
    ['docker-archive:layout', /is not a file/],
    ['oci:empty-dir', /not an OCI layout directory \(no oci-layout file\)/],
    ['oci-archive:', /names no path/],
    ['docker:Not Valid', /is not a valid Docker image reference/],
  ])('%s → ConfigurationError', async (input, message) => {
    const promise = resolve(input)
    await expect(promise).rejects.toBeInstanceOf(ConfigurationError)
    await expect(promise).rejects.toThrow(message)
  })
})

describe('resolveImageSource by content', () => {
  it.each([
    ['legacy.tar', 'docker-archive'],
    ['docker25.tar', 'docker-archive'],
    ['oci.tar', 'oci-archive'],
    ['legacy.tar.gz', 'docker-archive'],
    ['oci.tar.gz', 'oci-archive'],
    ['layout', 'oci-dir'],
    ['./layout/', 'oci-dir'],
  ])('%s is detected as %s', async (input, kind) => {
    const source = await resolve(input)
    expect(source.kind).toBe(kind)
    expect(source.input).toBe(input)
    expect(source.reference).toBeUndefined()
  })

  it.each(['notes.txt', 'notes.gz', 'other.tar', 'empty-dir'])(
    '%s is not a container image',
    async (input) => {
      const promise = resolve(input)
      await expect(promise).rejects.toBeInstanceOf(ConfigurationError)
      await expect(promise).rejects.toThrow(
        /is not a container image \(expected a docker save tarball, an OCI layout directory or an OCI archive\)/,
      )
    },
  )

  it('reports a damaged image archive as an ImageError, not a configuration problem', async () => {
    await expect(resolve('truncated.tar')).rejects.toBeInstanceOf(ImageError)
  })

  it.each([
    '/nonexistent/image.tar',
    './build/image',
    '../image',
    '~/images/app.tar',
    'image.tar',
    'app.tar.gz',
    'app.tgz',
  ])('a missing path-looking input %s is a ConfigurationError', async (input) => {
    const fake = fakeDocker('ok')
    const promise = resolve(input, fake)
    await expect(promise).rejects.toBeInstanceOf(ConfigurationError)
    await expect(promise).rejects.toThrow(/image path .* does not exist/)
    expect(fake.calls).toEqual([])
  })

  it.each(['', '   ', 'Not A Ref!', 'Upper', 'app:-tag'])(
    '%j is neither path nor reference',
    async (input) => {
      await expect(resolve(input)).rejects.toBeInstanceOf(ConfigurationError)
    },
  )
})

describe('resolveImageSource with a Docker reference', () => {
  it.each([
    ['no-cli', /the docker CLI is not on PATH/],
    ['no-daemon', /Cannot connect to the Docker daemon/],
  ] as const)('without a daemon (%s) → ImageError', async (state, reason) => {
    const promise = resolve('app:ci', fakeDocker(state))
    await expect(promise).rejects.toBeInstanceOf(ImageError)
    await expect(promise).rejects.toThrow(
      /app:ci looks like a Docker image reference, but no Docker daemon is reachable/,
    )
    await expect(promise).rejects.toThrow(reason)
    await expect(promise).rejects.toThrow(/pass a `docker save` tarball or OCI layout path/)
  })

  it('exports once with docker save (argv, no shell) into the temp dir', async () => {
    const fake = fakeDocker('ok')
    const source = await resolve('ghcr.io/acme/app:1.2', fake)
    const path = join(tempDir, 'ghcr.io-acme-app-1.2-1.tar')
    expect(fake.calls).toEqual([
      ['docker', 'version', '--format', '{{.Server.Version}}'],
      ['docker', 'save', '-o', path, 'ghcr.io/acme/app:1.2'],
    ])
    expect(source).toEqual({
      input: 'ghcr.io/acme/app:1.2',
      kind: 'daemon',
      path,
      reference: 'ghcr.io/acme/app:1.2',
    })
    // A second export of the same reference does not overwrite the first.
    const again = await resolve('docker:ghcr.io/acme/app:1.2', fakeDocker('ok'))
    expect(again.path).toBe(join(tempDir, 'ghcr.io-acme-app-1.2-2.tar'))
    expect(again.reference).toBe('ghcr.io/acme/app:1.2')
    expect(again.input).toBe('docker:ghcr.io/acme/app:1.2')
  })

  it('passes a hostile-looking reference as one argument', async () => {
    const fake = fakeDocker('ok')
    await resolve('docker-daemon:app:x--output', fake)
    expect(fake.calls[1]?.at(-1)).toBe('app:x--output')
  })

  it('turns a failing docker save into an ImageError with its stderr', async () => {
    const promise = resolve('app:missing', fakeDocker('ok', 'fail'))
    await expect(promise).rejects.toBeInstanceOf(ImageError)
    await expect(promise).rejects.toThrow(/docker save app:missing exited with 1: Error response from daemon/)
  })
})

describe('dockerAvailable', () => {
  it.each([
    ['ok', true],
    ['no-cli', false],
    ['no-daemon', false],
  ] as const)('%s → %s', async (state, expected) => {
    expect(await dockerAvailable(fakeDocker(state).run)).toBe(expected)
  })
})
