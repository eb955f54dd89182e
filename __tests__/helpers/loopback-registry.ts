/**
 * The real registry (Debian's `docker-registry`, github.com/docker/distribution 2.8) on a free
 * 127.0.0.1 port, with its own config and storage under `dir`. A Docker daemon treats 127.0.0.0/8 as an
 * insecure registry by default, so `docker push 127.0.0.1:<port>/…` works over plain HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { access, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'

export const DOCKER_REGISTRY = '/usr/bin/docker-registry'

export interface LoopbackRegistry {
  /** `127.0.0.1:<port>`, the registry part of an image reference. */
  host: string
  /** The manifest digest the registry serves for `repository:tag` (its `Docker-Content-Digest`). */
  manifestDigest(repository: string, tag: string): Promise<string | undefined>
  stop(): Promise<void>
}

/** Why the registry cannot run here, or undefined. */
export async function registryUnavailableReason(): Promise<string | undefined> {
  try {
    await access(DOCKER_REGISTRY)
    return undefined
  } catch {
    return `${DOCKER_REGISTRY} is missing (apt-get install docker-registry)`
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise<void>((done) => server.close(() => done()))
  if (address === null || typeof address === 'string') throw new Error('no free port')
  return address.port
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200
  } catch {
    return false
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(force)
      done()
    })
    child.kill('SIGTERM')
  })
}

/** Starts the registry with storage in `dir` and waits until `/v2/` answers. */
export async function startLoopbackRegistry(dir: string): Promise<LoopbackRegistry> {
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  // The configuration format of distribution 2.8 (docs/configuration.md): filesystem storage, no auth.
  const config = join(dir, 'config.yml')
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      'http:',
      `  addr: ${host}`,
      '',
    ].join('\n'),
  )
  let output = ''
  const child = spawn(DOCKER_REGISTRY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    if (await answers(`http://${host}/v2/`)) {
      return {
        host,
        async manifestDigest(repository, tag) {
          const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
            method: 'HEAD',
            headers: {
              accept: [
                'application/vnd.docker.distribution.manifest.v2+json',
                'application/vnd.oci.image.manifest.v1+json',
              ].join(', '),
            },
          })
          return response.status === 200
            ? (response.headers.get('docker-content-digest') ?? undefined)
            : undefined
        },
        stop: () => stopChild(child),
      }
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  await stopChild(child)
  throw new Error(`docker-registry did not answer on ${host}:\n${output.slice(-2000)}`)
}
