/**
 * The machine-readable findings document (`--json`, the `findings-file` output): the verdict, a summary
 * per image with its scanners, and every finding — suppressed ones included — with its fingerprint and
 * its `gate` status (`{"status":"exempt","reason":"only-fixed"}`). Pure.
 */
import type { ExploitDataStatus } from '../findings/exploit-data.js'
import type { BaseImageRef } from '../findings/base-image.js'
import type { Finding } from '../findings/finding.js'
import { fingerprintOf } from '../findings/fingerprint.js'
import { countBySeverity, type SeverityCounts } from '../findings/severity.js'
import type { Verdict } from '../policy/gate.js'
import { TOOL_NAME } from '../version.js'
import { compareForReport } from './finding-text.js'
import type { GateResult, ScannerRun } from './gate-result.js'

export interface ImageSummary {
  target: string
  repository: string
  imageId?: string
  /** Findings that are not suppressed, by severity. */
  counts: SeverityCounts
  suppressed: number
  scanners: ScannerRun[]
}

export type FindingRecord = Finding & { fingerprint: string }

export interface FindingsDocument {
  version: 1
  tool: { name: string; version: string }
  startedAt: string
  dockerfile?: string
  /** The final image's base image and its FROM line (findings from it carry `base: true`). */
  baseImage?: BaseImageRef
  verdict: Verdict
  /** With a baseline: how many findings are new and how many were already in it. */
  baseline?: { newCount: number; existingCount: number }
  /** What may change the verdict (an ignore rule that expired). */
  warnings?: string[]
  notes?: string[]
  /** What the run knew about exploitation: the KEV catalog used (or why none), EPSS sources. */
  exploitData?: ExploitDataStatus
  images: ImageSummary[]
  findings: FindingRecord[]
}

export function buildFindingsDocument(result: GateResult): FindingsDocument {
  const images = result.images.map((image): ImageSummary => {
    const active = image.findings.filter((f) => f.suppression === undefined)
    return {
      target: image.target,
      repository: image.repository,
      ...(image.imageId !== undefined ? { imageId: image.imageId } : {}),
      counts: countBySeverity(active),
      suppressed: image.findings.length - active.length,
      scanners: image.scanners.map((s) => ({ ...s })),
    }
  })
  // Per image, failing findings first (then most severe), as every report lists them.
  const findings = result.images.flatMap((image) =>
    [...image.findings].sort(compareForReport).map((finding): FindingRecord => ({
      ...finding,
      fingerprint: fingerprintOf(finding, image.repository),
    })),
  )
  return {
    version: 1,
    tool: { name: TOOL_NAME, version: result.toolVersion },
    startedAt: result.startedAt,
    ...(result.dockerfile !== undefined ? { dockerfile: result.dockerfile } : {}),
    ...(result.baseImage !== undefined ? { baseImage: result.baseImage } : {}),
    verdict: result.verdict,
    ...(result.baseline !== undefined ? { baseline: result.baseline } : {}),
    ...(result.warnings !== undefined && result.warnings.length > 0 ? { warnings: result.warnings } : {}),
    ...(result.notes !== undefined && result.notes.length > 0 ? { notes: result.notes } : {}),
    ...(result.exploitData !== undefined ? { exploitData: result.exploitData } : {}),
    images,
    findings,
  }
}
