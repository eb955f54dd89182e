import { describe, expect, it } from '@jest/globals'
import { emptyCounts } from '../src/findings/severity.js'
import type { Verdict } from '../src/policy/gate.js'
import { ConfigurationError, ImageError, ScannerError, UploadError } from '../src/util/errors.js'
import { describeFailure, exitCodeOf, failureOf, runErrorKind } from '../src/verdict.js'

const verdict = (result: Verdict['result'], reasons: string[]): Verdict => ({
  result,
  reasons,
  counts: emptyCounts(),
  suppressed: 0,
  failing: 0,
  scannerErrors: 0,
})

describe('failureOf and exitCodeOf', () => {
  it.each([
    ['pass', undefined, 0],
    ['fail', /^Security gate failed: 2 finding/, 1],
    ['error', /^The scan did not complete, so the image cannot be called clean: Trivy failed/, 3],
  ] as const)('%s', (result, message, code) => {
    const v = verdict(
      result,
      result === 'error' ? ['Trivy failed on app:ci: exited with code 1'] : ['2 finding(s) at or above'],
    )
    const failure = failureOf(v)
    if (message === undefined) expect(failure).toBeUndefined()
    else expect(failure).toMatch(message)
    expect(exitCodeOf(v)).toBe(code)
  })

  it('a failed upload fails the step even when the gate passes', () => {
    const failure = failureOf(verdict('pass', []), {
      status: 'failed',
      error: new UploadError('413 too large', 413),
    })
    expect(failure).toBe('Code scanning upload failed: 413 too large')
  })
})

describe('describeFailure', () => {
  it('gives our errors as their one line, and anything else as a bug with its stack', () => {
    expect(describeFailure(new ConfigurationError('input x: bad'))).toBe('input x: bad')
    expect(describeFailure(new TypeError('boom'))).toMatch(
      /^container-security-gate hit an internal error \(a bug; please report it\): TypeError: boom/,
    )
  })
})

describe('runErrorKind', () => {
  it.each([
    [new ConfigurationError('input x: bad'), 'configuration'],
    [new ImageError('truncated'), 'image'],
    [new ScannerError('trivy', 'bad report'), 'scanner'],
    [new UploadError('403', 403), 'upload'],
    [new TypeError('boom'), 'internal'],
    ['a string', 'internal'],
  ])('names %p as %s', (error, kind) => {
    expect(runErrorKind(error)).toBe(kind)
  })
})
