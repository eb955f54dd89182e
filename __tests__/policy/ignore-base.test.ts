/** The gate with `ignore-base`: base findings reported but not failing; own findings and unattributed ones gate. */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { evaluateGate, isFailing, uniformFailOn, type GatePolicy } from '../../src/policy/gate.js'

const POLICY: GatePolicy = {
  failOn: uniformFailOn('high'),
  onlyFixed: false,
  gateOn: 'all',
  continueOnScannerError: false,
}

function vuln(ruleId: string, extra: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'critical',
    detectedBy: ['trivy'],
    target: 'app:ci',
    references: [],
    ...extra,
  }
}

const base = vuln('CVE-BASE', { base: true, location: { path: 'Dockerfile', startLine: 1 } })
const own = vuln('CVE-OWN', { location: { path: 'Dockerfile', startLine: 3 } })
const unattributed = vuln('CVE-IMPORTED')
const baseLow = vuln('CVE-BASE-LOW', { base: true, severity: 'low' })
const baseSuppressed = vuln('CVE-BASE-IGNORED', {
  base: true,
  suppression: { kind: 'ignore', reason: 'accepted' },
})

describe('ignore-base', () => {
  it.each([
    ['base only, ignore-base on', [base], true, 'pass', 0, 1],
    ['base only, ignore-base off', [base], false, 'fail', 1, undefined],
    ['base and own, ignore-base on', [base, own], true, 'fail', 1, 1],
    ['an unattributed finding is not base: it gates', [base, unattributed], true, 'fail', 1, 1],
    ['base under the threshold is not counted as exempted', [baseLow], true, 'pass', 0, 0],
    ['a suppressed base finding is suppressed, not exempted', [baseSuppressed], true, 'pass', 0, 0],
  ] as const)('%s → %s', (_name, findings, ignoreBase, result, failing, baseExempt) => {
    const verdict = evaluateGate(findings, [], { ...POLICY, ignoreBase })
    expect(verdict.result).toBe(result)
    expect(verdict.failing).toBe(failing)
    expect(verdict.baseExempt).toBe(baseExempt)
  })

  it('says in the reasons how many base findings were let through', () => {
    const verdict = evaluateGate([base, own], [], { ...POLICY, ignoreBase: true })
    expect(verdict.reasons).toEqual([
      '1 finding(s) at or above the fail-on threshold (1 critical)',
      '1 at or above high exempted: came with the base image (ignore-base)',
    ])
    // Still reported: counted with the others.
    expect(verdict.counts.critical).toBe(2)
  })

  it('isFailing: base findings fail only without ignore-base', () => {
    expect(isFailing(base, { ...POLICY, ignoreBase: true })).toBe(false)
    expect(isFailing(base, POLICY)).toBe(true)
    expect(isFailing(own, { ...POLICY, ignoreBase: true })).toBe(true)
  })

  it('a scanner error still errors with ignore-base', () => {
    const verdict = evaluateGate(
      [base],
      [{ scanner: 'trivy', name: 'Trivy', target: 'app:ci', status: 'failed', findings: 0, message: 'boom' }],
      { ...POLICY, ignoreBase: true },
    )
    expect(verdict.result).toBe('error')
  })
})
