import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Log, Run } from 'sarif'
import { buildSarif } from '../../src/report/sarif.js'
import {
  applySarifLimits,
  assertUniqueCategories,
  GITHUB_SARIF_LIMITS,
  keepShownResults,
} from '../../src/report/sarif-limits.js'
import { buildLimitedSarif } from '../../src/report/files.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { gateResult, imageResult, manyFindings, mixedFindings } from '../helpers/gate-result-fixtures.js'
import { runMultitoolGithubRules, validateSarifSchema } from '../helpers/sarif-check.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sarif-limits-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function resultCount(log: Log): number {
  return log.runs.reduce((n, run) => n + (run.results?.length ?? 0), 0)
}

function securitySeverityOf(run: Run, ruleIndex: number | undefined): number {
  return Number(run.tool.driver.rules?.[ruleIndex ?? -1]?.properties?.['security-severity'] ?? -1)
}

/** Every result points at its own rule, and every rule is used. */
function expectConsistentRules(log: Log): void {
  for (const run of log.runs) {
    const rules = run.tool.driver.rules ?? []
    const used = new Set<number>()
    for (const result of run.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId)
      used.add(result.ruleIndex ?? -1)
    }
    expect(used.size).toBe(rules.length)
  }
}

describe('applySarifLimits', () => {
  it('passes a log within the limits through unchanged', () => {
    const log = buildSarif(gateResult([imageResult({ findings: mixedFindings() })]), { runPer: 'image' })
    const limited = applySarifLimits(log)
    expect(limited.droppedResults).toBe(0)
    expect(limited.notes).toEqual([])
    expect(limited.log).toEqual(log)
  })

  it('cuts 40,000 findings to what GitHub accepts, keeping every critical, and says how many went', () => {
    const findings = manyFindings(40_000, { criticalEvery: 100 })
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    const limited = applySarifLimits(log)

    const run = limited.log.runs[0]!
    expect(run.results).toHaveLength(GITHUB_SARIF_LIMITS.maxResultsPerRun)
    expect(limited.droppedResults).toBe(40_000 - GITHUB_SARIF_LIMITS.maxResultsPerRun)
    expect(limited.notes.join('\n')).toContain('15,000 were left out')
    expect(run.properties?.droppedResults).toBe(15_000)
    expect(gzipSync(JSON.stringify(limited.log)).length).toBeLessThanOrEqual(GITHUB_SARIF_LIMITS.maxGzipBytes)

    const criticals = findings.filter((f) => f.severity === 'critical').length
    const keptCriticals = (run.results ?? []).filter((r) => securitySeverityOf(run, r.ruleIndex) >= 9).length
    expect(criticals).toBe(400)
    expect(keptCriticals).toBe(criticals)
    // Everything error-level was kept; what went was the least severe.
    const errorsBefore = (log.runs[0]?.results ?? []).filter((r) => r.level === 'error').length
    expect((run.results ?? []).filter((r) => r.level === 'error')).toHaveLength(errorsBefore)
    // The notes that made it are all low (2.0), none of the unknown ones (no security-severity).
    const keptNotes = (run.results ?? []).filter((r) => r.level === 'note')
    expect(keptNotes.length).toBeGreaterThan(0)
    expect(keptNotes.every((r) => securitySeverityOf(run, r.ruleIndex) === 2)).toBe(true)

    expectConsistentRules(limited.log)
    expect(validateSarifSchema(limited.log)).toEqual([])
  })

  it('shrinks a log over the gzipped size limit until it fits, most severe first', () => {
    const findings = manyFindings(3_000, { criticalEvery: 50 })
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    const full = gzipSync(JSON.stringify(log)).length
    const maxGzipBytes = Math.floor(full / 3)
    const limited = applySarifLimits(log, { ...GITHUB_SARIF_LIMITS, maxGzipBytes })

    expect(gzipSync(JSON.stringify(limited.log)).length).toBeLessThanOrEqual(maxGzipBytes)
    expect(limited.droppedResults).toBe(3_000 - resultCount(limited.log))
    expect(limited.droppedResults).toBeGreaterThan(0)
    expect(limited.notes.some((n) => n.includes('gzipped'))).toBe(true)
    const run = limited.log.runs[0]!
    expect((run.results ?? []).filter((r) => securitySeverityOf(run, r.ruleIndex) >= 9)).toHaveLength(60)
    expectConsistentRules(limited.log)
    expect(validateSarifSchema(limited.log)).toEqual([])
  })

  it('keeps the rules of the most severe results when there are too many rules', () => {
    const findings = manyFindings(1_000, { criticalEvery: 10 })
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    const limited = applySarifLimits(log, { ...GITHUB_SARIF_LIMITS, maxRulesPerRun: 100 })
    const run = limited.log.runs[0]!
    expect(run.tool.driver.rules).toHaveLength(100)
    expect(run.tool.driver.rules?.every((r) => r.properties?.['security-severity'] === '9.5')).toBe(true)
    expect(limited.droppedResults).toBe(1_000 - (run.results?.length ?? 0))
    expectConsistentRules(limited.log)
  })

  it('prefers active results over suppressed ones of the same severity', () => {
    const findings = manyFindings(10, { criticalEvery: 1 }).map((f, i) =>
      i < 5 ? { ...f, suppression: { kind: 'vex' as const, reason: 'not_affected' } } : f,
    )
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    const limited = applySarifLimits(log, { ...GITHUB_SARIF_LIMITS, maxResultsPerRun: 5 })
    expect(limited.log.runs[0]?.results?.every((r) => r.suppressions === undefined)).toBe(true)
  })

  it('refuses more than 20 runs with a configuration error', () => {
    const images = Array.from({ length: 7 }, (_, i) =>
      imageResult({ target: `app${i}:1`, repository: `acme/app${i}`, findings: mixedFindings(`app${i}:1`) }),
    )
    const log = buildSarif(gateResult(images), { runPer: 'scanner' })
    expect(log.runs).toHaveLength(21)
    expect(() => applySarifLimits(log)).toThrow(ConfigurationError)
    expect(() => applySarifLimits(log)).toThrow(/21 runs .* one SARIF run per image/)
    expect(applySarifLimits(buildSarif(gateResult(images), { runPer: 'image' })).log.runs).toHaveLength(7)
  })

  it('gives a log GitHub ingests (schema and Multitool)', async () => {
    const findings = manyFindings(1_500, { criticalEvery: 20 })
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'scanner' })
    const limited = applySarifLimits(log, { ...GITHUB_SARIF_LIMITS, maxResultsPerRun: 400 })
    expect(limited.log.runs.every((r) => (r.results?.length ?? 0) <= 400)).toBe(true)
    expect(limited.droppedResults).toBeGreaterThan(0)
    expect(validateSarifSchema(limited.log)).toEqual([])
    const file = join(dir, 'limited.sarif')
    await writeFile(file, JSON.stringify(limited.log))
    const reported = await runMultitoolGithubRules([file])
    expect(reported.filter((f) => f.level === 'error')).toEqual([])
  }, 300_000)
})

describe('assertUniqueCategories', () => {
  it('accepts distinct categories and rejects a repeated one as a bug', () => {
    const log = buildSarif(
      gateResult([imageResult(), imageResult({ target: 'debian:12', repository: 'library/debian' })]),
      {
        runPer: 'image',
      },
    )
    expect(() => assertUniqueCategories(log)).not.toThrow()
    const second = log.runs[1]!
    second.automationDetails = { id: log.runs[0]?.automationDetails?.id ?? '' }
    expect(() => assertUniqueCategories(log)).toThrow(/two SARIF runs share tool "container-security-gate"/)
    expect(() => assertUniqueCategories(log)).not.toThrow(ConfigurationError)
  })

  it('compares categories, not run instances', () => {
    const log = buildSarif(
      gateResult([imageResult(), imageResult({ target: 'debian:12', repository: 'library/debian' })]),
      {
        runPer: 'image',
      },
    )
    log.runs[0]!.automationDetails = { id: 'container-security-gate/x/run-1' }
    log.runs[1]!.automationDetails = { id: 'container-security-gate/x/run-2' }
    expect(() => assertUniqueCategories(log)).toThrow(/category "container-security-gate\/x\/"/)
  })
})

describe('the 5,000 results code scanning shows per run', () => {
  it('uploads the 5,000 most severe of 8,000, every critical and high among them, rules trimmed', () => {
    // 80 critical (every 100th); the rest high/medium/low/unknown by i % 4: 1,920 high, 2,000 medium,
    // 2,000 low, 2,000 unknown. Error level: 2,000; warning: 2,000; then 1,000 of the 4,000 notes.
    const findings = manyFindings(8000, { criticalEvery: 100 })
    const log = buildSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    const shown = keepShownResults(log)
    const run = shown.log.runs[0]!
    expect(run.results).toHaveLength(5000)
    expect(shown.cut).toBe(3000)
    expect(run.results!.filter((r) => r.level === 'error')).toHaveLength(2000)
    expect(run.results!.filter((r) => r.level === 'warning')).toHaveLength(2000)
    expect(run.results!.filter((r) => r.level === 'note')).toHaveLength(1000)
    expect(shown.notes).toEqual([
      'Run container-security-gate/library/alpine/: code scanning shows at most 5,000 results per run, so the 5,000 most severe of 8,000 were uploaded; 3,000 are not shown there (they are in the SARIF and findings files).',
    ])
    expectConsistentRules(shown.log)
    expect(log.runs[0]!.results).toHaveLength(8000) // the log given is not changed
  })

  it('the sarif-file keeps all (up to 25,000); only the uploaded log is cut, and not-shown counts both', () => {
    const findings = manyFindings(30_000, { criticalEvery: 100 })
    const sarif = buildLimitedSarif(gateResult([imageResult({ findings })]), { runPer: 'image' })
    expect(sarif.log.runs[0]!.results).toHaveLength(25_000)
    expect(sarif.uploadLog.runs[0]!.results).toHaveLength(5000)
    expect(sarif.droppedResults).toBe(5000)
    expect(sarif.notShownResults).toBe(25_000)
    expect(JSON.parse(sarif.json)).toEqual(sarif.log)
  })

  it('leaves runs of 5,000 or fewer alone', () => {
    const log = buildSarif(gateResult([imageResult({ findings: manyFindings(5000) })]), { runPer: 'image' })
    const shown = keepShownResults(log)
    expect(shown.log).toBe(log)
    expect(shown.cut).toBe(0)
  })
})
