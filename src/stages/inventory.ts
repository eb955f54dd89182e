/**
 * Stage: the package inventory of every image, read natively from its layers when an SBOM or a dependency
 * snapshot is asked for. This is its own streamed pass over the layers (bounded reads, like the builtin
 * checks' pass), so a run that asks for neither pays nothing.
 */
import type { Config } from '../config/config.js'
import { readInventory } from '../inventory/collect.js'
import type { ImageInventory } from '../inventory/package.js'
import type { PipelineDeps } from './deps.js'
import type { ScanTarget } from './targets.js'

export function wantsInventory(config: Config): boolean {
  return config.sbomFile !== undefined || config.dependencySnapshot
}

export async function readInventories(
  targets: readonly ScanTarget[],
  config: Config,
  deps: Pick<PipelineDeps, 'logger'>,
): Promise<ImageInventory[]> {
  if (!wantsInventory(config)) return []
  const inventories: ImageInventory[] = []
  for (const target of targets) {
    const started = Date.now()
    const inventory = await readInventory(target.image, { target: target.name })
    deps.logger.info(
      `Inventory of ${target.name}: ${inventory.packages.length} package(s) in ${Date.now() - started} ms.`,
    )
    for (const note of inventory.notes) deps.logger.info(`Inventory of ${target.name}: ${note}`)
    inventories.push(inventory)
  }
  return inventories
}
