/**
 * Keeps a SARIF log within what GitHub code scanning accepts, so an upload is never rejected: at most 20
 * runs, 25,000 results and 25,000 rules per run, 10 MB gzipped. Over a limit the most severe results are
 * kept (by level, then `security-severity`, active before suppressed), rules left without results are
 * dropped, and the caller is told how many results went. Pure.
 *
 * More than 20 runs is refused rather than merged: merging runs would merge their categories, which
 * closes every alert of the merged categories and reopens them under a new one. Per-image runs stay far
 * below the limit; the user can switch from per-scanner runs to per-image runs.
 */
import { gzipSync } from 'node:zlib'
import type { Log, ReportingDescriptor, Result, Run } from 'sarif'
import { ConfigurationError } from '../util/errors.js'
import { appendAll } from '../util/arrays.js'

export interface SarifLimits {
  maxRuns: number
  maxResultsPerRun: number
  maxGzipBytes: number
  maxRulesPerRun: number
}

export const GITHUB_SARIF_LIMITS: SarifLimits = {
  maxRuns: 20,
  maxResultsPerRun: 25_000,
  maxGzipBytes: 10 * 1024 * 1024,
  maxRulesPerRun: 25_000,
}

/**
 * Code scanning accepts 25,000 results per run but stores and shows only 5,000 ("SARIF results exceed one
 * or more limits": results per run 25,000, "only the top 5,000 results will be included"), and in practice
 * not chosen by severity (github/docs#38085: "An analysis file contained 5421 results which is more than
 * our limit of 5000. Only 5000 were stored"). So the upload carries at most 5,000 per run, chosen here.
 */
export const GITHUB_SHOWN_RESULTS_PER_RUN = 5000

export interface ShownSarif {
  /** The log to upload: each run cut to its `max` most severe results, rules trimmed to those used. */
  log: Log
  /** Results left out of the upload, over all runs. */
  cut: number
  /** One line per run that was cut, for the summary. */
  notes: string[]
}

/**
 * The most severe `max` results of each run (by level, then `security-severity`, active before
 * suppressed), in their original order: what the upload sends so that code scanning shows the results
 * that matter. The log given is not changed.
 */
export function keepShownResults(log: Log, max: number = GITHUB_SHOWN_RESULTS_PER_RUN): ShownSarif {
  let cut = 0
  const notes: string[] = []
  const runs = log.runs.map((run) => {
    const results = run.results ?? []
    if (results.length <= max) return run
    const kept = new Set(
      rankResults(run)
        .sort(compareRanked)
        .slice(0, max)
        .map((r) => r.result),
    )
    const left = results.length - kept.size
    cut += left
    notes.push(
      `${runName(run)}: code scanning shows at most ${max.toLocaleString('en-US')} results per run, so the ` +
        `${max.toLocaleString('en-US')} most severe of ${results.length.toLocaleString('en-US')} were uploaded; ` +
        `${left.toLocaleString('en-US')} are not shown there (they are in the SARIF and findings files).`,
    )
    return withResults(
      run,
      results.filter((r) => kept.has(r)),
      droppedSoFar(run) + left,
    )
  })
  return { log: cut === 0 ? log : { ...log, runs }, cut, notes }
}

export interface LimitedSarif {
  log: Log
  /** `JSON.stringify(log)`, kept from the size check so the log is serialised once. */
  json: string
  /** Results left out, over all runs. */
  droppedResults: number
  /** One line per limit that was hit, for the job summary. */
  notes: string[]
}

/** Bounds the size-shrinking loop; each pass aims below the limit, so a few passes always suffice. */
const MAX_SIZE_PASSES = 20

export function applySarifLimits(log: Log, limits: SarifLimits = GITHUB_SARIF_LIMITS): LimitedSarif {
  if (log.runs.length > limits.maxRuns) {
    throw new ConfigurationError(
      `The SARIF log would have ${log.runs.length} runs (images × scanners) but GitHub accepts at most ` +
        `${limits.maxRuns} per upload; use one SARIF run per image instead of one per scanner, or scan fewer images in this job.`,
    )
  }
  const notes: string[] = []
  let dropped = 0
  const runs = log.runs.map((run) => {
    const limited = limitRun(run, limits)
    dropped += limited.dropped
    appendAll(notes, limited.notes)
    return limited.run
  })
  let limitedLog: Log = { ...log, runs }

  let measured = measure(limitedLog, limits.maxGzipBytes)
  let size = measured.size
  const originalSize = size
  let sizeDropped = 0
  for (let pass = 0; pass < MAX_SIZE_PASSES && size > limits.maxGzipBytes; pass++) {
    const total = countResults(limitedLog)
    if (total === 0) break
    const keep = Math.min(total - 1, Math.floor(total * (limits.maxGzipBytes / size) * 0.95))
    const shrunk = keepMostSevere(limitedLog, Math.max(0, keep))
    sizeDropped += total - countResults(shrunk)
    limitedLog = shrunk
    measured = measure(limitedLog, limits.maxGzipBytes)
    size = measured.size
  }
  if (sizeDropped > 0) {
    dropped += sizeDropped
    notes.push(
      `The SARIF log was ${formatMiB(originalSize)} gzipped, over GitHub's ${formatMiB(limits.maxGzipBytes)}: ` +
        `${sizeDropped.toLocaleString('en-US')} of the least severe results were left out.`,
    )
  }
  if (size > limits.maxGzipBytes) {
    notes.push(
      `The SARIF log is still ${formatMiB(size)} gzipped without results; GitHub may reject the upload.`,
    )
  }
  return { log: limitedLog, json: measured.json, droppedResults: dropped, notes }
}

/**
 * Throws when two runs share a tool and a category: GitHub rejects such an upload. The builder never
 * makes one, so this is a bug in this project, not a user error.
 */
export function assertUniqueCategories(log: Log): void {
  const seen = new Set<string>()
  for (const run of log.runs) {
    const id = run.automationDetails?.id ?? ''
    const category = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : id
    const key = `${run.tool.driver.name}\u0000${category}`
    if (seen.has(key)) {
      throw new Error(
        `Bug: two SARIF runs share tool "${run.tool.driver.name}" and category "${category}"; GitHub would reject the upload.`,
      )
    }
    seen.add(key)
  }
}

interface RankedResult {
  result: Result
  position: number
  level: number
  securitySeverity: number
  active: number
  /** 1 when the result fails the gate (`properties.gate.status`): kept before any that does not. */
  failing: number
}

/** Higher sorts first. */
function compareRanked(a: RankedResult, b: RankedResult): number {
  return (
    b.failing - a.failing ||
    b.level - a.level ||
    b.securitySeverity - a.securitySeverity ||
    b.active - a.active ||
    a.position - b.position
  )
}

const LEVEL_RANK: Record<string, number> = { error: 3, warning: 2, note: 1, none: 0 }

function rankResults(run: Run): RankedResult[] {
  const rules = run.tool.driver.rules ?? []
  const byId = new Map(rules.map((rule, i) => [rule.id, i]))
  return (run.results ?? []).map((result, position) => {
    const index = ruleIndexOf(result, rules, byId)
    const rule = index === undefined ? undefined : rules[index]
    const score = Number(rule?.properties?.['security-severity'])
    return {
      result,
      position,
      // SARIF's default level is `warning`.
      level: LEVEL_RANK[result.level ?? 'warning'] ?? 2,
      securitySeverity: Number.isFinite(score) ? score : -1,
      active: result.suppressions !== undefined && result.suppressions.length > 0 ? 0 : 1,
      failing: gateStatusOf(result) === 'fail' ? 1 : 0,
    }
  })
}

function limitRun(run: Run, limits: SarifLimits): { run: Run; dropped: number; notes: string[] } {
  const notes: string[] = []
  const name = runName(run)
  const results = run.results ?? []
  let ranked = rankResults(run)
  let dropped = 0

  const rules = run.tool.driver.rules ?? []
  if (rules.length > limits.maxRulesPerRun) {
    // Keep the rules whose best result ranks highest; results of the others go with them.
    const best = new Map<string, RankedResult>()
    for (const r of [...ranked].sort(compareRanked)) {
      const key = ruleKey(r.result, rules)
      if (!best.has(key)) best.set(key, r)
    }
    const keptRules = new Set([...best.keys()].slice(0, limits.maxRulesPerRun))
    const before = ranked.length
    ranked = ranked.filter((r) => keptRules.has(ruleKey(r.result, rules)))
    dropped += before - ranked.length
    notes.push(
      `${name}: ${rules.length.toLocaleString('en-US')} rules are over GitHub's ${limits.maxRulesPerRun.toLocaleString('en-US')} per run; ` +
        `${(before - ranked.length).toLocaleString('en-US')} results of the least severe rules were left out.`,
    )
  }
  if (ranked.length > limits.maxResultsPerRun) {
    const before = ranked.length
    ranked = [...ranked].sort(compareRanked).slice(0, limits.maxResultsPerRun)
    dropped += before - ranked.length
    notes.push(
      `${name}: kept the ${limits.maxResultsPerRun.toLocaleString('en-US')} most severe of ${before.toLocaleString('en-US')} results ` +
        `(GitHub's limit per run); ${(before - ranked.length).toLocaleString('en-US')} were left out.`,
    )
  }
  if (dropped === 0 && ranked.length === results.length) return { run, dropped: 0, notes }
  const kept = ranked.sort((a, b) => a.position - b.position).map((r) => r.result)
  return { run: withResults(run, kept, dropped), dropped, notes }
}

/** Keeps the `keep` most severe results over all runs of the log. */
function keepMostSevere(log: Log, keep: number): Log {
  const all = log.runs.flatMap((run, runIndex) => rankResults(run).map((r) => ({ ...r, runIndex })))
  all.sort((a, b) => compareRanked(a, b) || a.runIndex - b.runIndex)
  const keptPerRun = log.runs.map(() => new Set<Result>())
  for (const r of all.slice(0, keep)) keptPerRun[r.runIndex]?.add(r.result)
  const runs = log.runs.map((run, i) => {
    const kept = keptPerRun[i] ?? new Set<Result>()
    const results = run.results ?? []
    if (kept.size === results.length) return run
    const previous = droppedSoFar(run)
    return withResults(
      run,
      results.filter((r) => kept.has(r)),
      previous + results.length - kept.size,
    )
  })
  return { ...log, runs }
}

/** A copy of `run` with these results, only the rules they use, and `ruleIndex` renumbered. */
function withResults(run: Run, results: readonly Result[], totalDropped: number): Run {
  const rules = run.tool.driver.rules ?? []
  const byId = new Map(rules.map((rule, i) => [rule.id, i]))
  const used = new Set<number>()
  for (const result of results) {
    const index = ruleIndexOf(result, rules, byId)
    if (index !== undefined) used.add(index)
  }
  const keptIndexes = [...used].sort((a, b) => a - b)
  const renumber = new Map(keptIndexes.map((oldIndex, newIndex) => [oldIndex, newIndex]))
  const renumbered = results.map((result) => {
    const index = ruleIndexOf(result, rules, byId)
    if (index === undefined || (result.ruleIndex === undefined && result.rule?.index === undefined))
      return result
    const newIndex = renumber.get(index) ?? index
    const copy: Result = { ...result, ruleIndex: newIndex }
    if (result.rule?.index !== undefined) copy.rule = { ...result.rule, index: newIndex }
    return copy
  })
  return {
    ...run,
    tool: { ...run.tool, driver: { ...run.tool.driver, rules: keptIndexes.map((i) => rules[i]!) } },
    results: renumbered,
    properties: { ...run.properties, droppedResults: totalDropped },
  }
}

/** The index of a result's rule: its `ruleIndex` when in range, else the (last) rule with its id. */
function ruleIndexOf(
  result: Result,
  rules: readonly ReportingDescriptor[],
  byId: ReadonlyMap<string, number>,
): number | undefined {
  const index = result.ruleIndex ?? result.rule?.index
  if (index !== undefined && index >= 0 && index < rules.length) return index
  const id = result.ruleId ?? result.rule?.id
  return id === undefined ? undefined : byId.get(id)
}

function ruleKey(result: Result, rules: readonly ReportingDescriptor[]): string {
  const index = result.ruleIndex ?? result.rule?.index
  if (index !== undefined) return rules[index]?.id ?? `#${index}`
  return result.ruleId ?? result.rule?.id ?? ''
}

function droppedSoFar(run: Run): number {
  const value: unknown = run.properties?.droppedResults
  return typeof value === 'number' ? value : 0
}

function countResults(log: Log): number {
  return log.runs.reduce((sum, run) => sum + (run.results?.length ?? 0), 0)
}

/**
 * The gzipped size of the log as the upload compresses it (zlib's default level), or an upper bound of it
 * when that is enough to tell it fits: the JSON itself, then a fast level-1 pass (JSON never compresses
 * worse at the default level).
 */
function measure(log: Log, limit: number): { size: number; json: string } {
  const json = JSON.stringify(log)
  const bytes = Buffer.from(json, 'utf8')
  if (bytes.length <= limit) return { size: bytes.length, json } // JSON only shrinks when gzipped
  const fast = gzipSync(bytes, { level: 1 }).length
  return { size: fast <= limit ? fast : gzipSync(bytes).length, json }
}

function runName(run: Run): string {
  return `Run ${run.automationDetails?.id ?? run.tool.driver.name}`
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

function gateStatusOf(result: Result): unknown {
  const gate: unknown = result.properties?.['gate']
  return typeof gate === 'object' && gate !== null ? (gate as Record<string, unknown>)['status'] : undefined
}
