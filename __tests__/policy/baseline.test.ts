import { describe, it, expect } from '@jest/globals'
import { loadBaseline, markBaseline } from '../../src/policy/baseline.js'
import { evaluateGate, uniformFailOn } from '../../src/policy/gate.js'
import { fingerprintOf } from '../../src/findings/fingerprint.js'
import type { Finding } from '../../src/findings/finding.js'
import { ConfigurationError } from '../../src/util/errors.js'

const REPOSITORY = 'ghcr.io/acme/app'

function vuln(ruleId: string, pkg: string): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'critical',
    detectedBy: ['trivy'],
    target: `${REPOSITORY}:pr-7`,
    package: { name: pkg, version: '1.0', type: 'apk' },
    fix: { state: 'fixed', versions: ['1.1'] },
    references: [],
  }
}

function sarif(fingerprints: (string | undefined)[]): string {
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'container-security-gate', rules: [] } },
        results: fingerprints.map((fp) => ({
          ruleId: 'x',
          message: { text: 'x' },
          ...(fp ? { partialFingerprints: { primaryLocationLineHash: fp } } : {}),
        })),
      },
    ],
  })
}

describe('loadBaseline', () => {
  it('collects primaryLocationLineHash of every result', () => {
    expect(loadBaseline(sarif(['a:1', 'b:1', 'a:1']), 'baseline.sarif')).toEqual(new Set(['a:1', 'b:1']))
  })

  it('accepts a clean earlier run (no results)', () => {
    expect(loadBaseline(sarif([]), 'baseline.sarif').size).toBe(0)
  })

  it.each([
    ['not json', 'baseline main.sarif: not valid JSON'],
    ['{"version":"2.1.0"}', 'baseline main.sarif: not a SARIF log (no runs)'],
    [
      sarif([undefined, undefined]),
      'none of its 2 result(s) has partialFingerprints.primaryLocationLineHash',
    ],
    ['{"runs":[{"results":{}}]}', 'runs[0].results is not a list'],
  ])('%s → ConfigurationError', (text, message) => {
    expect(() => loadBaseline(text, 'main.sarif')).toThrow(ConfigurationError)
    expect(() => loadBaseline(text, 'main.sarif')).toThrow(message)
  })
})

describe('markBaseline', () => {
  const old = vuln('CVE-2023-0001', 'openssl')
  const fresh = vuln('CVE-2024-9999', 'curl')
  // Fingerprints hold no version or tag: the same problem in a rebuilt image is still "existing".
  const baseline = new Set([fingerprintOf({ ...old, target: `${REPOSITORY}:main` }, REPOSITORY)])
  const policy = { failOn: uniformFailOn('high'), onlyFixed: false, continueOnScannerError: false } as const

  it('with gate-on new, existing findings are suppressed (counted, not failing) and new ones fail', () => {
    const out = markBaseline([old, fresh], baseline, REPOSITORY, { gateOn: 'new' })
    expect([out.newCount, out.existingCount]).toEqual([1, 1])
    expect(out.findings[0]?.suppression).toEqual({ kind: 'baseline', reason: 'present in baseline' })
    expect(out.findings[1]?.suppression).toBeUndefined()
    expect(out.findings.map((f) => out.states.get(f))).toEqual(['existing', 'new'])
    const verdict = evaluateGate(out.findings, [], { ...policy, gateOn: 'new' })
    expect([verdict.result, verdict.failing, verdict.suppressed]).toEqual(['fail', 1, 1])
    const onlyOld = markBaseline([old], baseline, REPOSITORY, { gateOn: 'new' })
    expect(evaluateGate(onlyOld.findings, [], { ...policy, gateOn: 'new' }).result).toBe('pass')
  })

  it('with gate-on all, marks states but suppresses nothing', () => {
    const out = markBaseline([old, fresh], baseline, REPOSITORY, { gateOn: 'all' })
    expect(out.findings.every((f) => f.suppression === undefined)).toBe(true)
    expect(out.findings.map((f) => out.states.get(f))).toEqual(['existing', 'new'])
  })

  it('keeps an earlier suppression and does not mutate the input', () => {
    const ignored = { ...old, suppression: { kind: 'ignore' as const, reason: 'SEC-1' } }
    const out = markBaseline([ignored], baseline, REPOSITORY, { gateOn: 'new' })
    expect(out.findings[0]?.suppression?.kind).toBe('ignore')
    expect(out.existingCount).toBe(1)
    expect(old.suppression).toBeUndefined()
  })
})
