/**
 * Writes the SARIF log (within GitHub's limits) and the findings JSON. The one place both the action and
 * the CLI turn a `GateResult` into files.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Log } from 'sarif'
import { buildFindingsDocument } from './findings-json.js'
import type { GateResult } from './gate-result.js'
import { applySarifLimits, assertUniqueCategories } from './sarif-limits.js'
import { buildSarif } from './sarif.js'

export interface SarifOutput {
  log: Log
  /** Results the limits guard left out. */
  droppedResults: number
  /** One line per limit hit, for the summary. */
  notes: string[]
}

/** Builds the SARIF log and applies GitHub's limits. Pure. */
export function buildLimitedSarif(result: GateResult, options: { runPer: 'image' | 'scanner' }): SarifOutput {
  const log = buildSarif(result, {
    runPer: options.runPer,
    ...(result.dockerfile !== undefined ? { dockerfileUri: result.dockerfile } : {}),
  })
  assertUniqueCategories(log)
  const limited = applySarifLimits(log)
  return { log: limited.log, droppedResults: limited.droppedResults, notes: limited.notes }
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`)
}

export async function writeSarifFile(path: string, sarif: SarifOutput): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  // Compact: a log with 25,000 results is read by machines, and indentation costs a third of its size.
  await writeFile(path, JSON.stringify(sarif.log))
}

export async function writeFindingsFile(path: string, result: GateResult): Promise<void> {
  await writeJson(path, buildFindingsDocument(result))
}
