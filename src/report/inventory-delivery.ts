/**
 * What the run does with the image inventories once the gate has run: write the SBOM file (action and
 * CLI) and submit the dependency snapshot (action). Neither fails the gate: a snapshot GitHub refuses is
 * one warning, as the SARIF upload's is.
 */
import type { Config } from '../config/config.js'
import type { Logger } from '../util/logger.js'
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../version.js'
import { submitDependencySnapshot, type SnapshotResult } from './dependency-snapshot.js'
import type { GateResult } from './gate-result.js'
import type { GitHubContext } from './github-context.js'
import type { HttpTransport } from './github-http.js'
import { writeSbomFile } from './sbom.js'

/** Writes the SBOM when `sbom-file` is set; returns its path. */
export async function writeSbom(config: Config, result: GateResult): Promise<string | undefined> {
  if (config.sbomFile === undefined) return undefined
  const imageIds: Record<string, string> = {}
  for (const image of result.images) if (image.imageId !== undefined) imageIds[image.target] = image.imageId
  const findings = Object.fromEntries(result.images.map((image) => [image.target, image.findings]))
  await writeSbomFile(config.sbomFile, {
    format: config.sbomFormat,
    inventories: result.inventories ?? [],
    imageIds,
    findings,
    toolName: TOOL_NAME,
    toolVersion: TOOL_VERSION,
    timestamp: new Date(result.startedAt),
  })
  return config.sbomFile
}

const MAX_NOTES_PER_IMAGE = 3

/** What the readers could not read, for the summary: an SBOM must not omit packages silently. */
function inventoryNotes(result: GateResult): string[] {
  return (result.inventories ?? []).flatMap((inventory) => {
    const shown = inventory.notes
      .slice(0, MAX_NOTES_PER_IMAGE)
      .map((note) => `Inventory of ${inventory.target}: ${note}`)
    const more = inventory.notes.length - shown.length
    return more > 0 ? [...shown, `Inventory of ${inventory.target}: ${more} more note(s) in the log.`] : shown
  })
}

export interface InventoryDelivery {
  sbomFile?: string
  snapshot?: SnapshotResult
  /** Lines for the job summary: what the inventory could not read, a snapshot that was not submitted. */
  notes: string[]
}

export async function deliverInventory(options: {
  config: Config
  result: GateResult
  context: GitHubContext
  logger: Logger
  http?: HttpTransport
}): Promise<InventoryDelivery> {
  const { config, result } = options
  const delivery: InventoryDelivery = { notes: inventoryNotes(result) }
  const sbomFile = await writeSbom(config, result)
  if (sbomFile !== undefined) delivery.sbomFile = sbomFile
  if (!config.dependencySnapshot) return delivery
  const images = (result.inventories ?? []).map((inventory) => ({
    inventory,
    repository: result.images.find((i) => i.target === inventory.target)?.repository ?? inventory.target,
  }))
  delivery.snapshot = await submitDependencySnapshot({
    images,
    context: options.context,
    token: config.token,
    logger: options.logger,
    scanned: result.startedAt,
    detector: { name: TOOL_NAME, version: TOOL_VERSION, url: TOOL_URI },
    ...(result.dockerfile !== undefined ? { dockerfile: result.dockerfile } : {}),
    ...(options.http !== undefined ? { http: options.http } : {}),
  })
  if (delivery.snapshot.status !== 'submitted') delivery.notes.push(delivery.snapshot.warning)
  return delivery
}
