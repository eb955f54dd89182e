/**
 * Every report carries the gate's judgement of each finding: the annotation level (failing → error,
 * exempt → warning/notice), the SARIF `gate` property, the findings JSON `gate` field — failing first.
 */
import { describe, expect, it } from '@jest/globals'
import { uniformFailOn, type GatePolicy } from '../../src/policy/gate.js'
import { selectAnnotations } from '../../src/report/annotations.js'
import { buildFindingsDocument } from '../../src/report/findings-json.js'
import { buildSarif } from '../../src/report/sarif.js'
import { gateResult, imageResult, vulnerability } from '../helpers/gate-result-fixtures.js'

// The case: only-fixed and fail-on: medium; critical/high findings without a fix, one fixable medium.
const onlyFixedMedium: GatePolicy = {
  failOn: uniformFailOn('medium'),
  onlyFixed: true,
  gateOn: 'all',
  continueOnScannerError: false,
}
const unfixed = { state: 'not-fixed' as const, versions: [] }
const findings = () => [
  vulnerability({ ruleId: 'CVE-2024-0001', severity: 'critical', fix: unfixed }),
  vulnerability({ ruleId: 'CVE-2024-0002', severity: 'high', fix: unfixed }),
  vulnerability({ ruleId: 'CVE-2024-0003', severity: 'low', fix: unfixed }),
  vulnerability({ ruleId: 'CVE-2024-0004', severity: 'medium' }),
]

describe('reports follow the gate', () => {
  const result = gateResult([imageResult({ findings: findings() })], onlyFixedMedium)

  it('annotates the failing medium as an error and the exempt critical/high as warnings', () => {
    expect(selectAnnotations(result).map((a) => [a.level, a.title])).toEqual([
      [
        'error',
        'MEDIUM CVE-2024-0004: openssl: X.400 address type confusion in X.509 GeneralName (fails the gate)',
      ],
      [
        'warning',
        'CRITICAL CVE-2024-0001: openssl: X.400 address type confusion in X.509 GeneralName (exempt: only-fixed)',
      ],
      [
        'warning',
        'HIGH CVE-2024-0002: openssl: X.400 address type confusion in X.509 GeneralName (exempt: only-fixed)',
      ],
      [
        'notice',
        'LOW CVE-2024-0003: openssl: X.400 address type confusion in X.509 GeneralName (exempt: below-threshold)',
      ],
    ])
  })

  it('puts the gate status in each SARIF result, failing first', () => {
    const results = buildSarif(result, { runPer: 'image' }).runs[0]?.results ?? []
    expect(results.map((r) => [r.ruleId, r.properties?.['gate']])).toEqual([
      ['CVE-2024-0004', { status: 'fail' }],
      ['CVE-2024-0001', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-0002', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-0003', { status: 'exempt', reason: 'below-threshold' }],
    ])
  })

  it('gives each finding of the findings JSON its gate field, and the verdict its exemptions', () => {
    const document = JSON.parse(JSON.stringify(buildFindingsDocument(result))) as {
      verdict: { reasons: string[]; exempt: unknown }
      findings: { ruleId: string; gate: unknown }[]
    }
    expect(document.findings.map((f) => [f.ruleId, f.gate])).toEqual([
      ['CVE-2024-0004', { status: 'fail' }],
      ['CVE-2024-0001', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-0002', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-0003', { status: 'exempt', reason: 'below-threshold' }],
    ])
    expect(document.verdict.exempt).toEqual({ 'only-fixed': 2, 'below-threshold': 1 })
    expect(document.verdict.reasons).toEqual([
      '1 finding(s) at or above the fail-on threshold (1 medium)',
      '2 at or above medium exempted: no fix available (only-fixed)',
    ])
  })
})
