import { describe, it, expect } from '@jest/globals'
import type { ImageHealthcheck } from '../../../src/target/image-types.js'
import { hasHealthcheck, noHealthcheckCheck } from '../../../src/scanners/builtin/no-healthcheck.js'
import { runCheck } from './run-check.js'

describe('csg/no-healthcheck', () => {
  // The instruction: the HEALTHCHECK that disabled or emptied the check, or FROM when there is none.
  it.each<[string, ImageHealthcheck | undefined, string | undefined, string | undefined]>([
    ['no HEALTHCHECK', undefined, 'Image has no HEALTHCHECK', 'FROM'],
    ['HEALTHCHECK NONE', { test: ['NONE'] }, 'HEALTHCHECK is disabled (HEALTHCHECK NONE)', 'HEALTHCHECK'],
    ['an empty test', { test: [] }, 'Image has no HEALTHCHECK', 'FROM'],
    ['a test without a command', { test: ['CMD-SHELL', '  '] }, 'Image has no HEALTHCHECK', 'HEALTHCHECK'],
    [
      'a shell check',
      { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 30e9 },
      undefined,
      undefined,
    ],
    ['an exec check', { test: ['CMD', '/app/healthcheck'] }, undefined, undefined],
  ])('%s', async (_name, healthcheck, title, keyword) => {
    const findings = await runCheck(noHealthcheckCheck, {
      config: healthcheck === undefined ? {} : { healthcheck },
    })
    if (title === undefined) {
      expect(findings).toEqual([])
    } else {
      expect(findings).toHaveLength(1)
      expect(findings[0]).toMatchObject({
        ruleId: 'csg/no-healthcheck',
        title,
        severity: 'low',
        instruction: { keyword },
      })
      expect(findings[0]?.help?.markdown).toContain('4.6')
    }
  })

  it('reads the test array defensively', () => {
    expect(hasHealthcheck(undefined)).toBe(false)
    expect(hasHealthcheck(['none'])).toBe(false)
    expect(hasHealthcheck(['CMD', 'true'])).toBe(true)
  })
})
