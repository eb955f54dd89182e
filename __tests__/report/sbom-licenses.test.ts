import { describe, expect, it } from '@jest/globals'
import { spdxExpressionOf } from '../../src/report/sbom-licenses.js'

describe('spdxExpressionOf', () => {
  it.each([
    [['MIT'], 'MIT'],
    [['MIT OR Apache-2.0'], 'MIT OR Apache-2.0'],
    [['MIT', 'Apache-2.0 OR BSD-3-Clause'], 'MIT AND (Apache-2.0 OR BSD-3-Clause)'],
    [['GPL-2.0-or-later WITH Classpath-exception-2.0'], 'GPL-2.0-or-later WITH Classpath-exception-2.0'],
    [['BSD License'], undefined],
    [['SEE LICENSE IN LICENSE.md'], undefined],
    [['LicenseRef-Proprietary'], undefined],
    [['MIT', 'Custom'], undefined],
    [[], undefined],
  ])('%j → %s', (licenses, expected) => {
    expect(spdxExpressionOf(licenses)).toBe(expected)
  })
})
