/** Stage: the images the user named, found and opened once for every scanner. */
import type { Config } from '../config/config.js'
import { resolveImageSource } from '../target/image.js'
import { openImage } from '../target/image-reader.js'
import type { OpenedImage } from '../target/image-types.js'
import { repositoryOf } from '../target/reference.js'
import { reportedTargetNames } from '../target/target-name.js'
import type { PipelineDeps } from './deps.js'

export interface ScanTarget {
  /** The name findings and reports carry (`reportedTargetName`: no absolute runner path). */
  name: string
  /** The image as the user wrote it (an imported report may name it so). */
  writtenName?: string
  image: OpenedImage
  repository: string
}

export async function resolveTargets(config: Config, deps: PipelineDeps): Promise<ScanTarget[]> {
  const targets: ScanTarget[] = []
  try {
    const reportedNames = reportedTargetNames(config.images, config.workspace)
    for (const [i, written] of config.images.entries()) {
      const source = await resolveImageSource(written, {
        cwd: config.workspace,
        tempDir: config.tempDir,
        run: deps.run,
        logger: deps.logger,
      })
      const image = await openImage(source, { tempDir: config.tempDir, logger: deps.logger })
      targets.push({
        name: reportedNames[i] ?? written,
        writtenName: written,
        image,
        repository: repositoryOf(source, image),
      })
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
