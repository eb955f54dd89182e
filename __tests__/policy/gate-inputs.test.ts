/**
 * Every input that changes the verdict, tested directly on the gate with literal expected verdicts:
 * `fail-on` per kind, `only-fixed`, `continue-on-scanner-error` with a scanner that failed, `gate-on: new`
 * and suppressions (ignore rules, baseline). Each test here was checked to fail when the check it names
 * is removed from src/policy/gate.ts (or, for gate-on/suppressions, from the policy stage feeding it).
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding, Kind } from '../../src/findings/finding.js'
import type { Threshold } from '../../src/findings/severity.js'
import type { PolicyConfig } from '../../src/config/policy-config.js'
import { applyPolicy } from '../../src/policy/apply-policy.js'
import { evaluateGate, isFailing, type GatePolicy } from '../../src/policy/gate.js'
import { parseOpenVex } from '../../src/policy/vex.js'
import { builtinFinding, scannerRun, secretFinding, vulnerability } from '../helpers/gate-result-fixtures.js'

const POLICY: GatePolicy = {
  failOn: { vulnerability: 'high', misconfiguration: 'high', secret: 'high', compliance: 'high' },
  onlyFixed: false,
  gateOn: 'all',
  continueOnScannerError: false,
}

function findingOfKind(kind: Kind, severity: Finding['severity']): Finding {
  switch (kind) {
    case 'vulnerability':
      return vulnerability({ severity })
    case 'misconfiguration':
      return builtinFinding({ severity })
    case 'secret':
      return secretFinding({ severity })
    case 'compliance':
      return builtinFinding({ kind: 'compliance', ruleId: 'CIS-DI-0001', severity, detectedBy: ['dockle'] })
  }
}

/** fail-on `medium` for one kind and `critical` for the others. */
function failOnOnly(kind: Kind, threshold: Threshold): GatePolicy['failOn'] {
  return {
    vulnerability: 'critical',
    misconfiguration: 'critical',
    secret: 'critical',
    compliance: 'critical',
    [kind]: threshold,
  }
}

describe('fail-on is applied per kind', () => {
  it.each([
    // kind, severity, that kind's threshold, the verdict
    ['vulnerability', 'medium', 'medium', 'fail'],
    ['vulnerability', 'medium', 'high', 'pass'],
    ['vulnerability', 'high', 'none', 'pass'],
    ['misconfiguration', 'medium', 'medium', 'fail'],
    ['misconfiguration', 'medium', 'high', 'pass'],
    ['misconfiguration', 'critical', 'none', 'pass'],
    ['secret', 'low', 'low', 'fail'],
    ['secret', 'low', 'medium', 'pass'],
    ['secret', 'critical', 'none', 'pass'],
    ['compliance', 'high', 'high', 'fail'],
    ['compliance', 'medium', 'high', 'pass'],
    ['compliance', 'unknown', 'low', 'pass'],
  ] as const)(
    'a %s finding at %s with fail-on %s for that kind → %s',
    (kind, severity, threshold, expected) => {
      const verdict = evaluateGate([findingOfKind(kind, severity)], [scannerRun()], {
        ...POLICY,
        failOn: failOnOnly(kind, threshold),
      })
      expect(verdict.result).toBe(expected)
      expect(verdict.failing).toBe(expected === 'fail' ? 1 : 0)
    },
  )

  it('uses the threshold of the finding’s own kind, not another kind’s', () => {
    // Vulnerabilities gate at low; a medium secret must still pass with secrets at critical.
    const policy = { ...POLICY, failOn: failOnOnly('vulnerability', 'low') }
    expect(evaluateGate([secretFinding({ severity: 'medium' })], [], policy).result).toBe('pass')
    expect(evaluateGate([vulnerability({ severity: 'medium' })], [], policy).result).toBe('fail')
  })
})

describe('only-fixed', () => {
  it.each([
    // fix state, only-fixed, the verdict for a high vulnerability at fail-on high
    ['fixed', true, 'fail'],
    ['not-fixed', true, 'pass'],
    ['wont-fix', true, 'pass'],
    ['unknown', true, 'pass'],
    ['not-fixed', false, 'fail'],
    ['wont-fix', false, 'fail'],
  ] as const)('a %s vulnerability with only-fixed %s → %s', (state, onlyFixed, expected) => {
    const finding = vulnerability({ fix: { state, versions: state === 'fixed' ? ['3.0.8-r0'] : [] } })
    expect(evaluateGate([finding], [], { ...POLICY, onlyFixed }).result).toBe(expected)
  })

  it('fails on a vulnerability with no fix information only when only-fixed is off', () => {
    const { fix: _fix, ...noFix } = vulnerability()
    expect(evaluateGate([noFix], [], { ...POLICY, onlyFixed: true }).result).toBe('pass')
    expect(evaluateGate([noFix], [], { ...POLICY, onlyFixed: false }).result).toBe('fail')
  })

  it('does not exempt other kinds, which have no fix', () => {
    const verdict = evaluateGate([builtinFinding(), secretFinding()], [], { ...POLICY, onlyFixed: true })
    expect(verdict.result).toBe('fail')
    expect(verdict.failing).toBe(2)
  })
})

describe('continue-on-scanner-error with a scanner that failed', () => {
  const failed = scannerRun({
    scanner: 'grype',
    name: 'Grype',
    status: 'failed',
    message: 'exit code 1: db error',
  })
  const skipped = scannerRun({ scanner: 'snyk', name: 'Snyk', status: 'skipped', message: 'no SNYK_TOKEN' })

  it.each([
    // findings over threshold, continue-on-scanner-error, the verdict
    [false, false, 'error'],
    [true, false, 'error'],
    [false, true, 'pass'],
    [true, true, 'fail'],
  ] as const)('findings failing: %s, continue: %s → %s', (withFinding, continueOnScannerError, expected) => {
    const findings = withFinding ? [vulnerability()] : []
    const verdict = evaluateGate(findings, [scannerRun(), failed], { ...POLICY, continueOnScannerError })
    expect(verdict.result).toBe(expected)
    expect(verdict.scannerErrors).toBe(1)
    expect(verdict.reasons[0]).toBe('Grype failed on alpine:3.17: exit code 1: db error')
  })

  it('a skipped scanner is not an error, whatever continue-on-scanner-error says', () => {
    const verdict = evaluateGate([], [scannerRun(), skipped], { ...POLICY, continueOnScannerError: false })
    expect(verdict.result).toBe('pass')
    expect(verdict.scannerErrors).toBe(0)
  })
})

describe('suppressions and gate-on through the policy stage', () => {
  const REPO = 'ghcr.io/acme/app'
  const TODAY = new Date('2026-06-01T00:00:00Z')
  // The fingerprint of vulnerability() in ghcr.io/acme/app, written out (sha256 of its identity parts; see __tests__/findings/fingerprint-golden.test.ts).
  const BASELINE_FP = '2814feef095abb7f642cfb5b29c6917b55f54b470f4beab3ff4ff63f5e241b9e:1'

  function policyConfig(overrides: Partial<PolicyConfig>): PolicyConfig {
    return {
      failOn: POLICY.failOn,
      onlyFixed: false,
      gateOn: 'all',
      severitySource: 'highest',
      ignoreRules: [],
      vex: [],
      ...overrides,
    }
  }

  function verdictOf(config: PolicyConfig, findings: Finding[]): string {
    const outcome = applyPolicy([{ target: 'alpine:3.17', repository: REPO, findings }], config, TODAY)
    return evaluateGate(outcome.findings.flat(), [scannerRun()], { ...POLICY, gateOn: config.gateOn }).result
  }

  it.each([
    // the rule's name, the verdict for a high vulnerability at fail-on high (today 2026-06-01), the rule
    ['an unexpired ignore rule', 'pass', { id: 'CVE-2023-0286', reason: 'n/a', expires: '2026-07-01' }],
    ['an ignore rule by alias', 'pass', { id: 'ghsa-x4qr-2fvf-3mr5', reason: 'n/a' }],
    ['an expired ignore rule', 'fail', { id: 'CVE-2023-0286', reason: 'n/a', expires: '2026-06-01' }],
    ['an ignore rule for another id', 'fail', { id: 'CVE-2099-0001', reason: 'typo' }],
  ] as const)('%s → %s', (_name, expected, rule) => {
    expect(verdictOf(policyConfig({ ignoreRules: [{ ...rule }] }), [vulnerability()])).toBe(expected)
  })

  /** An OpenVEX document with one statement about CVE-2023-0286 in the given product. */
  function vexDocument(status: string, product: string, timestamp = '2026-05-01T00:00:00Z'): string {
    return JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/1',
      author: 'acme security',
      timestamp,
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2023-0286' },
          products: [{ '@id': product }],
          status,
          ...(status === 'not_affected' ? { justification: 'vulnerable_code_not_in_execute_path' } : {}),
        },
      ],
    })
  }

  it.each([
    // the statement's status, its product, the verdict for a high vulnerability at fail-on high
    ['not_affected', 'pkg:apk/alpine/libcrypto3@3.0.7-r0', 'pass'],
    ['not_affected', 'pkg:apk/alpine/libcrypto3', 'pass'],
    ['fixed', 'pkg:apk/alpine/libcrypto3@3.0.7-r0', 'pass'],
    ['affected', 'pkg:apk/alpine/libcrypto3@3.0.7-r0', 'fail'],
    ['under_investigation', 'pkg:apk/alpine/libcrypto3@3.0.7-r0', 'fail'],
    ['not_affected', 'pkg:apk/alpine/libssl3@3.0.7-r0', 'fail'],
    ['not_affected', 'pkg:apk/alpine/libcrypto3@3.0.8-r0', 'fail'],
  ] as const)('a VEX statement %s for %s → %s', (status, product, expected) => {
    const vex = parseOpenVex(vexDocument(status, product), 'vex.json')
    expect(verdictOf(policyConfig({ vex }), [vulnerability()])).toBe(expected)
  })

  it('a VEX not_affected statement exempts the finding from the verdict, and says why', () => {
    const vex = parseOpenVex(vexDocument('not_affected', 'pkg:apk/alpine/libcrypto3@3.0.7-r0'), 'vex.json')
    const outcome = applyPolicy(
      [{ target: 'alpine:3.17', repository: REPO, findings: [vulnerability({ severity: 'critical' })] }],
      policyConfig({ vex }),
      TODAY,
    )
    expect(outcome.findings[0]![0]!.suppression).toEqual({
      kind: 'vex',
      reason: 'not_affected: vulnerable_code_not_in_execute_path',
    })
    expect(evaluateGate(outcome.findings.flat(), [scannerRun()], POLICY)).toMatchObject({
      result: 'pass',
      suppressed: 1,
      failing: 0,
    })
  })

  it('the later of two VEX statements decides: affected after not_affected fails the gate', () => {
    const product = 'pkg:apk/alpine/libcrypto3@3.0.7-r0'
    const vex = [
      ...parseOpenVex(vexDocument('affected', product, '2026-05-02T00:00:00Z'), 'later.json'),
      ...parseOpenVex(vexDocument('not_affected', product, '2026-05-01T00:00:00Z'), 'earlier.json'),
    ]
    expect(verdictOf(policyConfig({ vex }), [vulnerability()])).toBe('fail')
  })

  it('a suppressed finding never fails, even far over the threshold', () => {
    const suppressed = vulnerability({
      severity: 'critical',
      suppression: { kind: 'vex', reason: 'not_affected' },
    })
    expect(isFailing(suppressed, { ...POLICY, failOn: failOnOnly('vulnerability', 'low') })).toBe(false)
    const verdict = evaluateGate([suppressed], [], POLICY)
    expect(verdict).toMatchObject({ result: 'pass', suppressed: 1, failing: 0 })
  })

  it.each([
    // gate-on, is the finding in the baseline, the verdict
    ['new', true, 'pass'],
    ['new', false, 'fail'],
    ['all', true, 'fail'],
    ['all', false, 'fail'],
  ] as const)('gate-on %s, finding in the baseline: %s → %s', (gateOn, inBaseline, expected) => {
    const baseline = new Set(inBaseline ? [BASELINE_FP] : ['0000:1'])
    expect(verdictOf(policyConfig({ gateOn, baseline }), [vulnerability()])).toBe(expected)
  })
})

describe('the reasons the verdict gives', () => {
  it('counts the failing findings by severity, most severe first, skipping empty severities', () => {
    const findings = [
      vulnerability({ severity: 'medium' }),
      vulnerability({ severity: 'critical' }),
      secretFinding({ severity: 'critical' }),
      builtinFinding({ severity: 'low' }),
    ]
    const verdict = evaluateGate(findings, [scannerRun()], {
      ...POLICY,
      failOn: failOnOnly('vulnerability', 'medium'),
    })
    expect(verdict.reasons).toEqual(['3 finding(s) at or above the fail-on threshold (2 critical, 1 medium)'])
  })

  it('says why it passed, and nothing else, when nothing fails', () => {
    const verdict = evaluateGate([vulnerability({ severity: 'low' })], [scannerRun()], POLICY)
    expect(verdict.reasons).toEqual(['no finding at or above the fail-on threshold'])
  })

  it('names a failed scanner without a message as an unknown error, before the findings', () => {
    const failed = scannerRun({ scanner: 'osv-scanner', name: 'OSV-Scanner', status: 'failed' })
    const verdict = evaluateGate([vulnerability()], [failed], POLICY)
    expect(verdict.reasons).toEqual([
      'OSV-Scanner failed on alpine:3.17: unknown error',
      '1 finding(s) at or above the fail-on threshold (1 high)',
    ])
  })
})
