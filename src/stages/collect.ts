/**
 * Stage: the collect step of a matrix — findings files written by the legs (`reports: findings:PATH`),
 * read back as the images they were, with each leg's scanner runs, attribution, suppressions and
 * baseline marks. Their findings are final: they are not merged or attributed again (the legs had the
 * image and the Dockerfile; this job may have neither), only judged with the other images by the policy
 * and the gate, so several legs give one verdict, one summary and one SARIF run per image.
 */
import type { Config } from '../config/config.js'
import { fingerprintOf } from '../findings/fingerprint.js'
import type { ImageResult } from '../report/gate-result.js'
import { parseFindingsDocument } from '../scanners/findings-report.js'
import { readReportText } from '../scanners/report-formats.js'
import { appendAll } from '../util/arrays.js'
import { isGateError } from '../util/errors.js'
import type { PipelineDeps } from './deps.js'
import { imageNameKey } from './imports.js'

export function isCollectOnly(config: Config): boolean {
  return (
    config.images.length === 0 &&
    config.reports.length > 0 &&
    config.reports.every((r) => r.format === 'findings')
  )
}

/** Every findings file's images; images of one name across files are one image. */
export async function collectFindingsFiles(config: Config, deps: PipelineDeps): Promise<ImageResult[]> {
  const collected: ImageResult[] = []
  for (const report of config.reports) {
    if (report.format !== 'findings') continue
    try {
      const leg = parseFindingsDocument(await readReportText('findings', report.path), report.spec)
      deps.logger.info(
        `${report.spec}: ${leg.images.length} image(s), ${leg.images.reduce((n, i) => n + i.findings.length, 0)} finding(s) from ${leg.images.map((i) => i.target).join(', ')}`,
      )
      mergeCollected(collected, leg.images)
    } catch (error) {
      if (!isGateError(error)) throw error
      deps.logger.error(`could not import ${report.spec}: ${error.message}`)
      mergeCollected(collected, [
        {
          target: report.spec,
          repository: 'image',
          findings: [],
          scanners: [
            {
              scanner: 'findings',
              name: 'findings report',
              target: report.spec,
              status: 'failed',
              findings: 0,
              message: error.message,
              origin: 'report',
            },
          ],
        },
      ])
    }
  }
  return collected
}

/**
 * Adds `more` to `images`: an image already there (same name) gains the new findings — one copy of a
 * finding two files both hold — and scanner runs; any other is appended as it is.
 */
export function mergeCollected(images: ImageResult[], more: readonly ImageResult[]): void {
  for (const image of more) {
    const existing = images.find((i) => imageNameKey(i.target) === imageNameKey(image.target))
    if (existing === undefined) {
      images.push(image)
      continue
    }
    const seen = new Set(existing.findings.map((f) => `${f.kind}|${fingerprintOf(f, existing.repository)}`))
    appendAll(
      existing.findings,
      image.findings
        .filter((f) => !seen.has(`${f.kind}|${fingerprintOf(f, existing.repository)}`))
        .map((f) => (f.target === existing.target ? f : { ...f, target: existing.target })),
    )
    appendAll(existing.scanners, image.scanners)
    if (existing.imageId === undefined && image.imageId !== undefined) existing.imageId = image.imageId
  }
}
