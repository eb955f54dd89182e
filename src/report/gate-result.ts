/**
 * The value every report (SARIF, summary, outputs, annotations, console, findings JSON) is written from.
 * Types only.
 */
import type { ExploitDataStatus } from '../findings/exploit-data.js'
import type { BaseImageRef } from '../findings/base-image.js'
import type { Finding } from '../findings/finding.js'
import type { ImageInventory } from '../inventory/package.js'
import type { Verdict } from '../policy/gate.js'

/** How one scanner fared on one image. */
export interface ScannerRun {
  scanner: string
  /** Display name (`Trivy`). */
  name: string
  target: string
  status: 'ok' | 'failed' | 'skipped'
  /** The concrete version that ran, when known. */
  version?: string
  findings: number
  /** The error line (failed) or the reason (skipped). */
  message?: string
  durationMs?: number
  /** `report` when the findings were imported from a file rather than produced by a run. */
  origin?: 'run' | 'report'
}

export interface ImageResult {
  /** The image as the user named it. */
  target: string
  /**
   * The repository part of the image name without registry default, tag or digest (`library/alpine`,
   * `ghcr.io/acme/app`): the stable name used in SARIF categories, locations and fingerprints.
   */
  repository: string
  /** The image ID (`sha256:…`) when the image was read. */
  imageId?: string
  findings: Finding[]
  scanners: ScannerRun[]
}

export interface GateResult {
  images: ImageResult[]
  verdict: Verdict
  /** ISO time the run started. */
  startedAt: string
  /** This tool's version. */
  toolVersion: string
  /** The Dockerfile used for attribution, relative to the workspace, `/`-separated. */
  dockerfile?: string
  /** The final image's base image and its `FROM` line, from the Dockerfile (not for `FROM scratch`). */
  baseImage?: BaseImageRef
  /** Warnings that may change the verdict (an ignore rule that expired): shown first, as warnings. */
  warnings?: string[]
  /** Lines the summary must show: expired or unused ignore rules, and similar. */
  notes?: string[]
  /** With a baseline: how many findings are new and how many were already in it. */
  baseline?: { newCount: number; existingCount: number }
  /** The packages of each scanned image, when an SBOM or dependency snapshot was asked for. */
  inventories?: ImageInventory[]
  /** What the run knew about exploitation (KEV catalog, EPSS scores). */
  exploitData?: ExploitDataStatus
}
