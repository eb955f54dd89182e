/**
 * Builds an image with real tools, to check the reader against what they write rather than against our
 * own generator: `umoci` makes an OCI layout from directory trees (one `unpack`/`repack` per layer, so
 * deletions become real whiteouts) and `skopeo` converts it to a docker-archive and an OCI archive.
 *
 * `umoci config` has no healthcheck option (HEALTHCHECK is a Docker extension the OCI config lacks), so
 * images built here never have one.
 */
import { execFile } from 'node:child_process'
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)
const REAL_TOOLS = ['umoci', 'skopeo'] as const

export interface RealLayerSpec {
  createdBy: string
  files?: { path: string; content: string; mode?: number }[]
  /** Paths deleted in this layer (umoci writes whiteouts for them). */
  remove?: string[]
}

export interface RealImageSpec {
  layers: RealLayerSpec[]
  config?: {
    User?: string
    ExposedPorts?: string[]
    Env?: string[]
    Labels?: Record<string, string>
    WorkingDir?: string
    Cmd?: string[]
    Entrypoint?: string[]
  }
}

export interface RealImage {
  /** OCI layout directory (umoci). */
  ociDir: string
  /** The tag inside `ociDir`. */
  tag: string
  /** `skopeo copy oci:… docker-archive:…` output. */
  dockerArchive: string
  /** `skopeo copy oci:… oci-archive:…` output. */
  ociArchive: string
}

async function run(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error)
    throw new Error(`${command} ${args.join(' ')} failed: ${detail.trim()}`, { cause: error })
  }
}

/** The real tools that are not installed (empty when all are). */
export async function missingRealTools(): Promise<string[]> {
  const missing: string[] = []
  for (const tool of REAL_TOOLS) {
    try {
      await execFileAsync(tool, ['--version'])
    } catch {
      missing.push(tool)
    }
  }
  return missing
}

/** True when `umoci` and `skopeo` both run. */
export async function realToolsAvailable(): Promise<boolean> {
  return (await missingRealTools()).length === 0
}

function configArgs(config: NonNullable<RealImageSpec['config']>): string[] {
  const args: string[] = []
  if (config.User !== undefined) args.push('--config.user', config.User)
  for (const port of config.ExposedPorts ?? []) args.push('--config.exposedports', port)
  for (const env of config.Env ?? []) args.push('--config.env', env)
  for (const [key, value] of Object.entries(config.Labels ?? {}))
    args.push('--config.label', `${key}=${value}`)
  if (config.WorkingDir !== undefined) args.push('--config.workingdir', config.WorkingDir)
  for (const part of config.Cmd ?? []) args.push('--config.cmd', part)
  for (const part of config.Entrypoint ?? []) args.push('--config.entrypoint', part)
  return args
}

/**
 * Builds `spec` under `workDir` and exports it three ways. `reference` (e.g. `example.com/acme/app:1.0`)
 * becomes the RepoTag of the docker-archive and the ref name of the OCI archive.
 */
export async function buildRealImage(
  spec: RealImageSpec,
  options: { workDir: string; tag?: string; reference?: string },
): Promise<RealImage> {
  const tag = options.tag ?? '1.0'
  const reference = options.reference ?? 'example.com/acme/app:1.0'
  const ociDir = join(options.workDir, 'oci')
  const image = `${ociDir}:${tag}`
  await mkdir(options.workDir, { recursive: true })
  await rm(ociDir, { recursive: true, force: true })
  await run('umoci', ['init', '--layout', ociDir])
  await run('umoci', ['new', '--image', image])

  for (const [i, layer] of spec.layers.entries()) {
    // A fresh unpack per layer: repack diffs the bundle against the state it was unpacked from.
    const bundle = join(options.workDir, `bundle-${i}`)
    await rm(bundle, { recursive: true, force: true })
    await run('umoci', ['unpack', '--rootless', '--image', image, bundle])
    const rootfs = join(bundle, 'rootfs')
    for (const file of layer.files ?? []) {
      const target = join(rootfs, file.path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, file.content)
      await chmod(target, file.mode ?? 0o644)
    }
    for (const path of layer.remove ?? []) await rm(join(rootfs, path), { recursive: true, force: true })
    await run('umoci', ['repack', '--history.created_by', layer.createdBy, '--image', image, bundle])
    await rm(bundle, { recursive: true, force: true })
  }
  if (spec.config !== undefined) {
    await run('umoci', [
      'config',
      '--history.created_by',
      'umoci config',
      ...configArgs(spec.config),
      '--image',
      image,
    ])
  }

  const dockerArchive = join(options.workDir, 'docker-archive.tar')
  const ociArchive = join(options.workDir, 'oci-archive.tar')
  await rm(dockerArchive, { force: true })
  await rm(ociArchive, { force: true })
  // Local file-to-file copies: the host's signature policy (meant for registry pulls) does not apply.
  await run('skopeo', [
    '--insecure-policy',
    'copy',
    '--quiet',
    `oci:${image}`,
    `docker-archive:${dockerArchive}:${reference}`,
  ])
  await run('skopeo', [
    '--insecure-policy',
    'copy',
    '--quiet',
    `oci:${image}`,
    `oci-archive:${ociArchive}:${reference}`,
  ])
  return { ociDir, tag, dockerArchive, ociArchive }
}
