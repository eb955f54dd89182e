/**
 * The documented limit (a report of 130,000–200,000 findings) through the imports path: no array is
 * spread into a call's arguments, which overflowed the stack at this size (`push(...findings)`).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mergeFindings } from '../../src/findings/merge.js'
import { parseReportFile } from '../../src/scanners/report-formats.js'
import { groupByImage } from '../../src/stages/imports.js'
import type { ScanOutcome } from '../../src/stages/scan.js'
import { LIMIT_TARGET, limitSarifLog, limitTrivyReport } from '../helpers/limit-reports.js'

const TARGET = LIMIT_TARGET

describe('imports at the documented limit', () => {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-imports-limit-'))
    await writeFile(join(dir, 'trivy.json'), limitTrivyReport())
    await writeFile(join(dir, 'x.sarif'), limitSarifLog())
  }, 60_000)
  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  })

  it('groups and merges 200,000 Trivy findings and 200,000 SARIF results without overflowing the stack', async () => {
    const trivy = await parseReportFile('trivy', join(dir, 'trivy.json'), { target: TARGET })
    const sarif = await parseReportFile('sarif', join(dir, 'x.sarif'), { target: TARGET })
    const outcome = (scanner: string, findings: typeof trivy): ScanOutcome => ({
      target: TARGET,
      findings,
      run: {
        scanner,
        name: scanner,
        origin: 'report',
        target: TARGET,
        status: 'ok',
        findings: findings.length,
        durationMs: 0,
      },
    })
    const images = groupByImage([outcome('trivy', trivy), outcome('sarif', sarif)], [])
    expect(images.map((i) => [i.target, i.findings.length])).toEqual([[TARGET, 400_000]])
    const merged = mergeFindings(images[0]?.findings ?? [], { severitySource: 'highest' })
    expect(merged.length).toBeGreaterThanOrEqual(200_000)
  }, 180_000)
})
