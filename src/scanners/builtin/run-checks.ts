/**
 * Runs the built-in checks on an opened image: one pass over the layers for every filesystem check
 * together (the union of what they select), then each check on the metadata and its own selection. Every
 * finding leaves with all secret values any check found masked out of every field.
 */
import type { Finding } from '../../findings/finding.js'
import type { FinalFile, LayerEntryHeader, OpenedImage, RemovedFile } from '../../target/image-types.js'
import { errorMessage, isGateError, ScannerError } from '../../util/errors.js'
import type { DockerfileModel } from '../../findings/dockerfile.js'
import type { Logger } from '../../util/logger.js'
import { SecretMasker } from '../../util/mask.js'
import { MAX_CHECK_CONTENT_BYTES, toFinding, type CheckFinding, type ImageCheck } from './check.js'
import { maskHistoryLine } from './history-secrets.js'

/** The final-filesystem collector (`collectFinalFiles` in `target/filesystem.ts`), injectable for tests. */
export type FinalFilesCollector = (
  image: OpenedImage,
  options: {
    select: (header: LayerEntryHeader) => boolean
    wantContent?: (header: LayerEntryHeader) => boolean
    maxContentBytes?: number
    onRemoved?: (removed: RemovedFile) => void
    sniffContent?: (header: LayerEntryHeader, head: Buffer) => boolean
    signal?: AbortSignal
  },
) => Promise<Map<string, FinalFile>>

export interface RunChecksOptions {
  /** The image as the user named it. */
  target: string
  checks: readonly ImageCheck[]
  collectFinalFiles: FinalFilesCollector
  logger: Logger
  /** The Dockerfile the image was built from, for what the history does not record. */
  dockerfile?: DockerfileModel
  /** The scan timeout: the layer walk stops with a `ScannerError` once it has passed. */
  timeoutMs?: number
}

/**
 * Secrets shorter than this are not scrubbed from every field by the safety net (a 4-character password
 * would mangle unrelated words); the checks never print such values in the first place.
 */
const MIN_SCRUBBED_SECRET_LENGTH = 6

function maskStrings<T>(value: T, secrets: SecretMasker): T {
  if (typeof value === 'string') return secrets.mask(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => maskStrings(v, secrets)) as T
  if (typeof value === 'object' && value !== null) {
    const copy: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) copy[key] = maskStrings(v, secrets)
    return copy as T
  }
  return value
}

/** Masks what the checks found everywhere (the shared help text excepted) and any `created_by` quoted. */
function scrub(finding: Finding, secrets: SecretMasker): Finding {
  const { help, ...rest } = finding
  const masked = maskStrings(rest, secrets)
  if (masked.layer?.createdBy !== undefined) {
    masked.layer = { ...masked.layer, createdBy: maskHistoryLine(masked.layer.createdBy) }
  }
  return help === undefined ? masked : { ...masked, help }
}

function fileChecksSelector(checks: readonly ImageCheck[]) {
  const selecting = checks.filter((c) => c.selects !== undefined)
  return {
    any: selecting.length > 0,
    sniffContent: (header: LayerEntryHeader, head: Buffer) =>
      selecting.some((c) => c.sniffsContent?.(header, head) === true),
    select: (header: LayerEntryHeader) => selecting.some((c) => c.selects?.(header) === true),
    wantContent: (header: LayerEntryHeader) =>
      selecting.some((c) => c.selects?.(header) === true && c.wantsContent?.(header) === true),
  }
}

export async function runBuiltinChecks(image: OpenedImage, options: RunChecksOptions): Promise<Finding[]> {
  const { checks, logger, target } = options
  const selector = fileChecksSelector(checks)
  let allFiles = new Map<string, FinalFile>()
  const allRemoved: RemovedFile[] = []
  if (selector.any) {
    const timeoutMs = options.timeoutMs
    const timedOut =
      timeoutMs === undefined
        ? undefined
        : new ScannerError(
            'builtin',
            `builtin did not finish within the scan timeout (${Math.round(timeoutMs / 1000)}s) on ${target}`,
          )
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs)
    try {
      allFiles = await options.collectFinalFiles(image, {
        select: selector.select,
        wantContent: selector.wantContent,
        maxContentBytes: MAX_CHECK_CONTENT_BYTES,
        onRemoved: (removed) => allRemoved.push(removed),
        sniffContent: selector.sniffContent,
        ...(signal !== undefined ? { signal } : {}),
      })
    } catch (error) {
      if (signal?.aborted === true && timedOut !== undefined) throw timedOut
      // Reporting only the metadata checks would read as "no secret files": fail the scan instead.
      const what = isGateError(error) ? error.message : `unexpected error: ${errorMessage(error)}`
      throw new ScannerError('builtin', `builtin could not read the layers of ${target}: ${what}`, {
        cause: error,
      })
    }
    logger.debug(`builtin: ${allFiles.size} file(s) of the final filesystem selected for checks`)
  }

  const produced: { check: ImageCheck; finding: CheckFinding }[] = []
  for (const check of checks) {
    const files =
      check.selects === undefined
        ? new Map<string, FinalFile>()
        : new Map([...allFiles].filter(([, file]) => check.selects?.(file.entry) === true))
    const removedFiles = allRemoved.filter((file) => check.selects?.(file.entry) === true)
    let findings: CheckFinding[]
    try {
      findings = check.evaluate({
        target,
        image,
        files,
        removedFiles,
        ...(options.dockerfile !== undefined ? { dockerfile: options.dockerfile } : {}),
      })
    } catch (error) {
      throw new ScannerError(
        'builtin',
        `builtin check ${check.id} failed on ${target}: ${errorMessage(error)}`,
        {
          cause: error,
        },
      )
    }
    for (const finding of findings) produced.push({ check, finding })
  }

  // One masker for every finding: its cost does not grow with the number of secrets.
  const secrets = new SecretMasker(
    produced
      .flatMap(({ finding }) => finding.secretValues ?? [])
      .filter((s) => s.length >= MIN_SCRUBBED_SECRET_LENGTH),
  )
  return produced.map(({ check, finding }) => scrub(toFinding(check, target, finding), secrets))
}
