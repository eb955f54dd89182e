/**
 * Odd reports through the whole pipeline: two mutated reports imported with `reports:` → merge →
 * attribution → policy → gate → SARIF string. Nothing may throw, and nothing may be lost: every finding a
 * report parsed into is still there after merging (by one of its ids), and is a SARIF result unless
 * GitHub's limits dropped it (which the SARIF then says).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { buildConfig } from '../../src/config/config.js'
import type { Finding } from '../../src/findings/finding.js'
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js'
import { buildLimitedSarif } from '../../src/report/files.js'
import { parseFindingsDocument } from '../../src/scanners/findings-report.js'
import { REPORT_PARSERS, readReportText } from '../../src/scanners/report-formats.js'
import type { ReportFormat } from '../../src/scanners/scanner.js'
import { silentLogger } from '../../src/util/logger.js'
import { mutatedJson } from './fuzz-mutations.js'
import { fuzz, fuzzSettings, testTimeout } from './fuzz-support.js'
import { REPORT_SEEDS, reportText } from './report-seeds.js'

const FORMATS = Object.keys(REPORT_PARSERS) as ReportFormat[]
const settings = fuzzSettings(0.5)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csg-fuzz-pipeline-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const report: fc.Arbitrary<{ format: ReportFormat; text: string }> = fc
  .constantFrom(...FORMATS)
  .chain((format) =>
    fc
      .oneof(
        mutatedJson(REPORT_SEEDS[format], (v) => reportText(format, v)),
        fc.constantFrom(...REPORT_SEEDS[format].map((v) => reportText(format, v))),
      )
      .map((text) => ({ format, text })),
  )

function unavailable(): never {
  throw new Error('the fuzz test runs no scanner')
}

const deps: PipelineDeps = {
  run: () => unavailable(),
  logger: silentLogger,
  env: {},
  platform: 'linux-x64',
  now: () => new Date('2026-04-20T10:00:00Z'),
  install: () => unavailable(),
}

function idsOf(f: Finding): string[] {
  return [f.ruleId, ...f.aliases].map((id) => id.trim().toUpperCase()).filter((id) => id !== '')
}

function parsedOrUndefined(format: ReportFormat, text: string): Finding[] | undefined {
  try {
    return REPORT_PARSERS[format](text, { origin: 'direct' })
  } catch {
    return undefined
  }
}

let caseNumber = 0

async function throughThePipeline(reports: { format: ReportFormat; text: string }[]): Promise<void> {
  const specs: string[] = []
  for (const [i, r] of reports.entries()) {
    const path = join(dir, `${caseNumber}-${i}.report`)
    await writeFile(path, r.text)
    specs.push(`${r.format}:${path}`)
  }
  caseNumber++
  const config = buildConfig(
    { reports: specs, scanners: [] },
    {
      workspace: dir,
      tempDir: dir,
      exists: existsSync,
      readFile: (p) => readFileSync(p, 'utf8'),
      defaultOutputs: 'none',
    },
  )
  const result = await runPipeline(config, deps)
  const sarif = buildLimitedSarif(result, { runPer: 'image' })
  expect(typeof JSON.stringify(sarif.log)).toBe('string')

  const merged = result.images.flatMap((i) => i.findings)
  const mergedIds = new Set(merged.flatMap((f) => idsOf(f).map((id) => `${f.kind}\u0000${id}`)))
  const runs = result.images.flatMap((i) => i.scanners)
  let parsedReports = 0
  let parsedFindings = 0
  // A matrix leg's findings file brings the leg's own scanner runs (as many as it had, with its counts)
  // instead of one run for the file.
  let legRuns = 0
  let legRunFindings = 0
  for (const [i, r] of reports.entries()) {
    // The text as the pipeline read it back (a lone surrogate was written as U+FFFD).
    const text = await readReportText(r.format, join(dir, `${caseNumber - 1}-${i}.report`)).catch(() => '')
    const parsed = parsedOrUndefined(r.format, text)
    if (parsed === undefined) continue
    if (r.format === 'findings') {
      const legOk = parseFindingsDocument(text, 'direct')
        .images.flatMap((image) => image.scanners)
        .filter((run) => run.status === 'ok')
      legRuns += legOk.length
      legRunFindings += legOk.reduce((n, run) => n + run.findings, 0)
    } else {
      parsedReports++
      parsedFindings += parsed.length
    }
    for (const f of parsed) {
      const ids = idsOf(f)
      if (ids.length === 0) continue
      if (!ids.some((id) => mergedIds.has(`${f.kind}\u0000${id}`))) {
        throw new Error(`finding ${f.kind} ${f.ruleId} was lost\ninput: ${text.slice(0, 2000)}`)
      }
    }
  }
  const ok = runs.filter((run) => run.status === 'ok')
  expect(ok.length).toBe(parsedReports + legRuns)
  expect(ok.reduce((n, run) => n + run.findings, 0)).toBe(parsedFindings + legRunFindings)
  const results = sarif.log.runs.reduce((n, run) => n + (run.results?.length ?? 0), 0)
  expect(results + sarif.droppedResults).toBe(merged.length)
}

describe('odd reports through the pipeline', () => {
  it(
    'never throw and never lose a finding',
    async () => {
      await fuzz(fc.array(report, { minLength: 1, maxLength: 2 }), throughThePipeline, settings)
    },
    testTimeout(settings),
  )
})
