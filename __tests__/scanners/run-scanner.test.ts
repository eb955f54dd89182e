import { describe, it, expect } from '@jest/globals'
import { mkdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_REPORT_BYTES, readReportContent, readReportFile } from '../../src/scanners/run-scanner.js'
import { ScannerError } from '../../src/util/errors.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const dir = (): Promise<string> => tempDir('csg-run-scanner-')

async function failure(promise: Promise<unknown>): Promise<ScannerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScannerError)
  return error as ScannerError
}

describe('readReportFile', () => {
  it('reads the report a scanner wrote', async () => {
    const file = join(await dir(), 'report.json')
    await writeFile(file, '{"ok": true}')
    expect(await readReportFile('grype', file)).toBe('{"ok": true}')
  })

  it('refuses a report just over the size limit without reading it', async () => {
    const file = join(await dir(), 'huge.json')
    await writeFile(file, '')
    await truncate(file, MAX_REPORT_BYTES + 1) // sparse: no disk used
    const error = await failure(readReportFile('trivy', file))
    expect(error.scanner).toBe('trivy')
    expect(error.message).toMatch(/over the 448 MiB limit/)
    expect(error.message).toContain(file)
  })

  it.each([
    ['missing', async (d: string) => join(d, 'none.json'), /exited without writing its report/],
    [
      'empty',
      async (d: string) => {
        await writeFile(join(d, 'empty.json'), '')
        return join(d, 'empty.json')
      },
      /wrote an empty report/,
    ],
    [
      'a directory',
      async (d: string) => {
        await mkdir(join(d, 'report.json'))
        return join(d, 'report.json')
      },
      /could not be read/,
    ],
  ])(
    'refuses a %s report with a ScannerError naming the scanner and the file',
    async (_name, make, message) => {
      const file = await make(await dir())
      const error = await failure(readReportFile('osv-scanner', file, 'the stderr tail'))
      expect(error.scanner).toBe('osv-scanner')
      expect(error.message).toMatch(message)
      expect(error.message).toContain(file)
    },
  )
})

describe('readReportContent', () => {
  it('turns a failure to decode (a string too long for V8) into a ScannerError naming the file', async () => {
    const file = join(await dir(), 'report.json')
    await writeFile(file, '{}')
    const tooLong = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), {
      code: 'ERR_STRING_TOO_LONG',
    })
    const error = await failure(
      readReportContent('sarif', file, () => {
        throw tooLong
      }),
    )
    expect(error.scanner).toBe('sarif')
    expect(error.message).toContain(`sarif report ${file} could not be read`)
    expect(error.cause).toBe(tooLong)
  })
})
