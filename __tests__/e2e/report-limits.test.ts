/**
 * The documented report limit through the built CLI: a 200,000-finding Trivy JSON report (~21 MB) and a
 * 200,000-result SARIF log, each via `--report`, end with the gate's exit code (1: HIGH findings), not
 * 70 (`RangeError: Maximum call stack size exceeded` from spreading the findings, before), and write a
 * SARIF log and a findings JSON that parse. The machine may be slow: minutes are allowed, no time asserted.
 */
import { describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCli } from '../helpers/cli-runner.js'
import { LIMIT_COUNT, limitSarifLog, limitTrivyReport } from '../helpers/limit-reports.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

interface SarifOut {
  version: string
  runs: { results: unknown[]; properties?: Record<string, unknown> }[]
}

describe('reports at the documented limit, through the built CLI', () => {
  // GitHub takes at most 25,000 results per run: the most severe are kept in the log, the rest counted;
  // the findings JSON keeps them all.
  it.each([
    ['trivy', 'trivy.json', limitTrivyReport, 25_000],
    ['sarif', 'scanner.sarif', limitSarifLog, 25_000],
  ])(
    'a %s report of 200,000 findings ends with the gate exit code and valid outputs',
    async (format, name, make, results) => {
      const work = await tempDir('csg-report-limits-')
      const report = join(work, name)
      await writeFile(report, make())
      const sarif = join(work, 'out.sarif')
      const json = join(work, 'findings.json')

      const run = await runCli(
        ['scan', '--report', `${format}:${report}`, '--sarif', sarif, '--json', json],
        {
          env: { RUNNER_TEMP: work },
        },
      )

      expect(run.stderr).not.toContain('RangeError')
      expect(run.exitCode).toBe(1)
      const log = JSON.parse(await readFile(sarif, 'utf8')) as SarifOut
      expect(log.version).toBe('2.1.0')
      expect(log.runs.map((r) => r.results.length)).toEqual([results])
      const findings = JSON.parse(await readFile(json, 'utf8')) as { findings: unknown[] }
      expect(findings.findings).toHaveLength(LIMIT_COUNT)
    },
    900_000,
  )
})
