import { describe, it, expect, jest } from '@jest/globals'
import { cvssBaseScore } from '../../src/findings/cvss.js'

describe('cvssBaseScore', () => {
  it.each<[string, number | undefined]>([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5],
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
})
