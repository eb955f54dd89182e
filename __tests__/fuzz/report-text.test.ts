/**
 * `oneLine` skips its replacements when the text is already one clean line (a benchmark hot spot): on any
 * text, whitespace- and control-character-heavy text above all, it must give what the replacements give.
 */
import { describe, it } from '@jest/globals'
import fc from 'fast-check'
import { oneLine, truncate } from '../../src/report/finding-text.js'
import { fuzz, fuzzSettings, testTimeout } from './fuzz-support.js'

const settings = fuzzSettings(5)

/** `oneLine` as it was before the fast path. */
function reference(text: string, max: number): string {
  const flat = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return truncate(flat, max)
}

const spacey = fc.string({
  unit: fc.constantFrom(
    ' ',
    ' ',
    'a',
    'b',
    '\t',
    '\n',
    '\r',
    '\u00a0',
    '\u2028',
    '\u0085',
    '\ufeff',
    '\u0000',
    '\u001b',
    'é',
    '🐳',
    '\ud800',
  ),
  maxLength: 40,
})

describe('oneLine fast path', () => {
  it(
    'gives the same line as the full replacement',
    async () => {
      await fuzz(
        fc.tuple(
          fc.oneof(spacey, fc.string({ unit: 'binary', maxLength: 60 }), fc.string()),
          fc.nat({ max: 80 }),
        ),
        ([text, max]) => {
          const got = oneLine(text, max)
          const want = reference(text, max)
          if (got !== want)
            throw new Error(
              `oneLine(${JSON.stringify(text)}, ${max}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
            )
        },
        settings,
      )
    },
    testTimeout(settings),
  )
})
