/**
 * Turns what the user wrote (`image.tar`, `oci:build/oci`, `app:ci`, ...) into an `ImageSource`. Paths
 * are recognised by content; a Docker reference is exported once from the daemon with `docker save`.
 */
import { mkdir, open, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { extract } from 'tar-stream'
import { ConfigurationError, ImageError, errorMessage } from '../util/errors.js'
import { tailLines, type CommandRunner } from '../util/exec.js'
import type { Logger } from '../util/logger.js'
import { ArchiveTooLargeError, gunzipArchive } from './archive-gzip.js'
import { ArchiveIndex, NotATarArchiveError, looksLikeTarHeader } from './archive-index.js'
import type { ImageSource, ImageSourceKind } from './image-types.js'
import { parseReference } from './reference.js'
import { normaliseLayerPath } from './tar-path.js'

export interface ResolveImageOptions {
  /** Relative paths are resolved against this directory. */
  cwd: string
  /** Where a daemon image is exported to. */
  tempDir: string
  run: CommandRunner
  logger: Logger
}

const PREFIXES: readonly (readonly [string, ImageSourceKind])[] = [
  ['docker-archive:', 'docker-archive'],
  ['docker-daemon:', 'daemon'],
  ['docker:', 'daemon'],
  ['oci-archive:', 'oci-archive'],
  ['oci-dir:', 'oci-dir'],
  ['oci:', 'oci-dir'],
]
const NOT_AN_IMAGE =
  'is not a container image (expected a docker save tarball, an OCI layout directory or an OCI archive)'
const DOCKER_PROBE_TIMEOUT_MS = 20_000
const DOCKER_SAVE_TIMEOUT_MS = 30 * 60_000

type PathKind = 'file' | 'directory' | 'missing'

async function pathKind(path: string): Promise<PathKind> {
  try {
    const info = await stat(path)
    return info.isDirectory() ? 'directory' : 'file'
  } catch {
    return 'missing'
  }
}

function absolutePath(input: string, cwd: string): string {
  if (input === '~' || input.startsWith('~/')) return join(homedir(), input.slice(1))
  return resolve(cwd, input)
}

function looksLikePath(input: string): boolean {
  return (
    isAbsolute(input) ||
    /^\.\.?[\\/]/.test(input) ||
    input.startsWith('~') ||
    /\.(tar|tar\.gz|tgz)$/i.test(input)
  )
}

/**
 * Top-level names of a gzip-compressed tar, streamed; stops early once `manifest.json` is seen. The
 * decompressed bytes are capped (`archive-gzip.ts`).
 */
async function gzipTarNames(path: string, maxExpandedBytes?: number): Promise<Set<string> | undefined> {
  const names = new Set<string>()
  const { size } = await stat(path)
  const streams = gunzipArchive(path, {
    compressedSize: size,
    ...(maxExpandedBytes !== undefined ? { maxExpandedBytes } : {}),
  })
  const extractor = extract()
  const decoded = streams.at(-1)!
  decoded.on('error', (error: Error) => extractor.destroy(error))
  decoded.pipe(extractor)
  try {
    for await (const entry of extractor) {
      names.add(normaliseLayerPath(entry.header.name))
      entry.resume()
      if (names.has('manifest.json')) break
    }
    return names
  } catch (error) {
    if (error instanceof ArchiveTooLargeError) throw error
    // Nothing recognisable before the failure: some other gzip file. Otherwise a damaged image.
    if (names.size === 0) return undefined
    throw new ImageError(`${path} is a damaged gzip-compressed archive: ${errorMessage(error)}`, {
      cause: error,
    })
  } finally {
    for (const stream of streams) stream.destroy()
    extractor.destroy()
  }
}

async function fileHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(512)
    const { bytesRead } = await handle.read(buffer, 0, 512, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Which archive a file is, by what it holds; undefined when it is no image archive. */
export async function detectArchiveKind(
  path: string,
  options: { maxExpandedArchiveBytes?: number } = {},
): Promise<'docker-archive' | 'oci-archive' | undefined> {
  const head = await fileHead(path)
  let names: Set<string> | undefined
  let complete = true
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    names = await gzipTarNames(path, options.maxExpandedArchiveBytes)
  } else if (looksLikeTarHeader(head)) {
    try {
      const index = await ArchiveIndex.open(path)
      names = new Set(index.entries.keys())
      complete = index.complete
    } catch (error) {
      if (error instanceof NotATarArchiveError) return undefined
      throw error
    }
  }
  if (names === undefined) return undefined
  if (names.has('manifest.json')) return 'docker-archive'
  if (names.has('oci-layout') && names.has('index.json')) return 'oci-archive'
  // docker save and OCI archives write their manifest or index last: a cut-off archive loses it.
  if (!complete)
    throw new ImageError(`${path} is truncated: the tar archive ends before its manifest or index`)
  return undefined
}

/** `PATH`, or `PATH:REF` when PATH exists and the whole does not (skopeo's `oci:dir:tag` form). */
async function splitPathAndRef(
  value: string,
  cwd: string,
): Promise<{ path: string; ref?: string; kind: PathKind }> {
  const whole = absolutePath(value, cwd)
  const kind = await pathKind(whole)
  if (kind !== 'missing') return { path: whole, kind }
  // The longest existing prefix wins, so a reference may itself hold colons (`x.tar:host:5000/app:1`).
  for (let colon = value.lastIndexOf(':'); colon > 0; colon = value.lastIndexOf(':', colon - 1)) {
    if (colon === value.length - 1) continue
    const path = absolutePath(value.slice(0, colon), cwd)
    const prefixKind = await pathKind(path)
    if (prefixKind !== 'missing') return { path, ref: value.slice(colon + 1), kind: prefixKind }
  }
  return { path: whole, kind }
}

async function explicitSource(
  input: string,
  kind: Exclude<ImageSourceKind, 'daemon'>,
  value: string,
  cwd: string,
): Promise<ImageSource> {
  if (value === '') throw new ConfigurationError(`image "${input}" names no path`)
  const { path, ref, kind: found } = await splitPathAndRef(value, cwd)
  if (found === 'missing') throw new ConfigurationError(`image path ${value} does not exist`)
  const wantsDirectory = kind === 'oci-dir'
  if (wantsDirectory !== (found === 'directory')) {
    throw new ConfigurationError(
      `image "${input}": ${value} is not ${wantsDirectory ? 'a directory' : 'a file'}`,
    )
  }
  if (wantsDirectory && (await pathKind(join(path, 'oci-layout'))) !== 'file') {
    throw new ConfigurationError(
      `image "${input}": ${value} is not an OCI layout directory (no oci-layout file)`,
    )
  }
  const source: ImageSource = { input, kind, path }
  if (ref !== undefined) source.reference = ref
  return source
}

async function detectedSource(input: string, path: string, kind: PathKind): Promise<ImageSource> {
  if (kind === 'directory') {
    if ((await pathKind(join(path, 'oci-layout'))) === 'file') return { input, kind: 'oci-dir', path }
    throw new ConfigurationError(`${input} ${NOT_AN_IMAGE}`)
  }
  const archiveKind = await detectArchiveKind(path)
  if (archiveKind === undefined) throw new ConfigurationError(`${input} ${NOT_AN_IMAGE}`)
  return { input, kind: archiveKind, path }
}

interface DockerStatus {
  available: boolean
  reason: string
}

async function probeDocker(run: CommandRunner): Promise<DockerStatus> {
  try {
    const result = await run('docker', ['version', '--format', '{{.Server.Version}}'], {
      timeoutMs: DOCKER_PROBE_TIMEOUT_MS,
    })
    if (result.timedOut) return { available: false, reason: 'docker version timed out' }
    if (result.exitCode !== 0) {
      const detail = tailLines(result.stderr, 3)
      return { available: false, reason: detail || `docker version exited with ${String(result.exitCode)}` }
    }
    if (result.stdout.trim() === '')
      return { available: false, reason: 'the daemon reported no server version' }
    return { available: true, reason: `Docker ${result.stdout.trim()}` }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {
      available: false,
      reason: code === 'ENOENT' ? 'the docker CLI is not on PATH' : errorMessage(error),
    }
  }
}

/** True when a `docker` CLI is on PATH and its daemon answers. */
export async function dockerAvailable(run: CommandRunner): Promise<boolean> {
  return (await probeDocker(run)).available
}

async function exportFromDaemon(
  input: string,
  reference: string,
  options: ResolveImageOptions,
): Promise<ImageSource> {
  const status = await probeDocker(options.run)
  if (!status.available) {
    throw new ImageError(
      `${reference} looks like a Docker image reference, but no Docker daemon is reachable (${status.reason}). ` +
        'Build with a daemon, or pass a `docker save` tarball or OCI layout path',
    )
  }
  await mkdir(options.tempDir, { recursive: true })
  const stem = reference
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 80)
  let n = 1
  while ((await pathKind(join(options.tempDir, `${stem}-${n}.tar`))) !== 'missing') n++
  const path = join(options.tempDir, `${stem}-${n}.tar`)
  options.logger.info(`exporting ${reference} from the Docker daemon (${status.reason}) to ${path}`)
  let result
  try {
    result = await options.run('docker', ['save', '-o', path, reference], {
      timeoutMs: DOCKER_SAVE_TIMEOUT_MS,
    })
  } catch (error) {
    throw new ImageError(`docker save ${reference} could not run: ${errorMessage(error)}`, { cause: error })
  }
  if (result.exitCode !== 0 || result.timedOut) {
    const why = result.timedOut ? 'timed out' : `exited with ${String(result.exitCode)}`
    throw new ImageError(`docker save ${reference} ${why}: ${tailLines(result.stderr, 5) || 'no output'}`)
  }
  if ((await pathKind(path)) !== 'file') throw new ImageError(`docker save ${reference} wrote no archive`)
  return { input, kind: 'daemon', path, reference }
}

/**
 * Resolves the user's image input. Explicit prefixes: `docker-archive:`, `oci-archive:`, `oci:`/`oci-dir:`,
 * `docker:`/`docker-daemon:`. Without one: an existing path is detected by content, a missing path-looking
 * input is a `ConfigurationError`, a valid Docker reference is exported from the daemon.
 */
export async function resolveImageSource(input: string, options: ResolveImageOptions): Promise<ImageSource> {
  const trimmed = input.trim()
  if (trimmed === '') throw new ConfigurationError('no image was given')
  for (const [prefix, kind] of PREFIXES) {
    if (!trimmed.startsWith(prefix)) continue
    const value = trimmed.slice(prefix.length)
    if (kind !== 'daemon') return explicitSource(trimmed, kind, value, options.cwd)
    if (parseReference(value) === undefined) {
      throw new ConfigurationError(`image "${trimmed}": "${value}" is not a valid Docker image reference`)
    }
    return exportFromDaemon(trimmed, value, options)
  }
  const path = absolutePath(trimmed, options.cwd)
  const kind = await pathKind(path)
  if (kind !== 'missing') return detectedSource(trimmed, path, kind)
  if (looksLikePath(trimmed)) throw new ConfigurationError(`image path ${trimmed} does not exist`)
  if (parseReference(trimmed) !== undefined) return exportFromDaemon(trimmed, trimmed, options)
  throw new ConfigurationError(
    `image "${trimmed}" is neither an existing path nor a valid Docker image reference ` +
      '(expected a docker save tarball, an OCI layout directory, an OCI archive or an image reference)',
  )
}
