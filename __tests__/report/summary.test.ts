import { describe, expect, it } from '@jest/globals'
import { buildSummaryMarkdown, DEFAULT_SUMMARY_MAX_BYTES } from '../../src/report/summary.js'
import {
  builtinFinding,
  gateResult,
  imageResult,
  manyFindings,
  mixedFindings,
  scannerRun,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** The markdown table rows (not header or separator) of the section that starts with `heading`. */
function tableRows(markdown: string, heading: RegExp): string[] {
  const start = markdown.search(heading)
  expect(start).toBeGreaterThanOrEqual(0)
  const section = markdown.slice(start).split('\n### ')[0] ?? ''
  return section
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .slice(2)
}

describe('buildSummaryMarkdown', () => {
  it('states the verdict with an icon and its reasons', () => {
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings: mixedFindings() })]))
    expect(markdown).toMatch(/^## ❌ Container security gate failed\n/)
    expect(markdown).toContain('- 4 finding(s) at or above the fail-on threshold (2 critical, 2 high)')
    const pass = buildSummaryMarkdown(gateResult([imageResult()]))
    expect(pass).toMatch(/^## ✅ Container security gate passed/)
    expect(pass).toContain('No findings')
  })

  it('counts findings per severity per image, with totals', () => {
    const other = imageResult({
      target: 'ghcr.io/acme/web:1',
      repository: 'ghcr.io/acme/web',
      findings: [vulnerability({ target: 'ghcr.io/acme/web:1', severity: 'critical', score: 9.1 })],
    })
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings: mixedFindings() }), other]))
    const rows = tableRows(markdown, /### Findings by image/)
    expect(rows).toEqual([
      '| alpine:3.17 | 2 | 2 | 1 | 0 | 1 | 6 | 1 |',
      '| ghcr.io/acme/web:1 | 1 | 0 | 0 | 0 | 0 | 1 | 0 |',
      '| **Total** | **3** | **2** | **1** | **0** | **1** | **7** | **1** |',
    ])
  })

  it('makes a failed scanner impossible to miss', () => {
    const image = imageResult({
      findings: [builtinFinding()],
      scanners: [
        scannerRun({ scanner: 'builtin', name: 'Built-in checks', findings: 1 }),
        scannerRun({ scanner: 'grype', name: 'Grype', version: '0.86.1', findings: 3, durationMs: 800 }),
        scannerRun({ status: 'failed', message: 'exit status 1: failed to download vulnerability DB' }),
        scannerRun({
          scanner: 'snyk',
          name: 'Snyk',
          status: 'skipped',
          version: undefined,
          message: 'SNYK_TOKEN is not set',
        }),
      ],
    })
    const markdown = buildSummaryMarkdown(gateResult([image]))
    expect(markdown).toContain('## ⚠️ Container security gate errored')
    expect(markdown).toContain('> ❌ **1 scanner run(s) failed (Trivy): the results below are incomplete.**')
    const rows = tableRows(markdown, /### Scanners/)
    // Failed first.
    expect(rows[0]).toBe(
      '| Trivy | ❌ **failed** | 0.58.1 | — | 12.3 s | exit status 1: failed to download vulnerability DB |',
    )
    expect(rows).toContain('| Grype | ✅ ok | 0.86.1 | 3 | 800 ms | — |')
    expect(rows).toContain('| Snyk | ⏭️ skipped | — | — | 12.3 s | SNYK\\_TOKEN is not set |')
  })

  it('lists the failing findings first, most severe first, linked to their first reference', () => {
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings: mixedFindings() })]))
    const rows = tableRows(markdown, /### Findings \(/)
    expect(rows[0]).toBe(
      '| ❌ **fails** | 🟥 critical | [CVE-2023-0286](https://nvd.nist.gov/vuln/detail/CVE-2023-0286) | libssl3@\u20603.0.7-r0 | 3.0.8-r0 | trivy, grype | — |',
    )
    expect(rows[1]).toBe(
      '| ❌ **fails** | 🟥 critical | CSG010 | Secret in an ENV instruction | — | builtin | Dockerfile:4-5 |',
    )
    expect(rows.map((r) => r.split(' | ').slice(0, 2).join(' | '))).toEqual([
      '| ❌ **fails** | 🟥 critical',
      '| ❌ **fails** | 🟥 critical',
      '| ❌ **fails** | 🟧 high',
      '| ❌ **fails** | 🟧 high',
      '| exempt: below-threshold | 🟨 medium',
      '| exempt: below-threshold | ⬜ unknown',
    ])
    expect(markdown).toContain('1 suppressed finding(s)')
    expect(markdown).not.toContain('CVE-2023-5678')
  })

  it('says what was left out: rows, suppressed findings, SARIF truncation and notes', () => {
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings: manyFindings(300) })]), {
      sarifFile: 'results/gate.sarif',
      truncatedResults: 1234,
      notes: ['Upload skipped: pull request from a fork'],
    })
    expect(markdown).toContain('### Top 100 of 300 findings')
    expect(markdown).toContain(
      '- 200 more finding(s) are not listed here; all of them are in the SARIF file results/gate.sarif',
    )
    expect(markdown).toContain('- 1234 result(s) were left out of the SARIF log')
    expect(markdown).toContain('- Upload skipped: pull request from a fork')
  })

  it('shows the baseline counts and the notes of the run', () => {
    const result = {
      ...gateResult([imageResult({ findings: mixedFindings() })]),
      baseline: { newCount: 2, existingCount: 4 },
      notes: ['Ignore rule for CVE-2020-0001 expired on 2026-01-01 <b>'],
    }
    const markdown = buildSummaryMarkdown(result)
    expect(markdown).toContain('Baseline: **2** new finding(s), 4 already in the baseline.')
    expect(markdown).toContain('### Notes\n\n- Ignore rule for CVE-2020-0001 expired on 2026-01-01 &lt;b&gt;')
  })

  it('stays under 1 MiB with 100,000 findings', () => {
    const findings = manyFindings(100_000).map((f, i) =>
      i % 2 === 0 ? { ...f, title: `${'|'.repeat(50)}\n${'x'.repeat(5000)}` } : f,
    )
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings })]), {
      maxFindingRows: 100_000,
    })
    expect(bytes(markdown)).toBeLessThanOrEqual(DEFAULT_SUMMARY_MAX_BYTES)
    expect(DEFAULT_SUMMARY_MAX_BYTES).toBeLessThan(1024 * 1024)
    expect(markdown).toMatch(/### Top \d+ of 100000 findings/)
    expect(markdown).toContain('more finding(s) are not listed here')
  })

  it('fits any byte budget, shrinking tables before cutting text', () => {
    const result = gateResult([imageResult({ findings: manyFindings(2_000) })])
    for (const maxBytes of [200_000, 20_000, 3_000, 500]) {
      const markdown = buildSummaryMarkdown(result, { maxBytes })
      expect(bytes(markdown)).toBeLessThanOrEqual(maxBytes)
      expect(markdown).toContain('Container security gate')
    }
    expect(buildSummaryMarkdown(result, { maxBytes: 3_000 })).not.toContain('cut to stay under')
  })

  it('escapes report text: no HTML, no links, no broken table cells', () => {
    const hostile = vulnerability({
      ruleId: 'CVE-2024-<img src=x onerror=alert(1)>',
      title: '<script>alert(1)</script>',
      package: { name: 'evil](javascript:alert(1))|pkg', version: '1.0\n| injected | row |', type: 'npm' },
      fix: { state: 'fixed', versions: ['<b>2.0</b>'] },
      references: ['javascript:alert(1)'],
      detectedBy: ['trivy'],
    })
    const reasonResult = gateResult([imageResult({ findings: [hostile] })])
    reasonResult.verdict.reasons.push('[click](javascript:alert(1)) <iframe>')
    const markdown = buildSummaryMarkdown(reasonResult)
    expect(markdown).not.toMatch(/<(script|img|iframe|b)\b/i)
    expect(markdown).not.toContain('](javascript:')
    expect(markdown).not.toContain('\n| injected')
    const row = tableRows(markdown, /### Findings \(/)[0] ?? ''
    // Every `|` of the hostile text is escaped: the row still has exactly the table's 8 separators.
    expect(row.replace(/\\\|/g, '').split('|').length - 1).toBe(8)
    expect(row).toContain('evil\\]\\(javascript:alert(1))\\|pkg@\u20601.0 \\| injected \\| row \\|')
    expect(row).toContain('&lt;b&gt;2.0&lt;/b&gt;')
  })

  it('shows a file in the image as code and a Dockerfile line as text', () => {
    const busybox = vulnerability({
      ruleId: 'CVE-2022-48174',
      package: { name: 'busybox', version: '1.36.1', type: 'binary', path: '/bin/[' },
      detectedBy: ['grype'],
    })
    const markdown = buildSummaryMarkdown(gateResult([imageResult({ findings: [busybox] })]))
    const row = tableRows(markdown, /### Findings \(/)[0] ?? ''
    expect(row).toBe(
      '| ❌ **fails** | 🟧 high | [CVE-2022-48174](https://nvd.nist.gov/vuln/detail/CVE-2023-0286) | busybox@\u20601.36.1 | 3.0.8-r0 | grype | `/bin/[` |',
    )
    const dockerfile = buildSummaryMarkdown(gateResult([imageResult({ findings: mixedFindings() })]))
    expect(dockerfile).toContain('| builtin | Dockerfile:4-5 |')
  })
})
