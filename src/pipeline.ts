/**
 * The scan pipeline shared by the action and the CLI, one stage per line:
 *   resolve targets → install and scan (concurrent, bounded) → import reports → per image: merge and
 *   attribute → trusted base images → add matrix legs' findings files (already final) → policy (ignore,
 *   VEX, baseline) → gate (ignore-base among its rules).
 * Everything it touches outside itself (processes, the tool cache, the clock, the environment) comes in
 * through `PipelineDeps`, so tests drive it with replaying scanners and a loopback release host.
 */
import type { Config } from './config/config.js'
import { applyPolicy } from './policy/apply-policy.js'
import { evaluateGate, withGateStatus, type GatePolicy } from './policy/gate.js'
import type { GateResult } from './report/gate-result.js'
import { baseImageOf } from './findings/base-image.js'
import { addBaseImageFindings } from './stages/base-images.js'
import { collectFindingsFiles, isCollectOnly, mergeCollected } from './stages/collect.js'
import { consolidate } from './stages/consolidate.js'
import {
  addExploitData,
  exploitDataStatus,
  kevUnavailableReason,
  loadExploitData,
} from './stages/exploit-data.js'
import { loadDockerfile } from './stages/dockerfile.js'
import type { PipelineDeps } from './stages/deps.js'
import { groupByImage, importReports } from './stages/imports.js'
import { readInventories } from './stages/inventory.js'
import { scanTargets } from './stages/scan.js'
import { closeTargets, resolveTargets } from './stages/targets.js'
import { TOOL_VERSION } from './version.js'

export type { DbCacheHooks, DbScanner, PipelineDeps } from './stages/deps.js'

export function gatePolicy(config: Config, exploit?: { kevUnavailable?: string }): GatePolicy {
  return {
    failOn: config.policy.failOn,
    onlyFixed: config.policy.onlyFixed,
    gateOn: config.policy.gateOn,
    continueOnScannerError: config.continueOnScannerError,
    ignoreBase: config.policy.ignoreBase,
    ...(config.policy.failOnKev === true ? { failOnKev: true } : {}),
    ...(config.policy.failOnEpss !== undefined ? { failOnEpss: config.policy.failOnEpss } : {}),
    ...(exploit?.kevUnavailable !== undefined ? { kevUnavailable: exploit.kevUnavailable } : {}),
  }
}

export async function runPipeline(config: Config, deps: PipelineDeps): Promise<GateResult> {
  const startedAt = deps.now().toISOString()
  const targets = await resolveTargets(config, deps)
  try {
    // Collected findings files carry the legs' attribution; this job's Dockerfile (if any) is not theirs.
    const dockerfile = isCollectOnly(config) ? undefined : await loadDockerfile(config)
    const outcomes = [
      ...(await scanTargets(targets, config, deps, { dockerfile: dockerfile?.model })),
      ...(await importReports(config, deps)),
    ]
    const inventories = await readInventories(targets, config, deps)
    const images = groupByImage(outcomes, targets)
    for (const image of images) {
      const target = targets.find((t) => t.name === image.target)
      image.findings = consolidate(image, target, dockerfile, config.policy.severitySource)
    }
    addBaseImageFindings(images, targets, dockerfile, config.policy.baseImages)
    mergeCollected(images, await collectFindingsFiles(config, deps))
    const exploitData = await loadExploitData(
      config,
      deps,
      images.flatMap((i) => i.findings),
    )
    for (const image of images) image.findings = addExploitData(image.findings, exploitData)
    const policy = applyPolicy(images, config.policy, deps.now())
    const gate = gatePolicy(config, { kevUnavailable: kevUnavailableReason(exploitData) })
    images.forEach(
      (image, i) => (image.findings = withGateStatus(policy.findings[i] ?? image.findings, gate)),
    )
    const verdict = evaluateGate(
      images.flatMap((i) => i.findings),
      images.flatMap((i) => i.scanners),
      gate,
    )
    const result: GateResult = { images, verdict, startedAt, toolVersion: TOOL_VERSION }
    if (dockerfile !== undefined) result.dockerfile = dockerfile.path
    const base = dockerfile !== undefined ? baseImageOf(dockerfile.model) : undefined
    if (base !== undefined) result.baseImage = base
    if (policy.warnings.length > 0) result.warnings = policy.warnings
    if (policy.notes.length > 0) result.notes = policy.notes
    if (policy.baseline !== undefined) result.baseline = policy.baseline
    if (inventories.length > 0) result.inventories = inventories
    result.exploitData = exploitDataStatus(
      images.flatMap((i) => i.findings),
      exploitData,
    )
    return result
  } finally {
    await closeTargets(targets)
  }
}
