import { describe, it, expect } from '@jest/globals'
import { loadBaseline } from '../../src/policy/baseline.js'
import { parseOpenVex } from '../../src/policy/vex.js'
import { jsonSyntaxProblem } from '../../src/util/json-error.js'

const PASSWORD_FILE = 'root:hunter2-SECRET:0:0\nsecond line\n'

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    return (error as Error).message
  }
  return 'did not throw'
}

describe('JSON syntax errors never quote the file', () => {
  it.each([
    ['a baseline', () => loadBaseline(PASSWORD_FILE, 'base.sarif')],
    ['a VEX document', () => parseOpenVex(PASSWORD_FILE, 'vex.json')],
  ])('%s pointed at a password file', (_name, run) => {
    const message = messageOf(run)
    expect(message).toMatch(/not valid JSON/)
    expect(message).not.toContain('hunter2')
    expect(message).not.toContain('root')
  })

  it('keeps the position when V8 gives one', () => {
    let error: unknown
    try {
      JSON.parse('{"a": 1,\n  x}')
    } catch (e) {
      error = e
    }
    expect(jsonSyntaxProblem(error, '{"a": 1,\n  x}')).toBe(
      'not valid JSON (syntax error at line 2, column 3)',
    )
  })
})
