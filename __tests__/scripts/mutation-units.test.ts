import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it, expect } from '@jest/globals'
// @ts-expect-error: a plain JavaScript script without declarations
import { filesInNoUnit, forgetStaticMutants, GROUPS, staleFiles } from '../../scripts/mutation.js'

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

  it('forget the static mutants of an incremental file, so new tests reach them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csg-mutation-'))
    try {
      const file = join(dir, 'unit.incremental.json')
      const mutant = (id: string, status: string, isStatic?: boolean) => ({
        id,
        status,
        ...(isStatic !== undefined ? { static: isStatic } : {}),
      })
      writeFileSync(
        file,
        JSON.stringify({
          schemaVersion: '2',
          files: {
            'src/a.ts': {
              mutants: [mutant('1', 'Survived', true), mutant('2', 'Killed', false), mutant('3', 'Survived')],
            },
            'src/b.ts': { mutants: [mutant('4', 'Killed', true)] },
          },
        }),
      )
      forgetStaticMutants(file)
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
        schemaVersion: '2',
        files: {
          'src/a.ts': { mutants: [mutant('2', 'Killed', false), mutant('3', 'Survived')] },
          'src/b.ts': { mutants: [] },
        },
      })
      forgetStaticMutants(join(dir, 'absent.json')) // a first run has no incremental file
      expect(existsSync(join(dir, 'absent.json'))).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('find the files a report was not made from as they are now', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csg-mutation-'))
    try {
      writeFileSync(join(dir, 'same.ts'), 'export const a = 1\n')
      writeFileSync(join(dir, 'changed.ts'), 'export const b = 3\n')
      writeFileSync(join(dir, 'unreported.ts'), 'export const c = 1\n')
      const report = join(dir, 'unit.json')
      writeFileSync(
        report,
        JSON.stringify({
          files: {
            'same.ts': { source: 'export const a = 1\n', mutants: [] },
            'changed.ts': { source: 'export const b = 2\n', mutants: [] },
            'deleted.ts': { source: 'export const d = 1\n', mutants: [] },
          },
        }),
      )
      expect(staleFiles(report, ['same.ts', 'changed.ts', 'unreported.ts', 'deleted.ts'], dir)).toEqual([
        'changed.ts',
        'unreported.ts',
        'deleted.ts',
      ])
      expect(staleFiles(report, ['same.ts'], dir)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
