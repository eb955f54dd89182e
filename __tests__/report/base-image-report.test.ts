/** How the reports show findings that came with the base image: summary, CLI table, SARIF, findings JSON. */
import { describe, expect, it } from '@jest/globals'
import { selectAnnotations } from '../../src/report/annotations.js'
import { formatConsoleTable } from '../../src/report/console.js'
import { buildFindingsDocument } from '../../src/report/findings-json.js'
import { buildSarif } from '../../src/report/sarif.js'
import { buildSummaryMarkdown } from '../../src/report/summary.js'
import type { GateResult } from '../../src/report/gate-result.js'
import {
  DEFAULT_POLICY,
  builtinFinding,
  gateResult,
  imageResult,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

const FROM = { path: 'Dockerfile', startLine: 1, endLine: 1 }

function result(ignoreBase: boolean): GateResult {
  const image = imageResult({
    findings: [
      vulnerability({ base: true, location: FROM }),
      vulnerability({
        base: true,
        location: FROM,
        ruleId: 'CVE-2023-0464',
        package: { name: 'libssl3', version: '3.0.7-r0', type: 'apk' },
      }),
      builtinFinding({ location: { path: 'Dockerfile', startLine: 5 } }),
    ],
  })
  const out = gateResult([image], { ...DEFAULT_POLICY, ignoreBase })
  return { ...out, baseImage: { image: 'alpine:3.17', location: FROM } }
}

describe('base image findings in the reports', () => {
  it('summary: a Base image section with the count, the FROM line and what ignore-base did', () => {
    const summary = buildSummaryMarkdown(result(true))
    expect(summary).toContain(
      '### Base image\n\n2 finding(s) came with the base image alpine:3.17 (FROM at Dockerfile:1): update that FROM line to a patched base image to fix them. With ignore-base they do not fail the gate (2 would have).',
    )
    expect(summary).toContain('| Dockerfile:1 (base) |')
    expect(buildSummaryMarkdown(result(false))).toContain(
      'They gate like the others (ignore-base gates only what the Dockerfile adds).',
    )
  })

  it('summary: no section when nothing came with the base image', () => {
    const plain = gateResult([imageResult({ findings: [builtinFinding()] })])
    expect(buildSummaryMarkdown(plain)).not.toContain('### Base image')
  })

  it('CLI table: the same sentence under the verdict', () => {
    expect(formatConsoleTable(result(true), { color: false, columns: 160 })).toContain(
      '  base image: 2 finding(s) came with the base image alpine:3.17 (FROM at Dockerfile:1)',
    )
  })

  it('SARIF: the base property on base results only', () => {
    const log = buildSarif(result(true), { runPer: 'image' })
    const flags = (log.runs[0]?.results ?? []).map((r) => [r.ruleId, r.properties?.['base']])
    expect(flags.sort()).toEqual([
      ['CSG001', undefined],
      ['CVE-2023-0286', true],
      ['CVE-2023-0464', true],
    ])
  })

  it('findings JSON: base marks, the base image, and the verdict count', () => {
    const doc = buildFindingsDocument(result(true))
    expect(doc.baseImage).toEqual({ image: 'alpine:3.17', location: FROM })
    // The own finding fails the gate, so it comes first.
    expect(doc.findings.map((f) => f.base)).toEqual([undefined, true, true])
    expect(doc.verdict).toMatchObject({ result: 'fail', failing: 1, baseExempt: 2 })
  })

  it('annotations: a base finding says to update its FROM line', () => {
    const messages = selectAnnotations(result(true)).map((a) => a.message)
    const base = messages.filter((m) => m.includes('Came with the base image'))
    expect(base).toHaveLength(2)
    expect(base[0]).toContain('\nCame with the base image: update this FROM line to a patched base.')
  })
})
