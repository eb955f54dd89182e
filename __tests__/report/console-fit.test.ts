import { describe, expect, it } from '@jest/globals'
import { formatConsoleTable } from '../../src/report/console.js'
import { gateResult, imageResult, mixedFindings, vulnerability } from '../helpers/gate-result-fixtures.js'

function table(text: string): string[] {
  const lines = text.split('\n')
  const header = lines.findIndex((l) => l.startsWith('GATE'))
  return lines.slice(header).filter((l) => l !== '')
}

describe('formatConsoleTable fits the terminal', () => {
  const result = gateResult([imageResult({ findings: mixedFindings() })])

  it('at 120 columns shrinks the widest columns first and keeps ids whole', () => {
    const rows = table(formatConsoleTable(result, { color: false, columns: 120 }))
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(120)
    expect(rows[0]).toBe(
      'GATE  SEVERITY  ID                   PACKAGE                  VERSION     FIXED IN  SCANNERS     LOCATION',
    )
    expect(rows[2]).toBe(
      'FAIL  CRITICAL  CSG010               Secret in an ENV instr…                        builtin      Dockerfile:4-5',
    )
  })

  it('at 80 columns (the default when unknown) fits, titles whole, locations keep their end, failing first', () => {
    const expected = [
      'GATE  SEVERITY  ID              PACKAGE    VERSION  FIXED IN  SCANNERS  LOCATION',
      'FAIL  CRITICAL  CVE-2023-0286   libssl3    3.0.7-…  3.0.8-r0  trivy,g…',
      'FAIL  CRITICAL  CSG010          Secret i…                     builtin   …ile:4-5',
      'FAIL  HIGH      CVE-2023-0286   libcrypt…  3.0.7-…  3.0.8-r0  trivy,g…',
      'FAIL  HIGH      CSG001          Image ru…                     builtin   …rfile:1',
      '-     MEDIUM    CVE-2022-48174  busybox    1.35.0…            grype',
      '-     UNKNOWN   GHSA-c2qf-rxj…  semver     7.3.5    7.5.2     grype     …ge.json',
    ]
    expect(table(formatConsoleTable(result, { color: false, columns: 80 }))).toEqual(expected)
    expect(table(formatConsoleTable(result, { color: false }))).toEqual(expected)
  })

  it('drops a column empty on every row and cuts a long location in the middle', () => {
    const deep = vulnerability({
      ruleId: 'CVE-2024-0001',
      package: {
        name: 'busybox',
        version: '1.36.1',
        type: 'binary',
        path: '/very/long/path/to/some/nested/folder/bin/busybox',
      },
      fix: { state: 'not-fixed', versions: [] },
      detectedBy: ['grype'],
    })
    const rows = table(
      formatConsoleTable(gateResult([imageResult({ findings: [deep] })]), { color: false, columns: 100 }),
    )
    expect(rows).toEqual([
      'GATE  SEVERITY  ID             PACKAGE  VERSION  SCANNERS  LOCATION',
      'FAIL  HIGH      CVE-2024-0001  busybox  1.36.1   grype     /very/long/pa…/nested/folder/bin/busybox',
    ])
  })

  it('lists every finding with maxRows Infinity (--all)', () => {
    const text = formatConsoleTable(result, { color: false, columns: 120, maxRows: 2 })
    expect(table(text)).toHaveLength(4)
    expect(text).toContain('… and 4 more finding(s): --all or --max-rows N lists them.\n')
    expect(table(formatConsoleTable(result, { color: false, columns: 120, maxRows: Infinity }))).toHaveLength(
      7,
    )
  })
})
