import { describe, it, expect } from '@jest/globals'
import { mkdir, open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  REPORT_PARSERS,
  decodeText,
  parseReportFile,
  parseReportSpec,
} from '../../src/scanners/report-formats.js'
import { MAX_REPORT_BYTES } from '../../src/scanners/run-scanner.js'
import { REPORT_FORMATS } from '../../src/scanners/scanner.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const trivyJson = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'app.tar',
  Results: [
    {
      Target: 'app.tar (alpine 3.20.0)',
      Type: 'alpine',
      Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-1', PkgName: 'musl', Severity: 'HIGH' }],
    },
  ],
})
const grypeJson = JSON.stringify({
  matches: [
    { vulnerability: { id: 'CVE-2024-2', severity: 'Medium' }, artifact: { name: 'zlib', version: '1.3' } },
  ],
  source: { type: 'image', target: { userInput: 'app:1' } },
  descriptor: { name: 'grype', version: '0.87.0' },
})
const sarifLog = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'Dockle' } },
      results: [{ ruleId: 'CIS-DI-0001', level: 'error', message: { text: 'Last user should not be root' } }],
    },
  ],
})

async function dir(): Promise<string> {
  return tempDir('csg-reports-')
}

describe('parseReportSpec', () => {
  it.each([
    ['trivy:trivy.json', 'trivy', 'trivy.json'],
    ['grype:g.json', 'grype', 'g.json'],
    ['sarif:any.sarif', 'sarif', 'any.sarif'],
    ['trivy:C:\\reports\\trivy.json', 'trivy', 'C:\\reports\\trivy.json'],
    [' SARIF : reports/x:y.sarif ', 'sarif', 'reports/x:y.sarif'],
    ['docker-bench:log.json', 'docker-bench', 'log.json'],
  ])('%s → %s + %s', (spec, format, path) => {
    expect(parseReportSpec(spec)).toEqual({ format, path })
  })

  it.each([
    ['nessus:x.json', /unknown report format "nessus".*accepted formats: trivy, grype/],
    ['C:\\reports\\trivy.json', /unknown report format "c"/],
    ['trivy.json', /should be <format>:<path>/],
    [':x.json', /should be <format>:<path>/],
    ['trivy:', /names no file/],
    ['trivy:   ', /names no file/],
  ])('%s → ConfigurationError', (spec, message) => {
    expect(() => parseReportSpec(spec)).toThrow(ConfigurationError)
    expect(() => parseReportSpec(spec)).toThrow(message)
  })
})

describe('REPORT_PARSERS', () => {
  it('has the Trivy, Grype and SARIF readers', () => {
    expect(Object.keys(REPORT_PARSERS)).toEqual(expect.arrayContaining(['trivy', 'grype', 'sarif']))
  })
})

describe('parseReportFile', () => {
  it.each([
    ['trivy', trivyJson, 'CVE-2024-1', 'trivy'],
    ['grype', grypeJson, 'CVE-2024-2', 'grype'],
    ['sarif', sarifLog, 'CIS-DI-0001', 'dockle'],
  ] as const)('reads a %s report', async (format, text, ruleId, detectedBy) => {
    const d = await dir()
    const file = join(d, 'report')
    await writeFile(file, text)
    const findings = await parseReportFile(format, file, { target: 'app:ci' })
    expect(findings.map((f) => [f.ruleId, f.detectedBy[0], f.target])).toEqual([
      [ruleId, detectedBy, 'app:ci'],
    ])
  })

  it.each([
    ['a UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(trivyJson)])],
    ['a UTF-16LE BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(trivyJson, 'utf16le')])],
    [
      'a UTF-16BE BOM',
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(trivyJson, 'utf16le').swap16()]),
    ],
  ])('reads a report with %s', async (_name, bytes) => {
    const d = await dir()
    const file = join(d, 'trivy.json')
    await writeFile(file, bytes)
    expect(await parseReportFile('trivy', file)).toHaveLength(1)
  })

  it('names the reports entry when the file does not exist', async () => {
    const d = await dir()
    const missing = join(d, 'nope.json')
    const error = await parseReportFile('trivy', missing).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain(`trivy:${missing}`)
  })

  it('refuses a directory as a ConfigurationError', async () => {
    const d = await dir()
    await mkdir(join(d, 'sub'))
    await expect(parseReportFile('grype', join(d, 'sub'))).rejects.toThrow(ConfigurationError)
  })

  it('refuses an empty report as a ScannerError of its format', async () => {
    const d = await dir()
    const file = join(d, 'empty.sarif')
    await writeFile(file, '')
    const error = await parseReportFile('sarif', file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('sarif')
    expect((error as Error).message).toMatch(/is empty/)
  })

  it('refuses a report over the size limit without reading it', async () => {
    const d = await dir()
    const file = join(d, 'huge.json')
    const handle = await open(file, 'w')
    await handle.truncate(MAX_REPORT_BYTES + 1) // sparse: no disk used
    await handle.close()
    const error = await parseReportFile('trivy', file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(/over the 448 MiB limit/)
    expect((error as Error).message).toContain(file)
  })

  it('reports a wrong format as the parser’s ScannerError with the reports entry as origin', async () => {
    const d = await dir()
    const file = join(d, 'g.json')
    await writeFile(file, grypeJson)
    const error = await parseReportFile('trivy', file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('trivy')
    expect((error as Error).message).toContain(`(trivy:${file})`)
  })

  it.each([...REPORT_FORMATS])('%s reports have a parser that refuses an empty object', async (format) => {
    const d = await dir()
    const file = join(d, 'x.json')
    await writeFile(file, '{}')
    await expect(parseReportFile(format, file)).rejects.toBeInstanceOf(ScannerError)
  })
})

describe('decodeText', () => {
  it.each([
    ['plain UTF-8', Buffer.from('{"a":"é"}'), '{"a":"é"}'],
    ['UTF-8 with BOM', Buffer.from('\ufeff{"a":1}'), '{"a":1}'],
    [
      'UTF-16LE with BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":1}', 'utf16le')]),
      '{"a":1}',
    ],
    ['UTF-16BE with an odd trailing byte', Buffer.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d, 0x00]), '{}'],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeText(bytes)).toBe(expected)
  })
})
