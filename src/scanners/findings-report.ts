/**
 * Our own findings JSON (`findings-file`, report/findings-json.ts) read back, for the collect step of a
 * matrix: each image of each leg with its scanner runs, and every finding as the leg left it — target,
 * layer and Dockerfile attribution, `base` mark, suppressions and baseline marks. The shape is checked
 * field by field; a document of a newer format version is refused rather than half-read. Pure.
 */
import { isKind, type Finding } from '../findings/finding.js'
import { isSeverity } from '../findings/severity.js'
import type { ImageResult, ScannerRun } from '../report/gate-result.js'
import { TOOL_NAME } from '../version.js'
import { isRecord, parseJsonText, type JsonRecord } from './report-json.js'
import { ScannerError } from '../util/errors.js'

/** The findings document versions this gate reads. */
export const FINDINGS_FORMAT_VERSION = 1
const SCANNER = 'findings'

export interface CollectedLeg {
  /** The tool version that wrote the file. */
  toolVersion: string
  dockerfile?: string
  /** One per image of the leg, findings and scanner runs as the leg reported them. */
  images: ImageResult[]
}

/** The findings of every image, flat (the generic report-parser view; the collect stage keeps images). */
export function parseFindingsReport(text: string, ctx: { origin: string }): Finding[] {
  return parseFindingsDocument(text, ctx.origin).images.flatMap((image) => image.findings)
}

export function parseFindingsDocument(text: string, origin: string): CollectedLeg {
  const fail = (what: string): never => {
    throw new ScannerError(SCANNER, `findings file ${origin} ${what}`)
  }
  if (text.trim() === '') fail('is empty')
  const doc = parseJsonText(text, fail)
  if (!isRecord(doc)) return fail('is not a JSON object')
  const tool = doc['tool']
  if (!isRecord(tool) || tool['name'] !== TOOL_NAME) {
    return fail(`is not a ${TOOL_NAME} findings file (tool.name is not "${TOOL_NAME}")`)
  }
  const toolVersion = typeof tool['version'] === 'string' ? tool['version'] : 'unknown'
  const version = doc['version']
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail(`has no format version (a "version" number ${FINDINGS_FORMAT_VERSION} is expected)`)
  }
  if (version > FINDINGS_FORMAT_VERSION) {
    return fail(
      `is format version ${version}, written by ${TOOL_NAME} ${toolVersion}; this gate reads version ${FINDINGS_FORMAT_VERSION}: run the collect step with the same (or a newer) ${TOOL_NAME} version as the legs`,
    )
  }
  if (!Array.isArray(doc['images'])) return fail('has no "images" array')
  if (!Array.isArray(doc['findings'])) return fail('has no "findings" array')
  const images = doc['images'].map((image: unknown, i) => readImage(image, `images[${i}]`, fail))
  const byTarget = new Map(images.map((image) => [image.target, image]))
  doc['findings'].forEach((raw: unknown, i) => {
    const finding = readFinding(raw, `findings[${i}]`, fail)
    // A finding names its image's target; with one image, that image is the only one it can be about.
    const image = byTarget.get(finding.target) ?? (images.length === 1 ? images[0] : undefined)
    if (image === undefined) {
      return fail(`findings[${i}].target "${finding.target}" names none of the file's images`)
    }
    image.findings.push(finding)
  })
  const leg: CollectedLeg = { toolVersion, images }
  if (typeof doc['dockerfile'] === 'string') leg.dockerfile = doc['dockerfile']
  return leg
}

type Fail = (what: string) => never

function readImage(value: unknown, where: string, fail: Fail): ImageResult {
  if (!isRecord(value)) return fail(`${where} is not an object`)
  const target = requiredString(value, 'target', where, fail)
  const repository = requiredString(value, 'repository', where, fail)
  const scanners = value['scanners']
  if (!Array.isArray(scanners)) return fail(`${where}.scanners is not a list`)
  const image: ImageResult = {
    target,
    repository,
    findings: [],
    scanners: scanners.map((run: unknown, i) => readRun(run, `${where}.scanners[${i}]`, target, fail)),
  }
  if (typeof value['imageId'] === 'string') image.imageId = value['imageId']
  return image
}

const RUN_STATUSES = new Set(['ok', 'failed', 'skipped'])

function readRun(value: unknown, where: string, target: string, fail: Fail): ScannerRun {
  if (!isRecord(value)) return fail(`${where} is not an object`)
  const status = value['status']
  if (typeof status !== 'string' || !RUN_STATUSES.has(status)) {
    return fail(`${where}.status must be ok, failed or skipped`)
  }
  const run: ScannerRun = {
    scanner: requiredString(value, 'scanner', where, fail),
    name: requiredString(value, 'name', where, fail),
    target,
    status: status as ScannerRun['status'],
    findings: typeof value['findings'] === 'number' ? value['findings'] : 0,
  }
  if (typeof value['version'] === 'string') run.version = value['version']
  if (typeof value['message'] === 'string') run.message = value['message']
  if (typeof value['durationMs'] === 'number') run.durationMs = value['durationMs']
  if (value['origin'] === 'run' || value['origin'] === 'report') run.origin = value['origin']
  return run
}

const SUPPRESSION_KINDS = new Set(['ignore', 'vex', 'baseline'])

/**
 * A finding as written: the required fields checked, the optional ones kept when their type is right (a
 * newer version of the same format may add fields; a field of the wrong type is an error).
 */
function readFinding(value: unknown, where: string, fail: Fail): Finding {
  if (!isRecord(value)) return fail(`${where} is not an object`)
  const kind = value['kind']
  if (typeof kind !== 'string' || !isKind(kind)) return fail(`${where}.kind is not a finding kind`)
  const severity = value['severity']
  if (typeof severity !== 'string' || !isSeverity(severity)) {
    return fail(`${where}.severity is not a severity (critical, high, medium, low, unknown)`)
  }
  const finding: Finding = {
    kind,
    ruleId: requiredString(value, 'ruleId', where, fail),
    aliases: stringList(value, 'aliases', where, fail),
    title: optionalString(value, 'title', where, fail) ?? '',
    description: optionalString(value, 'description', where, fail) ?? '',
    severity,
    detectedBy: stringList(value, 'detectedBy', where, fail),
    target: requiredString(value, 'target', where, fail),
    references: stringList(value, 'references', where, fail),
  }
  copyRecords(value, finding, where, fail)
  const suppression = value['suppression']
  if (suppression !== undefined) {
    if (
      !isRecord(suppression) ||
      typeof suppression['kind'] !== 'string' ||
      !SUPPRESSION_KINDS.has(suppression['kind']) ||
      typeof suppression['reason'] !== 'string'
    ) {
      return fail(`${where}.suppression must have a kind (ignore, vex, baseline) and a reason`)
    }
    finding.suppression = {
      kind: suppression['kind'] as 'ignore' | 'vex' | 'baseline',
      reason: suppression['reason'],
      ...(typeof suppression['expires'] === 'string' ? { expires: suppression['expires'] } : {}),
    }
  }
  if (value['base'] === true) finding.base = true
  if (typeof value['score'] === 'number') finding.score = value['score']
  for (const key of ['ruleTitle', 'evidence', 'subject'] as const) {
    const text = optionalString(value, key, where, fail)
    if (text !== undefined) finding[key] = text
  }
  return finding
}

/** The nested objects (package, fix, layer, location, …): checked for the fields later stages read. */
function copyRecords(value: JsonRecord, finding: Finding, where: string, fail: Fail): void {
  const record = (key: string): JsonRecord | undefined => {
    const v = value[key]
    if (v === undefined) return undefined
    if (!isRecord(v)) return fail(`${where}.${key} is not an object`)
    return v
  }
  const pkg = record('package')
  if (pkg !== undefined) {
    finding.package = {
      name: requiredString(pkg, 'name', `${where}.package`, fail),
      version: typeof pkg['version'] === 'string' ? pkg['version'] : '',
      type: typeof pkg['type'] === 'string' ? pkg['type'] : '',
      ...(typeof pkg['purl'] === 'string' ? { purl: pkg['purl'] } : {}),
      ...(typeof pkg['path'] === 'string' ? { path: pkg['path'] } : {}),
    }
  }
  const fix = record('fix')
  if (fix !== undefined) {
    const state = fix['state']
    finding.fix = {
      state: state === 'fixed' || state === 'not-fixed' || state === 'wont-fix' ? state : 'unknown',
      versions: stringList(fix, 'versions', `${where}.fix`, fail),
    }
  }
  const layer = record('layer')
  if (layer !== undefined) {
    finding.layer = { diffId: requiredString(layer, 'diffId', `${where}.layer`, fail) }
    if (typeof layer['createdBy'] === 'string') finding.layer.createdBy = layer['createdBy']
  }
  const location = record('location')
  if (location !== undefined) {
    const startLine = location['startLine']
    if (typeof startLine !== 'number' || !Number.isInteger(startLine) || startLine < 1) {
      return fail(`${where}.location.startLine is not a line number`)
    }
    finding.location = { path: requiredString(location, 'path', `${where}.location`, fail), startLine }
    if (typeof location['endLine'] === 'number') finding.location.endLine = location['endLine']
  }
  const instruction = record('instruction')
  if (instruction !== undefined && typeof instruction['keyword'] === 'string') {
    finding.instruction = {
      keyword: instruction['keyword'] as NonNullable<Finding['instruction']>['keyword'],
    }
    if (typeof instruction['argument'] === 'string') finding.instruction.argument = instruction['argument']
  }
  const help = record('help')
  if (help !== undefined && typeof help['text'] === 'string' && typeof help['markdown'] === 'string') {
    finding.help = { text: help['text'], markdown: help['markdown'] }
  }
  for (const key of ['severityBySource', 'vendorSeverity'] as const) {
    const map = record(key)
    // Kept as written: only `severity-source` reads them, at merge time in the leg.
    if (map !== undefined) (finding as unknown as JsonRecord)[key] = map
  }
}

function requiredString(record: JsonRecord, key: string, where: string, fail: Fail): string {
  const value = record[key]
  if (typeof value !== 'string' || value === '') return fail(`${where}.${key} is not a non-empty string`)
  return value
}

function optionalString(record: JsonRecord, key: string, where: string, fail: Fail): string | undefined {
  const value = record[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') return fail(`${where}.${key} is not a string`)
  return value
}

function stringList(record: JsonRecord, key: string, where: string, fail: Fail): string[] {
  const value = record[key]
  if (value === undefined) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    return fail(`${where}.${key} is not a list of strings`)
  }
  return [...(value as string[])]
}
