/** Stage: the images the user named, found (or pulled) and opened once for every scanner. */
import type { Config } from '../config/config.js'
import { resolveImageSource } from '../target/image.js'
import { imageInternals, imagePlatforms, openImage } from '../target/image-reader.js'
import type { ImageSource, OpenedImage } from '../target/image-types.js'
import {
  platformSlug,
  platformText,
  runnerPlatform,
  selectPlatforms,
  type ImagePlatform,
} from '../target/platform.js'
import { repositoryOf } from '../target/reference.js'
import { REGISTRY_PREFIX } from '../target/registry/image-reference.js'
import { pullRegistryImage } from '../target/registry/pull.js'
import { reportedTargetNames } from '../target/target-name.js'
import type { PipelineDeps } from './deps.js'

export interface ScanTarget {
  /** The name findings and reports carry (`reportedTargetName`: no absolute runner path). */
  name: string
  /** The image as the user wrote it (an imported report may name it so). */
  writtenName?: string
  image: OpenedImage
  repository: string
  /** The platform scanned, when the `platform` input chose one or more. */
  platform?: ImagePlatform
}

interface OpenedPlatform {
  image: OpenedImage
  source: ImageSource
  platform?: ImagePlatform
}

/** `linux/arm64` → `arm64`, `linux/arm/v7` → `arm/v7`: what the OCI layout reader takes. */
function architectureOption(platform: ImagePlatform): string {
  return platform.variant === undefined
    ? platform.architecture
    : `${platform.architecture}/${platform.variant}`
}

async function openRegistryImage(
  written: string,
  config: Config,
  deps: PipelineDeps,
): Promise<OpenedPlatform[]> {
  const pulled = await pullRegistryImage(written, {
    tempDir: config.tempDir,
    platforms: config.platforms,
    ...(config.registry.username !== undefined ? { username: config.registry.username } : {}),
    ...(config.registry.password !== undefined ? { password: config.registry.password } : {}),
    insecureRegistries: config.registry.insecureRegistries,
    env: { ...deps.env },
    run: deps.run,
    logger: deps.logger,
  })
  const opened: OpenedPlatform[] = []
  try {
    for (const { source, platform } of pulled.images) {
      const image = await openImage(source, { tempDir: config.tempDir, logger: deps.logger })
      // Every image removes the pulled layouts when closed (idempotent): the last one closed wins.
      imageInternals(image)?.onClose(pulled.cleanup)
      opened.push(platform !== undefined ? { image, source, platform } : { image, source })
    }
  } catch (error) {
    await Promise.all(opened.map((o) => o.image.close().catch(() => undefined)))
    await pulled.cleanup()
    throw error
  }
  return opened
}

async function openLocalImage(
  written: string,
  config: Config,
  deps: PipelineDeps,
): Promise<OpenedPlatform[]> {
  const source = await resolveImageSource(written, {
    cwd: config.workspace,
    tempDir: config.tempDir,
    run: deps.run,
    logger: deps.logger,
  })
  const options = { tempDir: config.tempDir, logger: deps.logger }
  if (config.platforms.kind === 'default') return [{ image: await openImage(source, options), source }]
  const available = (await imagePlatforms(source, options)).map((p) => ({
    platform: {
      os: p.os ?? 'linux',
      architecture: p.architecture!,
      ...(p.variant ? { variant: p.variant } : {}),
    },
  }))
  if (available.length === 0) {
    // A single image: its own platform must be the one asked for.
    const image = await openImage(source, options)
    const own =
      image.architecture !== undefined
        ? [{ platform: { os: image.os ?? 'linux', architecture: image.architecture } }]
        : []
    try {
      const [chosen] = selectPlatforms(own, config.platforms, {
        runner: runnerPlatform(),
        description: written,
      })
      return chosen ? [{ image, source, platform: chosen.platform }] : [{ image, source }]
    } catch (error) {
      await image.close()
      throw error
    }
  }
  const chosen = selectPlatforms(available, config.platforms, {
    runner: runnerPlatform(),
    description: written,
  })
  const opened: OpenedPlatform[] = []
  try {
    for (const { platform } of chosen) {
      const picked: ImageSource =
        available.length > 1 ? { ...source, selectedImage: platformText(platform) } : source
      const image = await openImage(picked, { ...options, architecture: architectureOption(platform) })
      opened.push({ image, source: picked, platform })
    }
  } catch (error) {
    await Promise.all(opened.map((o) => o.image.close().catch(() => undefined)))
    throw error
  }
  return opened
}

export async function resolveTargets(config: Config, deps: PipelineDeps): Promise<ScanTarget[]> {
  const targets: ScanTarget[] = []
  try {
    const reportedNames = reportedTargetNames(config.images, config.workspace)
    for (const [i, written] of config.images.entries()) {
      const opened = written.trim().startsWith(REGISTRY_PREFIX)
        ? await openRegistryImage(written, config, deps)
        : await openLocalImage(written, config, deps)
      const name = reportedNames[i] ?? written
      for (const { image, source, platform } of opened) {
        const repository = repositoryOf(source, image)
        // With the platform input set, each platform is a target of its own: its own name, and its own
        // repository (so its own SARIF category, fingerprints and summary section).
        const perPlatform = config.platforms.kind !== 'default' && platform !== undefined
        const target: ScanTarget = {
          name: perPlatform ? `${name} (${platformText(platform)})` : name,
          writtenName: written,
          image,
          repository: perPlatform ? `${repository}@${platformSlug(platform)}` : repository,
        }
        if (platform !== undefined) target.platform = platform
        targets.push(target)
      }
    }
  } catch (error) {
    await closeTargets(targets)
    throw error
  }
  return targets
}

export async function closeTargets(targets: readonly ScanTarget[]): Promise<void> {
  await Promise.all(targets.map((t) => t.image.close().catch(() => undefined)))
}
