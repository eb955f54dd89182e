/** Each finding's gate status, computed once by the gate: fail / exempt (which rule) / suppressed (by what). */
import { describe, expect, it } from '@jest/globals'
import type { Finding, GateStatus } from '../../src/findings/finding.js'
import {
  evaluateGate,
  gateStatusOf,
  uniformFailOn,
  withGateStatus,
  type GatePolicy,
} from '../../src/policy/gate.js'
import { builtinFinding, vulnerability } from '../helpers/gate-result-fixtures.js'

const policy = (overrides: Partial<GatePolicy> = {}): GatePolicy => ({
  failOn: uniformFailOn('high'),
  onlyFixed: false,
  gateOn: 'all',
  continueOnScannerError: false,
  ...overrides,
})
const unfixed = { state: 'not-fixed' as const, versions: [] }

describe('gateStatusOf', () => {
  const cases: [string, Finding, GatePolicy, GateStatus][] = [
    ['a high CVE with fail-on high', vulnerability(), policy(), { status: 'fail' }],
    [
      'a medium CVE with fail-on high',
      vulnerability({ severity: 'medium' }),
      policy(),
      { status: 'exempt', reason: 'below-threshold' },
    ],
    [
      'an unfixed critical CVE with only-fixed',
      vulnerability({ severity: 'critical', fix: unfixed }),
      policy({ onlyFixed: true }),
      { status: 'exempt', reason: 'only-fixed' },
    ],
    [
      'an unfixed critical CVE without only-fixed',
      vulnerability({ severity: 'critical', fix: unfixed }),
      policy(),
      { status: 'fail' },
    ],
    [
      'an unfixed low CVE with only-fixed: below the threshold comes first',
      vulnerability({ severity: 'low', fix: unfixed }),
      policy({ onlyFixed: true }),
      { status: 'exempt', reason: 'below-threshold' },
    ],
    [
      'a misconfiguration with only-fixed (only vulnerabilities have fixes)',
      builtinFinding(),
      policy({ onlyFixed: true }),
      { status: 'fail' },
    ],
    [
      'a misconfiguration below its kind’s threshold',
      builtinFinding(),
      policy({ failOn: { ...uniformFailOn('high'), misconfiguration: 'critical' } }),
      { status: 'exempt', reason: 'below-threshold' },
    ],
    [
      'an existing finding under gate-on: new',
      vulnerability({ suppression: { kind: 'baseline', reason: 'present in baseline' } }),
      policy({ gateOn: 'new' }),
      { status: 'exempt', reason: 'baseline' },
    ],
    [
      'an ignored finding',
      vulnerability({ suppression: { kind: 'ignore', reason: 'accepted risk' } }),
      policy(),
      { status: 'suppressed', source: 'ignore' },
    ],
    [
      'a VEX not_affected finding',
      vulnerability({ suppression: { kind: 'vex', reason: 'not_affected' } }),
      policy(),
      { status: 'suppressed', source: 'vex' },
    ],
  ]
  it.each(cases)('%s', (_, finding, gatePolicy, expected) => {
    expect(gateStatusOf(finding, gatePolicy)).toEqual(expected)
    expect(withGateStatus([finding], gatePolicy)[0]?.gate).toEqual(expected)
  })
})

describe('evaluateGate with exemptions', () => {
  it('a pass with exempted findings says how many and by which rule', () => {
    const p = policy({ onlyFixed: true, failOn: uniformFailOn('high') })
    const findings = withGateStatus(
      [
        vulnerability({ ruleId: 'CVE-2024-0001', severity: 'critical', fix: unfixed }),
        vulnerability({ ruleId: 'CVE-2024-0002', severity: 'high', fix: unfixed }),
        vulnerability({ ruleId: 'CVE-2024-0003', severity: 'medium', fix: unfixed }),
      ],
      p,
    )
    const verdict = evaluateGate(findings, [], p)
    expect(verdict.result).toBe('pass')
    expect(verdict.failing).toBe(0)
    expect(verdict.exempt).toEqual({ 'only-fixed': 2, 'below-threshold': 1 })
    expect(verdict.reasons).toEqual([
      'no finding at or above the fail-on threshold',
      '2 at or above high exempted: no fix available (only-fixed)',
    ])
  })

  it('a fail names the exemptions too, and per-kind thresholds are named as such', () => {
    const p = policy({ onlyFixed: true, failOn: { ...uniformFailOn('medium'), secret: 'low' } })
    const findings = withGateStatus(
      [vulnerability({ severity: 'medium' }), vulnerability({ ruleId: 'CVE-2024-0009', fix: unfixed })],
      p,
    )
    expect(evaluateGate(findings, [], p).reasons).toEqual([
      '1 finding(s) at or above the fail-on threshold (1 medium)',
      "1 at or above their kind's fail-on threshold exempted: no fix available (only-fixed)",
    ])
  })
})
