import { describe, expect, it } from '@jest/globals'
import { formatConsoleTable } from '../../src/report/console.js'
import {
  gateResult,
  imageResult,
  manyFindings,
  mixedFindings,
  scannerRun,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g

describe('formatConsoleTable', () => {
  const result = gateResult([imageResult({ findings: mixedFindings() })])

  it('prints verdict, counts and the findings table without colour', () => {
    const text = formatConsoleTable(result, { color: false, columns: 160 })
    expect(text).not.toContain('\u001b')
    const lines = text.split('\n')
    expect(lines[0]).toBe('FAIL — container security gate')
    expect(text).toContain(
      'alpine:3.17: 6 finding(s) — critical 2, high 2, medium 1, low 0, unknown 1 (+1 suppressed)',
    )
    const header = lines.find((l) => l.startsWith('GATE'))
    expect(header).toMatch(/^GATE +SEVERITY +ID +PACKAGE +VERSION +FIXED IN +SCANNERS +LOCATION$/)
    const rows = lines.slice(lines.indexOf(header ?? '') + 1).filter((l) => l !== '')
    expect(rows).toHaveLength(6)
    expect(rows[0]).toMatch(/^FAIL +CRITICAL +CVE-2023-0286 +libssl3 +3\.0\.7-r0 +3\.0\.8-r0 +trivy,grype$/)
    expect(rows[1]).toMatch(/^FAIL +CRITICAL +CSG010 +Secret in an ENV instruction .*Dockerfile:4-5$/)
    expect(rows[4]).toMatch(/^- +MEDIUM +CVE-2022-48174 +busybox/)
    // Columns line up: every row starts its ID at the same offset.
    const idColumn = header?.indexOf('ID') ?? -1
    for (const row of rows) expect(row.slice(idColumn - 2, idColumn)).toBe('  ')
  })

  it('colours severities and the verdict when asked, with the same layout', () => {
    const coloured = formatConsoleTable(result, { color: true })
    expect(coloured).toContain('\u001b[31m')
    expect(coloured).toContain('\u001b[91m\u001b[1mCRITICAL')
    expect(coloured.replace(ANSI_ESCAPE, '')).toBe(formatConsoleTable(result, { color: false }))
  })

  it('bounds column widths and rows', () => {
    const long = vulnerability({
      ruleId: `CVE-2024-${'9'.repeat(60)}`,
      package: { name: 'p'.repeat(200), version: 'v'.repeat(100), type: 'npm' },
    })
    const text = formatConsoleTable(gateResult([imageResult({ findings: [long, ...manyFindings(100)] })]), {
      color: false,
      maxRows: 10,
    })
    const lines = text.split('\n')
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(80)
    expect(lines.filter((l) => /^(FAIL|-) +(CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN) /.test(l))).toHaveLength(10)
    expect(text).toContain('… and 91 more finding(s)')
  })

  it('strips terminal control sequences from report text', () => {
    const hostile = vulnerability({
      title: 'x',
      package: { name: 'evil\u001b[2J\u001b]0;pwned\u0007', version: '1', type: 'npm' },
    })
    const text = formatConsoleTable(gateResult([imageResult({ findings: [hostile] })]), { color: false })
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
  })

  it('prints the baseline counts and the notes', () => {
    const text = formatConsoleTable(
      { ...result, baseline: { newCount: 1, existingCount: 5 }, notes: ['Ignore rule expired'] },
      { color: false },
    )
    expect(text).toContain('  baseline: 1 new, 5 already known\n  note: Ignore rule expired\n')
  })

  it('shows failed and skipped scanners under their image', () => {
    const image = imageResult({
      scanners: [
        scannerRun({ status: 'failed', message: 'database download failed' }),
        scannerRun({ scanner: 'snyk', name: 'Snyk', status: 'skipped', message: 'SNYK_TOKEN is not set' }),
      ],
    })
    const text = formatConsoleTable(gateResult([image]), { color: false })
    expect(text.split('\n')[0]).toBe('ERROR — container security gate')
    expect(text).toContain('  FAILED: Trivy: database download failed')
    expect(text).toContain('  skipped: Snyk: SNYK_TOKEN is not set')
  })
})
