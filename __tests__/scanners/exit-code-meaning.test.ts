import { describe, it, expect } from '@jest/globals'
import { explainExitCode } from '../../src/scanners/exit-code-meaning.js'
import { ScannerError } from '../../src/util/errors.js'

const MEANINGS = { 1: 'findings', 129: 'the API call failed' }

describe('explainExitCode', () => {
  it('adds the documented meaning after the exit code, keeping the rest of the message', () => {
    const error = new ScannerError('osv-scanner', 'osv-scanner exited with code 129\nstderr tail')
    const explained = explainExitCode(error, 'osv-scanner', MEANINGS)
    expect(explained).toBeInstanceOf(ScannerError)
    expect((explained as ScannerError).message).toBe(
      'osv-scanner exited with code 129 (the API call failed)\nstderr tail',
    )
    expect((explained as ScannerError).scanner).toBe('osv-scanner')
    expect((explained as ScannerError).cause).toBe(error)
  })

  it.each([
    ['an undocumented code', new ScannerError('x', 'x exited with code 7')],
    ['a message without an exit code', new ScannerError('x', 'x did not finish within the scan timeout')],
    ['an error that is not a ScannerError', new Error('exited with code 1')],
  ])('leaves %s as it is', (_name, error) => {
    expect(explainExitCode(error, 'x', MEANINGS)).toBe(error)
  })
})
