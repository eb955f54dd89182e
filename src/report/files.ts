/**
 * Writes the SARIF log (within GitHub's limits) and the findings JSON. The one place both the action and
 * the CLI turn a `GateResult` into files.
 */
import type { Log } from 'sarif'
import type { SarifRunsPer } from '../config/inputs.js'
import { buildFindingsDocument } from './findings-json.js'
import type { GateResult } from './gate-result.js'
import type { Finding } from '../findings/finding.js'
import { severityRank } from '../findings/severity.js'
import {
  GITHUB_SARIF_LIMITS,
  applySarifLimits,
  assertUniqueCategories,
  keepShownResults,
} from './sarif-limits.js'
import { buildSarif } from './sarif.js'
import { applySarifFloor } from './sarif-floor.js'
import type { Severity } from '../findings/severity.js'
import { categoryNotes, imageCategoryBases, type CategoryOptions } from './sarif-naming.js'
import { writeFileReplacing } from '../util/replace-file.js'

/**
 * The SARIF written and the SARIF uploaded. The `sarif-file` keeps every result GitHub would accept (up to
 * 25,000 per run, 10 MB gzipped): it is the complete record for artifacts and other tools. Only the
 * uploaded log is cut to the 5,000 most severe per run, because code scanning stores no more than that and
 * does not reliably choose the most severe itself.
 */
export interface SarifOutput {
  /** Written to `sarif-file`. */
  log: Log
  /** `log` serialised (compact JSON): what is written. */
  json: string
  /** Uploaded to code scanning: `log` with at most 5,000 results per run. */
  uploadLog: Log
  /** Results the limits guard left out of `log`. */
  droppedResults: number
  /** Results code scanning will not show: `droppedResults` plus those cut from the upload. */
  notShownResults: number
  /** One line per limit hit, for the summary. */
  notes: string[]
}

/**
 * Builds the SARIF log and applies GitHub's limits. Pure. With one run per image, each image's findings
 * are first cut to the most severe 25,000 (the per-run limit), so that rules, help texts and results
 * are never built for what would be dropped anyway; `applySarifLimits` then enforces every limit.
 */
export function buildLimitedSarif(
  fullResult: GateResult,
  options: { runPer: SarifRunsPer; categories?: CategoryOptions; minSeverity?: Severity },
): SarifOutput {
  const floor = applySarifFloor(fullResult, options.minSeverity)
  const result = floor.result
  const capped =
    options.runPer === 'image' ? capFindingsPerImage(result, GITHUB_SARIF_LIMITS.maxResultsPerRun) : undefined
  const log = buildSarif(capped?.result ?? result, {
    runPer: options.runPer,
    ...(options.categories !== undefined ? { categories: options.categories } : {}),
    ...(result.dockerfile !== undefined ? { dockerfileUri: result.dockerfile } : {}),
  })
  assertUniqueCategories(log)
  const limited = applySarifLimits(log)
  const shown = keepShownResults(limited.log)
  const droppedResults = (capped?.dropped ?? 0) + limited.droppedResults
  return {
    log: limited.log,
    json: limited.json,
    uploadLog: shown.log,
    droppedResults,
    notShownResults: droppedResults + shown.cut,
    notes: [
      ...floor.notes,
      ...categoryNotes(result.images, imageCategoryBases(result.images, options.categories)),
      ...(capped?.notes ?? []),
      ...limited.notes,
      ...shown.notes,
    ],
  }
}

/** Severity, then score, then active before suppressed: the order the limits guard keeps results in. */
function compareForKeeping(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (b.score ?? -1) - (a.score ?? -1) ||
    Number(a.suppression !== undefined) - Number(b.suppression !== undefined)
  )
}

function capFindingsPerImage(
  result: GateResult,
  max: number,
): { result: GateResult; dropped: number; notes: string[] } | undefined {
  if (result.images.every((image) => image.findings.length <= max)) return undefined
  let dropped = 0
  const notes: string[] = []
  const images = result.images.map((image) => {
    if (image.findings.length <= max) return image
    const kept = new Set([...image.findings].sort(compareForKeeping).slice(0, max))
    const left = image.findings.length - kept.size
    dropped += left
    notes.push(
      `${image.target}: kept the ${max.toLocaleString('en-US')} most severe of ${image.findings.length.toLocaleString('en-US')} ` +
        `results (GitHub's limit per run); ${left.toLocaleString('en-US')} were left out.`,
    )
    return { ...image, findings: image.findings.filter((f) => kept.has(f)) }
  })
  return { result: { ...result, images }, dropped, notes }
}

// Outputs replace whatever is at their path, a symlink included, and never write through one.
async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileReplacing(path, `${JSON.stringify(value, null, 2)}\n`)
}

export async function writeSarifFile(path: string, sarif: SarifOutput): Promise<void> {
  // Compact: a log with 25,000 results is read by machines, and indentation costs a third of its size.
  await writeFileReplacing(path, sarif.json)
}

export async function writeFindingsFile(path: string, result: GateResult): Promise<void> {
  await writeJson(path, buildFindingsDocument(result))
}
