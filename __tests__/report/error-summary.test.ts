import { describe, expect, it } from '@jest/globals'
import { buildErrorSummaryMarkdown } from '../../src/report/error-summary.js'

describe('buildErrorSummaryMarkdown', () => {
  it('says the run errored, why, and what failed', () => {
    expect(
      buildErrorSummaryMarkdown({ kind: 'image', message: 'image app.tar: the archive ends early' }),
    ).toBe(
      '## ⚠️ Container security gate errored\n\n' +
        'The image could not be read, so the run stopped before a verdict and the image cannot be called clean:\n\n' +
        '- image app.tar: the archive ends early\n',
    )
  })

  it('keeps the first line of an internal error and escapes markdown in it', () => {
    const text = buildErrorSummaryMarkdown({
      kind: 'internal',
      message: 'hit an internal error: TypeError: <b>x</b>\n    at run (main.ts:1:1)',
    })
    expect(text).toContain('The action hit an internal error (a bug; please report it), so the run stopped')
    expect(text).toContain('- hit an internal error: TypeError: &lt;b&gt;x&lt;/b&gt;\n')
    expect(text).not.toContain('main.ts:1:1')
  })
})
