import { existsSync } from 'node:fs'
import { describe, it, expect } from '@jest/globals'
// @ts-expect-error: a plain JavaScript script without declarations
import { filesInNoUnit, GROUPS } from '../../scripts/mutation.js'

describe('npm run mutation units', () => {
  it('cover every file of the pure core, so a new module counts in the score', () => {
    expect(filesInNoUnit()).toEqual([])
  })

  it('name only files that exist, each in one unit', () => {
    const units = Object.values(GROUPS as Record<string, Record<string, { mutate: string[] }>>).flatMap((g) =>
      Object.values(g),
    )
    const files = units.flatMap((u) => u.mutate)
    expect(new Set(files).size).toBe(files.length)
    expect(files.filter((f) => !f.startsWith('src/') || !f.endsWith('.ts') || !existsSync(f))).toEqual([])
  })

  it('run only test files that exist (a misspelt one would silently lower the score)', () => {
    const units = Object.values(GROUPS as Record<string, Record<string, { tests: string[] }>>).flatMap((g) =>
      Object.values(g),
    )
    const tests = units.flatMap((u) => u.tests)
    expect(tests.filter((t) => !t.endsWith('.test.ts') || !existsSync(`__tests__/${t}`))).toEqual([])
  })
})
