/**
 * The Docker daemon side of the scanners that need one (docker-bench, cinc-auditor): finding the
 * scanned image in the daemon (loading an archive when it is not there), and running a throw-away
 * container from it that is ALWAYS removed afterwards. Every docker call goes through `ctx.run` with an
 * argument array.
 */
import { randomBytes } from 'node:crypto'
import { ScannerError, errorMessage } from '../util/errors.js'
import { tailLines, type RunResult } from '../util/exec.js'
import type { ScanContext } from './scanner.js'

/** Short docker CLI calls (inspect, load, run -d, rm) get at most this long. */
export const DOCKER_CALL_TIMEOUT_MS = 5 * 60_000
const REMOVE_TIMEOUT_MS = 60_000

/** The image as the daemon knows it. */
export interface DaemonImage {
  /** `sha256:<64 hex>`: the daemon's image ID (the config digest, or the manifest digest with the containerd store). */
  id: string
  /** The first 12 hex digits, as `docker images` prints the ID. */
  shortId: string
}

type DockerContext = Pick<ScanContext, 'run' | 'env' | 'logger' | 'timeoutMs' | 'source' | 'image'>

async function docker(ctx: DockerContext, args: readonly string[], timeoutMs?: number): Promise<RunResult> {
  return ctx.run('docker', args, {
    env: { ...ctx.env },
    timeoutMs: Math.min(timeoutMs ?? DOCKER_CALL_TIMEOUT_MS, ctx.timeoutMs),
  })
}

const IMAGE_ID = /^sha256:[0-9a-f]{64}$/

/** The daemon's ID of `ref`, or undefined when the daemon does not have it. */
async function inspectImageId(ctx: DockerContext, ref: string): Promise<string | undefined> {
  const result = await docker(ctx, ['image', 'inspect', '--format', '{{.Id}}', ref])
  const id = result.stdout.trim()
  return result.exitCode === 0 && IMAGE_ID.test(id) ? id : undefined
}

function daemonImage(id: string): DaemonImage {
  return { id, shortId: id.slice('sha256:'.length, 'sha256:'.length + 12) }
}

/** `Loaded image ID: sha256:…` or `Loaded image: name:tag` lines of `docker load`. */
export function loadedImages(stdout: string): string[] {
  return [...stdout.matchAll(/^Loaded image(?: ID)?: (\S+)\s*$/gm)].map((m) => m[1]!)
}

/**
 * The scanned image in the daemon: by image ID, else (daemon source) by its reference. An archive that
 * the daemon does not have is loaded once (`docker load`; docker-archive, and OCI archives on Docker 25+).
 * An OCI layout directory cannot be loaded: `ScannerError` naming the scanner.
 */
export async function findDaemonImage(ctx: DockerContext, scannerId: string): Promise<DaemonImage> {
  const byId = await inspectImageId(ctx, ctx.image.imageId)
  if (byId !== undefined) return daemonImage(byId)
  const { source } = ctx
  if (source.kind === 'daemon' && source.reference !== undefined) {
    const byRef = await inspectImageId(ctx, source.reference)
    if (byRef !== undefined) return daemonImage(byRef)
    throw new ScannerError(
      scannerId,
      `${scannerId} needs ${source.reference} in the Docker daemon, but \`docker image inspect\` cannot find it`,
    )
  }
  if (source.kind === 'oci-dir') {
    throw new ScannerError(
      scannerId,
      `${scannerId} runs against the Docker daemon and cannot load an OCI layout directory (${source.input}); ` +
        'give a docker-archive tarball or a daemon image, or deselect it',
    )
  }
  ctx.logger.info(`${scannerId}: loading ${source.input} into the Docker daemon (docker load)`)
  const load = await docker(ctx, ['load', '--input', source.path])
  if (load.exitCode !== 0) {
    throw new ScannerError(
      scannerId,
      `${scannerId}: \`docker load\` of ${source.input} failed (exit ${String(load.exitCode)})\n${tailLines(load.stderr || load.stdout)}`,
    )
  }
  for (const ref of [ctx.image.imageId, ...loadedImages(load.stdout)]) {
    const id = await inspectImageId(ctx, ref)
    if (id !== undefined) return daemonImage(id)
  }
  throw new ScannerError(
    scannerId,
    `${scannerId}: ${source.input} was loaded but the daemon does not show it under ${ctx.image.imageId}`,
  )
}

/** A container name of our own: `csg-<scanner>-<label>-<random>`. */
export function containerName(scannerId: string, label?: string): string {
  const parts = ['csg', scannerId, ...(label !== undefined ? [label] : []), randomBytes(4).toString('hex')]
  return parts.join('-')
}

/**
 * `docker run` arguments of a container that only waits: the image's own command is never run (it may
 * need configuration, reach the network or exit at once); no network; labelled as ours.
 */
export function keepAliveRunArgs(options: { name: string; image: string; scannerId: string }): string[] {
  return [
    'run',
    '--detach',
    '--name',
    options.name,
    '--network',
    'none',
    '--label',
    `org.container-security-gate.scanner=${options.scannerId}`,
    '--entrypoint',
    'sh',
    options.image,
    '-c',
    'while :; do sleep 3600; done',
  ]
}

/**
 * Starts a waiting container from `image`, runs `body` with its ID, and removes the container in every
 * case: success, a scanner error, a timeout, or a failed start (it may exist without running). A failed
 * removal is a warning, never hiding the outcome of `body`.
 */
export async function withContainer<T>(
  ctx: DockerContext,
  options: { scannerId: string; image: string; name: string },
  body: (containerId: string) => Promise<T>,
): Promise<T> {
  const { scannerId, name } = options
  try {
    const started = await docker(ctx, keepAliveRunArgs(options))
    const containerId = started.stdout.trim().split(/\s+/).pop() ?? ''
    if (started.timedOut || started.exitCode !== 0 || !/^[0-9a-f]{12,64}$/.test(containerId)) {
      const why = started.timedOut ? 'timed out' : `exited with code ${String(started.exitCode)}`
      throw new ScannerError(
        scannerId,
        `${scannerId}: could not start a container from ${options.image} (docker run ${why}); the image needs ` +
          `\`sh\` and \`sleep\` to be kept running\n${tailLines(started.stderr || started.stdout)}`,
      )
    }
    return await body(containerId)
  } finally {
    await removeContainer(ctx, scannerId, name)
  }
}

async function removeContainer(ctx: DockerContext, scannerId: string, name: string): Promise<void> {
  try {
    const removed = await docker(ctx, ['rm', '--force', '--volumes', name], REMOVE_TIMEOUT_MS)
    // "No such container" after a start that never created one is fine.
    if (removed.exitCode !== 0 && !/no such container/i.test(removed.stderr)) {
      ctx.logger.warning(`${scannerId}: could not remove container ${name}: ${tailLines(removed.stderr, 3)}`)
    }
  } catch (error) {
    ctx.logger.warning(`${scannerId}: could not remove container ${name}: ${errorMessage(error)}`)
  }
}
