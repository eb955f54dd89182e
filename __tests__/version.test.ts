import { describe, it, expect } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { TOOL_VERSION } from '../src/version.js'

describe('version', () => {
  it('matches package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(TOOL_VERSION).toBe(pkg.version)
  })
})
