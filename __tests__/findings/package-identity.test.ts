import { describe, it, expect } from '@jest/globals'
import { packageFamily, packageVersionKey } from '../../src/findings/package-identity.js'

describe('packageFamily', () => {
  it.each([
    ['apk', 'apk'],
    ['Alpine:v3.18', 'apk'],
    ['node-pkg', 'npm'],
    ['java-archive', 'maven'],
    ['something-new', 'something-new'],
  ])('%s → %s', (type, family) => {
    expect(packageFamily(type)).toBe(family)
  })

  // A plain-object lookup answered these with Object.prototype's members (`constructor` → Object).
  it.each([
    ['constructor', 'constructor'],
    ['__proto__', '__proto__'],
    ['Constructor', 'constructor'],
  ])('reads the type %s as its own family %s', (type, family) => {
    expect(packageFamily(type)).toBe(family)
  })

  it('keeps packages of a prototype-named type apart from other types', () => {
    const key = (type: string): string => packageVersionKey({ name: 'a', version: '1', type })
    expect(key('constructor')).toBe(`constructor\u0000a\u00001`)
    expect(key('constructor')).not.toBe(key('toString'))
  })
})
