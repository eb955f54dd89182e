import { describe, it, expect, jest } from '@jest/globals'
import { cvssBaseScore } from '../../src/findings/cvss.js'

describe('cvssBaseScore', () => {
  it.each<[string, number | undefined]>([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
    // NVD writes v2 vectors in parentheses; reports pad vectors with blanks.
    ['(AV:N/AC:L/Au:N/C:P/I:P/A:P)', 7.5],
    ['  CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\n', 7.5],
    // A complete vector with no impact scores 0: no score rather than a 0 that would rank it below unknowns.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', undefined],
    ['CVSS:3.1/AV:N', undefined],
    ['garbage', undefined],
    ['', undefined],
  ])('%s → %s', (vector, score) => {
    expect(cvssBaseScore(vector)).toBe(score)
  })

  // The calculator prints `Invalid component/value pair` with console.warn for these.
  it.each(['CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:'])(
    'gives no score for %s and prints nothing',
    (vector) => {
      const original = console.warn
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)
      try {
        expect(cvssBaseScore(vector)).toBeUndefined()
        expect(warn).not.toHaveBeenCalled()
      } finally {
        warn.mockRestore()
      }
      expect(console.warn).toBe(original)
    },
  )

  it('puts console.warn back after muting it', () => {
    const original = console.warn
    expect(cvssBaseScore('CVSS:3.1/AV:/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBeUndefined()
    expect(cvssBaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H')).toBe(7.5)
    expect(console.warn).toBe(original)
  })
})
