/**
 * A real Debian root filesystem made by mmdebstrap (Debian's own bootstrapper: apt resolves and dpkg
 * installs every package, so /var/lib/dpkg/status is what a Debian image really has), as a tarball cached
 * under `.cache/mmdebstrap/<suite>-<variant>-<YYYY-MM-DD>.tar`. Building one downloads from Debian's
 * archive and takes minutes, so the newest tarball of the same suite and variant is reused for a week.
 */
import { execFile } from 'node:child_process'
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)
const MAX_AGE_MS = 7 * 24 * 3600 * 1000

export interface DebianRootfsOptions {
  suite: string
  /** mmdebstrap --variant (minbase, essential, …). */
  variant: string
  cacheDir: string
  now?: Date
}

/** Why a rootfs cannot be built here, or undefined when mmdebstrap can run (as root). */
export async function mmdebstrapUnavailableReason(): Promise<string | undefined> {
  try {
    await execFileAsync('mmdebstrap', ['--version'])
  } catch {
    return 'mmdebstrap is not installed (apt-get install mmdebstrap)'
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    return 'mmdebstrap --mode=root needs root'
  return undefined
}

/** The cached tarball, building it first when there is none younger than a week. */
export async function debianRootfsTarball(options: DebianRootfsOptions): Promise<string> {
  const now = options.now ?? new Date()
  await mkdir(options.cacheDir, { recursive: true })
  const prefix = `${options.suite}-${options.variant}-`
  const cached = (await readdir(options.cacheDir))
    .filter((name) => name.startsWith(prefix) && /^\d{4}-\d{2}-\d{2}\.tar$/.test(name.slice(prefix.length)))
    .sort()
    .reverse()
  for (const name of cached) {
    const path = join(options.cacheDir, name)
    if (now.getTime() - (await stat(path)).mtime.getTime() < MAX_AGE_MS) return path
  }
  const target = join(options.cacheDir, `${prefix}${now.toISOString().slice(0, 10)}.tar`)
  const partial = `${target}.partial`
  try {
    await execFileAsync(
      'mmdebstrap',
      ['--quiet', `--variant=${options.variant}`, '--mode=root', '--format=tar', options.suite, partial],
      { maxBuffer: 64 * 1024 * 1024 },
    )
    await rename(partial, target)
  } finally {
    await rm(partial, { force: true })
  }
  return target
}
