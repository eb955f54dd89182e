/**
 * The SARIF 2.1.0 log for GitHub code scanning, from a gate result. Pure.
 *
 * Runs: one per image (default) or one per (image, scanner). The driver is always this tool, also per
 * scanner: the rules, messages, locations and fingerprints are ours (merged, attributed, policy-judged),
 * not the scanner's, and GitHub keys alerts on tool name + category — a constant tool name keeps a
 * repository's alerts under one tool however the runs are split, while the category
 * (`container-security-gate/<repository>/<scanner>/`) keeps the runs apart. The scanner that produced a
 * run is its only `tool.extensions` entry. In per-scanner mode a finding several scanners agree on is in
 * each of their runs (each run is that scanner's complete view), and a scanner that failed or was
 * skipped gets no run at all: an empty run would tell GitHub its previous alerts were fixed.
 */
import type { Log, Notification, Result, Run, ToolComponent } from 'sarif'
import type { SarifRunsPer } from '../config/inputs.js'
import type { Finding, SourceLocation } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'
import { fingerprintOf } from '../findings/fingerprint.js'
import { TOOL_NAME, TOOL_URI, TOOL_VERSION } from '../version.js'
import { compareForReport, compareText, findingMessage, oneLine } from './finding-text.js'
import type { GateResult, ImageResult, ScannerRun } from './gate-result.js'
import {
  artifactUri,
  imageCategoryBases,
  imageIdentity,
  scannerCategory,
  type CategoryOptions,
} from './sarif-naming.js'
import { buildRules } from './sarif-rules.js'

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json'

export interface BuildSarifOptions {
  runPer: SarifRunsPer
  /**
   * The repository-relative path of the Dockerfile as code scanning should show it. When set, it is the
   * URI of every finding attribution placed on a Dockerfile line (overriding `location.path`, e.g. when
   * attribution saw an absolute path).
   */
  dockerfileUri?: string
  /** The `category` and `matrix` inputs. */
  categories?: CategoryOptions
}

export function buildSarif(result: GateResult, options: BuildSarifOptions): Log {
  const bases = imageCategoryBases(result.images, options.categories)
  const runs: Run[] = []
  result.images.forEach((image, i) => {
    const base = bases[i]!
    if (options.runPer === 'image') {
      runs.push(
        buildRun({ image, category: base, findings: image.findings, scanners: image.scanners, options }),
      )
      return
    }
    for (const scanner of scannersOfImage(image)) {
      const scannerRuns = image.scanners.filter((s) => s.scanner === scanner)
      const findings = image.findings.filter((f) => detectorsOf(f).includes(scanner))
      const usable =
        scannerRuns.length === 0 || scannerRuns.some((s) => s.status === 'ok') || findings.length > 0
      if (!usable) continue
      runs.push(
        buildRun({
          image,
          category: scannerCategory(base, scanner),
          findings,
          scanners: scannerRuns.length > 0 ? scannerRuns : [syntheticRun(scanner, image.target)],
          options,
        }),
      )
    }
  })
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs }
}

/** Scanner ids of an image: those that ran or were planned, then any only named by a finding, sorted. */
function scannersOfImage(image: ImageResult): string[] {
  const ids = new Set(image.scanners.map((s) => s.scanner))
  for (const finding of image.findings) for (const id of detectorsOf(finding)) ids.add(id)
  return [...ids].sort(compareText)
}

/** A finding that names no scanner still gets a run of its own rather than being lost. */
const UNATTRIBUTED = 'unattributed'

function detectorsOf(finding: Finding): readonly string[] {
  return finding.detectedBy.length > 0 ? finding.detectedBy : [UNATTRIBUTED]
}

function syntheticRun(scanner: string, target: string): ScannerRun {
  return { scanner, name: scanner, target, status: 'ok', findings: 0 }
}

interface RunInput {
  image: ImageResult
  category: string
  findings: readonly Finding[]
  scanners: readonly ScannerRun[]
  options: BuildSarifOptions
}

function buildRun(input: RunInput): Run {
  const { image, findings } = input
  const ordered = [...findings].sort(compareForReport)
  const { rules, indexOf } = buildRules(ordered)
  // Locations and fingerprints use the image's stable identity, never a file name (see imageIdentity).
  const identity = imageIdentity(image.repository)
  const results = ordered.map((finding) =>
    buildResult(finding, indexOf.get(finding.ruleId) ?? 0, identity, input.options),
  )
  const extensions = extensionsOf(input.scanners, ordered, input.options.runPer === 'scanner')
  const run: Run = {
    tool: {
      driver: {
        name: TOOL_NAME,
        version: TOOL_VERSION,
        semanticVersion: TOOL_VERSION,
        informationUri: TOOL_URI,
        rules,
      },
      ...(extensions.length > 0 ? { extensions } : {}),
    },
    automationDetails: { id: input.category },
    invocations: [invocationOf(input.scanners)],
    results,
    properties: {
      image: oneLine(image.target, 500),
      repository: oneLine(identity, 500),
    },
  }
  return run
}

function buildResult(
  finding: Finding,
  ruleIndex: number,
  repository: string,
  options: BuildSarifOptions,
): Result {
  const location = finding.location
  // Without a Dockerfile line the finding sits on the image itself (its identity is never empty).
  const uri = artifactUri(location !== undefined ? (options.dockerfileUri ?? location.path) : repository)

  const result: Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: levelOf(finding.severity),
    message: { text: findingMessage(finding) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          region: location !== undefined ? lineRange(location) : { startLine: 1 },
        },
      },
    ],
    partialFingerprints: { primaryLocationLineHash: fingerprintOf(finding, repository) },
    properties: resultProperties(finding),
  }
  if (finding.suppression !== undefined) {
    const s = finding.suppression
    const until = s.expires === undefined ? '' : ` (until ${s.expires})`
    result.suppressions = [
      {
        kind: 'external',
        status: 'accepted',
        justification: oneLine(`${s.kind}: ${s.reason}${until}`, 1000),
      },
    ]
  }
  return result
}

/** critical/high → error, medium → warning, low/unknown → note. */
export function levelOf(severity: Severity): 'error' | 'warning' | 'note' {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error'
    case 'medium':
      return 'warning'
    case 'low':
    case 'unknown':
      return 'note'
  }
}

/** Identity and triage data only: never evidence, history lines or raw scanner fields (they may hold secrets). */
function resultProperties(finding: Finding): NonNullable<Result['properties']> {
  const properties: NonNullable<Result['properties']> = {
    kind: finding.kind,
    severity: finding.severity,
    detectedBy: [...finding.detectedBy],
  }
  if (finding.score !== undefined && Number.isFinite(finding.score)) properties.cvssScore = finding.score
  if (finding.aliases.length > 0)
    properties.aliases = finding.aliases.map((a) => oneLine(a, 100)).slice(0, 20)
  if (finding.package !== undefined) {
    const p = finding.package
    properties.package = {
      name: oneLine(p.name, 300),
      version: oneLine(p.version, 200),
      type: oneLine(p.type, 50),
      ...(p.purl !== undefined ? { purl: oneLine(p.purl, 500) } : {}),
      ...(p.path !== undefined ? { path: oneLine(p.path, 500) } : {}),
    }
  }
  if (finding.fix !== undefined) {
    properties.fixState = finding.fix.state
    properties.fixedVersions = finding.fix.versions.map((v) => oneLine(v, 100)).slice(0, 20)
  }
  if (finding.layer !== undefined) properties.layerDiffId = oneLine(finding.layer.diffId, 100)
  if (finding.subject !== undefined) properties.subject = oneLine(finding.subject, 300)
  if (finding.kev !== undefined) {
    properties.tags = ['kev']
    properties.kev = {
      cve: oneLine(finding.kev.cve, 40),
      dateAdded: oneLine(finding.kev.dateAdded, 20),
      dueDate: oneLine(finding.kev.dueDate, 20),
      knownRansomwareCampaignUse: oneLine(finding.kev.knownRansomwareCampaignUse, 20),
    }
  }
  if (finding.epss !== undefined && Number.isFinite(finding.epss.score)) {
    properties.epss = {
      cve: oneLine(finding.epss.cve, 40),
      score: finding.epss.score,
      ...(finding.epss.percentile !== undefined ? { percentile: finding.epss.percentile } : {}),
      ...(finding.epss.date !== undefined ? { date: oneLine(finding.epss.date, 20) } : {}),
      source: oneLine(finding.epss.source, 40),
    }
  }
  // Came with the base image (its FROM line): `ignore-base` keeps it out of the gate.
  if (finding.base === true) properties.base = true
  // What the gate made of it: `{ status: 'exempt', reason: 'only-fixed' }` (SARIF property bag).
  if (finding.gate !== undefined) properties.gate = { ...finding.gate }
  return properties
}

function extensionsOf(
  scanners: readonly ScannerRun[],
  findings: readonly Finding[],
  perScanner: boolean,
): ToolComponent[] {
  const byId = new Map<string, ToolComponent>()
  for (const s of scanners) {
    if (byId.has(s.scanner)) continue
    const name = oneLine(s.name, 100) || s.scanner
    byId.set(s.scanner, {
      name: oneLine(s.scanner, 100),
      fullName: s.version === undefined ? name : `${name} ${oneLine(s.version, 50)}`,
      ...(s.version !== undefined ? { version: oneLine(s.version, 50) } : {}),
      properties: { status: s.status, ...(s.origin !== undefined ? { origin: s.origin } : {}) },
    })
  }
  // A per-scanner run names its scanner only; a per-image run every scanner its findings name.
  if (!perScanner) {
    for (const f of findings) {
      for (const id of f.detectedBy) if (!byId.has(id)) byId.set(id, { name: oneLine(id, 100) })
    }
  }
  return [...byId.values()]
}

/** Failed scanners make the run unsuccessful; GitHub's tool status page shows the notifications. */
function invocationOf(scanners: readonly ScannerRun[]): NonNullable<Run['invocations']>[number] {
  const notifications: Notification[] = scanners
    .filter((s) => s.status !== 'ok')
    .map((s) => ({
      level: s.status === 'failed' ? 'error' : 'note',
      message: {
        text: oneLine(
          `${s.name} ${s.status === 'failed' ? 'failed' : 'was skipped'} on ${s.target}: ${s.message ?? 'no reason given'}`,
          1000,
        ),
      },
    }))
  return {
    executionSuccessful: scanners.every((s) => s.status !== 'failed'),
    ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
  }
}

/**
 * The whole lines a location spans, as code scanning and workflow annotations take them: a start line of
 * at least 1, and an end line only when it is a number not before the start.
 */
export function lineRange(location: SourceLocation): { startLine: number; endLine?: number } {
  const startLine = Number.isFinite(location.startLine) ? Math.max(1, Math.floor(location.startLine)) : 1
  const end = location.endLine
  return end !== undefined && Number.isFinite(end) && end >= startLine
    ? { startLine, endLine: Math.floor(end) }
    : { startLine }
}
