/** Stage: existing reports (`reports:`), and grouping every outcome by image. */
import type { Config } from '../config/config.js'
import type { ImageResult, ScannerRun } from '../report/gate-result.js'
import { parseReportFile } from '../scanners/report-formats.js'
import { reportImageIdOf } from '../scanners/report-image.js'
import { runNoteOf } from '../scanners/run-notes.js'
import { repositoryOfName } from '../target/reference.js'
import { isGateError } from '../util/errors.js'
import type { PipelineDeps } from './deps.js'
import type { ScanOutcome } from './scan.js'
import type { ScanTarget } from './targets.js'
import { appendAll } from '../util/arrays.js'

export async function importReports(config: Config, deps: PipelineDeps): Promise<ScanOutcome[]> {
  const imageName = config.images[0]
  const outcomes: ScanOutcome[] = []
  for (const report of config.reports) {
    // Findings files of matrix legs are whole images, read by the collect stage.
    if (report.format === 'findings') continue
    const started = Date.now()
    const base = { scanner: report.format, name: `${report.format} report`, origin: 'report' as const }
    try {
      const findings = await parseReportFile(report.format, report.path, {
        origin: report.spec,
        ...(imageName !== undefined ? { target: imageName } : {}),
      })
      const target = imageName ?? findings[0]?.target ?? report.path
      const run: ScannerRun = {
        ...base,
        target,
        status: 'ok',
        findings: findings.length,
        durationMs: Date.now() - started,
      }
      const note = runNoteOf(findings)
      if (note !== undefined) {
        run.message = note
        deps.logger.warning(`${report.spec}: ${note}`)
      }
      const imageId = reportImageIdOf(findings)
      outcomes.push({ target, findings, run, ...(imageId !== undefined ? { imageId } : {}) })
    } catch (error) {
      if (!isGateError(error)) throw error
      deps.logger.error(`could not import ${report.spec}: ${error.message}`)
      const target = imageName ?? report.path
      outcomes.push({
        target,
        findings: [],
        run: { ...base, target, status: 'failed', findings: 0, message: error.message },
      })
    }
  }
  return outcomes
}

/** Transport prefixes scanners put before a path or reference (grype `docker-archive:`, skopeo `oci:`). */
const TRANSPORT_PREFIX =
  /^(docker-archive|oci-archive|oci-dir|oci|docker-daemon|docker|podman|containerd|registry):/

/** `docker-archive:./app.tar` and `app.tar` name the same image. */
export function imageNameKey(name: string): string {
  return name.trim().replace(TRANSPORT_PREFIX, '').replace(/^\.\//, '')
}

/**
 * One result per image. Outcomes of one image are grouped when they name it alike (after dropping a
 * transport prefix: Trivy names `--input app.tar` "app.tar", Grype "docker-archive:app.tar") or carry the
 * same image ID (Trivy `Metadata.ImageID`, Grype `source.target.imageID`, the scanned image's own).
 */
export function groupByImage(
  outcomes: readonly ScanOutcome[],
  targets: readonly ScanTarget[],
): ImageResult[] {
  const images: ImageResult[] = []
  const byName = new Map<string, ImageResult>()
  const byId = new Map<string, ImageResult>()
  const remember = (image: ImageResult, name: string): void => {
    if (!byName.has(imageNameKey(name))) byName.set(imageNameKey(name), image)
    if (image.imageId !== undefined && !byId.has(image.imageId)) byId.set(image.imageId, image)
  }
  for (const target of targets) {
    const image: ImageResult = {
      target: target.name,
      repository: target.repository,
      imageId: target.image.imageId,
      findings: [],
      scanners: [],
    }
    images.push(image)
    remember(image, target.name)
    if (target.writtenName !== undefined) remember(image, target.writtenName)
  }
  for (const outcome of outcomes) {
    let image =
      byName.get(imageNameKey(outcome.target)) ??
      (outcome.imageId !== undefined ? byId.get(outcome.imageId) : undefined)
    if (image === undefined) {
      image = {
        target: outcome.target,
        repository: repositoryOfName(outcome.target),
        findings: [],
        scanners: [],
      }
      images.push(image)
    }
    if (image.imageId === undefined && outcome.imageId !== undefined) image.imageId = outcome.imageId
    remember(image, outcome.target)
    // Findings keep the name the image result is known by, so merging sees one target.
    const findings =
      outcome.target === image.target
        ? outcome.findings
        : outcome.findings.map((f) => (f.target === outcome.target ? { ...f, target: image.target } : f))
    appendAll(image.findings, findings)
    image.scanners.push(
      outcome.target === image.target ? outcome.run : { ...outcome.run, target: image.target },
    )
  }
  return images
}
