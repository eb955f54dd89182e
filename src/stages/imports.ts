/** Stage: existing reports (`reports:`), and grouping every outcome by image. */
import type { Config } from '../config/config.js'
import type { ImageResult } from '../report/gate-result.js'
import { parseReportFile } from '../scanners/report-formats.js'
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
    const started = Date.now()
    const base = { scanner: report.format, name: `${report.format} report`, origin: 'report' as const }
    try {
      const findings = await parseReportFile(report.format, report.path, {
        origin: report.spec,
        ...(imageName !== undefined ? { target: imageName } : {}),
      })
      const target = imageName ?? findings[0]?.target ?? report.path
      outcomes.push({
        target,
        findings,
        run: { ...base, target, status: 'ok', findings: findings.length, durationMs: Date.now() - started },
      })
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

export function groupByImage(
  outcomes: readonly ScanOutcome[],
  targets: readonly ScanTarget[],
): ImageResult[] {
  const images = new Map<string, ImageResult>()
  for (const target of targets) {
    images.set(target.name, {
      target: target.name,
      repository: target.repository,
      imageId: target.image.imageId,
      findings: [],
      scanners: [],
    })
  }
  for (const outcome of outcomes) {
    let image = images.get(outcome.target)
    if (image === undefined) {
      image = {
        target: outcome.target,
        repository: repositoryOfName(outcome.target),
        findings: [],
        scanners: [],
      }
      images.set(outcome.target, image)
    }
    appendAll(image.findings, outcome.findings)
    image.scanners.push(outcome.run)
  }
  return [...images.values()]
}
