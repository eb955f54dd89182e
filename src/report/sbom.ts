/** Writes the SBOM file in the format asked for (CycloneDX 1.6 JSON or SPDX 2.3 JSON). */
import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Finding } from '../findings/finding.js'
import type { ImageInventory } from '../inventory/package.js'
import { buildCycloneDxBom, serializeCycloneDx } from './sbom-cyclonedx.js'
import { buildSpdxDocument, serializeSpdx } from './sbom-spdx.js'

import type { SbomFormat } from './sbom-format.js'

export { SBOM_FORMATS, isSbomFormat, type SbomFormat } from './sbom-format.js'

type RenderFindings = Readonly<Record<string, readonly Finding[]>>

export interface RenderSbomOptions {
  format: SbomFormat
  inventories: readonly ImageInventory[]
  imageIds?: Readonly<Record<string, string>>
  toolName: string
  toolVersion: string
  timestamp: Date
  /** Findings by target, linked to components in CycloneDX (`vulnerabilities`). */
  findings?: RenderFindings
  /** SPDX document namespace uniqueness; random when not given. */
  uuid?: string
}

export function renderSbom(options: RenderSbomOptions): string {
  const base = {
    inventories: options.inventories,
    toolName: options.toolName,
    toolVersion: options.toolVersion,
    timestamp: options.timestamp,
    ...(options.imageIds !== undefined ? { imageIds: options.imageIds } : {}),
    ...(options.findings !== undefined ? { findings: options.findings } : {}),
  }
  if (options.format === 'spdx-json') {
    return serializeSpdx(buildSpdxDocument({ ...base, uuid: options.uuid ?? randomUUID() }))
  }
  return serializeCycloneDx(buildCycloneDxBom(base))
}

export async function writeSbomFile(path: string, options: RenderSbomOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, renderSbom(options), 'utf8')
}
