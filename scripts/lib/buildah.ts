/**
 * Builds images from real Dockerfiles with Debian's buildah (rootful, vfs storage, chroot isolation: no
 * daemon, no network) and exports them in the three forms the gate reads, as other tools write them:
 * `docker-archive:`, `oci-archive:` and an `oci:` layout directory.
 */
import { execFile } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

export interface BuiltWithBuildah {
  dockerArchive: string
  ociArchive: string
  ociDir: string
}

/** Why buildah cannot build here (missing, or not root), or undefined when it can. */
export async function buildahUnavailableReason(): Promise<string | undefined> {
  try {
    await execFileAsync('buildah', ['--version'])
  } catch {
    return 'buildah is not installed (apt-get install buildah)'
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'buildah builds here need root'
  return undefined
}

export async function buildWithBuildah(options: {
  context: string
  /** Image name, e.g. `localhost/acme/app:1.0`. */
  tag: string
  /** Where the exported image files go. */
  outDir: string
  /** Storage root of this build (a temp dir). */
  storage: string
  buildArgs?: Record<string, string>
  /** Image format in storage (default `docker`); `oci` keeps manifest annotations such as the base name. */
  format?: 'docker' | 'oci'
}): Promise<BuiltWithBuildah> {
  const global = [
    '--storage-driver',
    'vfs',
    '--root',
    join(options.storage, 'root'),
    '--runroot',
    join(options.storage, 'run'),
  ]
  const buildArgs = Object.entries(options.buildArgs ?? {}).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`])
  await mkdir(options.outDir, { recursive: true })
  const env = { ...process.env, BUILDAH_ISOLATION: 'chroot' }
  await execFileAsync(
    'buildah',
    [
      ...global,
      'build',
      '--layers',
      '--format',
      options.format ?? 'docker',
      '--isolation',
      'chroot',
      ...buildArgs,
      '-t',
      options.tag,
      options.context,
    ],
    { env, maxBuffer: 64 * 1024 * 1024 },
  )
  const repoTag = options.tag.replace(/^localhost\//, '')
  const out: BuiltWithBuildah = {
    dockerArchive: join(options.outDir, 'image-docker.tar'),
    ociArchive: join(options.outDir, 'image-oci.tar'),
    ociDir: join(options.outDir, 'image-oci'),
  }
  await execFileAsync(
    'buildah',
    [...global, 'push', options.tag, `docker-archive:${out.dockerArchive}:${repoTag}`],
    { env },
  )
  await execFileAsync(
    'buildah',
    [...global, 'push', options.tag, `oci-archive:${out.ociArchive}:${repoTag}`],
    { env },
  )
  await execFileAsync('buildah', [...global, 'push', options.tag, `oci:${out.ociDir}:${repoTag}`], { env })
  return out
}
