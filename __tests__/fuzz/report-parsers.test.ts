/**
 * Every report parser in REPORT_PARSERS, fed arbitrary JSON and mutated valid reports: it returns
 * well-formed findings or throws ScannerError/ConfigurationError — never a TypeError, RangeError or
 * SyntaxError, never a hang. FUZZ_SEED / FUZZ_RUNS set the seed and the number of runs (`npm run fuzz`).
 */
import { describe, it, expect } from '@jest/globals'
import { REPORT_PARSERS } from '../../src/scanners/report-formats.js'
import type { ParseContext, ReportFormat } from '../../src/scanners/scanner.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import fc from 'fast-check'
import { arbitraryJsonText, mutatedJson } from './fuzz-mutations.js'
import { expectWellFormed, fuzz, fuzzSettings, onlyExpectedErrors, testTimeout } from './fuzz-support.js'
import { REPORT_SEEDS, reportText } from './report-seeds.js'

const FORMATS = Object.keys(REPORT_PARSERS) as ReportFormat[]
const ALLOWED = [ScannerError, ConfigurationError]
const settings = fuzzSettings()

const context: fc.Arbitrary<ParseContext> = fc.oneof(
  fc.constant({ origin: 'fuzz.json' }),
  fc.constant({ origin: 'fuzz.json', target: 'registry.example/app:1.0' }),
)

function parserOf(format: ReportFormat): (text: string, ctx: ParseContext) => unknown {
  return REPORT_PARSERS[format]
}

async function parsesSafely(format: ReportFormat, text: string, ctx: ParseContext): Promise<void> {
  const findings = await onlyExpectedErrors(
    () => parserOf(format)(text, ctx),
    ALLOWED,
    () => text,
  )
  if (findings !== undefined) expectWellFormed(findings, () => text)
}

describe('report parser fuzzing', () => {
  it('covers every format that has a parser', () => {
    expect(FORMATS.sort()).toEqual(Object.keys(REPORT_SEEDS).sort())
  })

  it.each(FORMATS.map((f) => [f]))('%s: every seed report parses into findings', (format) => {
    for (const seed of REPORT_SEEDS[format]) {
      const findings = parserOf(format)(reportText(format, seed), { origin: 'seed.json' })
      expect(Array.isArray(findings) && findings.length > 0).toBe(true)
      expectWellFormed(findings, () => reportText(format, seed))
    }
  })

  it.each(FORMATS.map((f) => [f]))(
    '%s: arbitrary JSON and text',
    async (format) => {
      await fuzz(
        fc.tuple(arbitraryJsonText, context),
        ([text, ctx]) => parsesSafely(format, text, ctx),
        settings,
      )
    },
    testTimeout(settings),
  )

  it.each(FORMATS.map((f) => [f]))(
    '%s: mutated valid reports',
    async (format) => {
      const texts = mutatedJson(REPORT_SEEDS[format], (value) => reportText(format, value))
      await fuzz(fc.tuple(texts, context), ([text, ctx]) => parsesSafely(format, text, ctx), settings)
    },
    testTimeout(settings),
  )
})
