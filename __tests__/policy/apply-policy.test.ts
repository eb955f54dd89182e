import { describe, expect, it } from '@jest/globals'
import type { PolicyConfig } from '../../src/config/policy-config.js'
import { fingerprintOf } from '../../src/findings/fingerprint.js'
import { applyPolicy } from '../../src/policy/apply-policy.js'
import { uniformFailOn } from '../../src/policy/gate.js'
import { vulnerability } from '../helpers/gate-result-fixtures.js'

const policy = (overrides: Partial<PolicyConfig> = {}): PolicyConfig => ({
  failOn: uniformFailOn('high'),
  onlyFixed: false,
  gateOn: 'all',
  severitySource: 'highest',
  ignoreRules: [],
  vex: [],
  ...overrides,
})
const today = new Date('2026-11-28T12:00:00Z')

describe('applyPolicy', () => {
  const a = { target: 'a:1', repository: 'a', findings: [vulnerability({ target: 'a:1' })] }
  const b = {
    target: 'b:1',
    repository: 'b',
    findings: [vulnerability({ target: 'b:1', ruleId: 'CVE-2024-9', aliases: [] })],
  }

  it('suppresses with a valid rule, keeps the finding, and adds no note for a rule that matched somewhere', () => {
    const out = applyPolicy(
      [a, b],
      policy({ ignoreRules: [{ id: 'CVE-2024-9', reason: 'accepted risk' }] }),
      today,
    )
    expect(out.findings[0]![0]!.suppression).toBeUndefined()
    expect(out.findings[1]![0]!.suppression).toEqual({ kind: 'ignore', reason: 'accepted risk' })
    expect(out.notes).toEqual([])
  })

  it('gives new/existing counts only when a baseline is given', () => {
    expect(applyPolicy([a, b], policy(), today)).toEqual({
      findings: [a.findings, b.findings],
      notes: [],
      warnings: [],
    })
    const withBaseline = applyPolicy([a, b], policy({ baseline: new Set(['0000:1']) }), today)
    expect(withBaseline.baseline).toEqual({ newCount: 2, existingCount: 0 })
  })

  it('names the file of a rule that matched nothing', () => {
    const out = applyPolicy(
      [a],
      policy({ ignoreRules: [{ id: 'CVE-2099-1', reason: 'x', origin: '.trivyignore' }] }),
      today,
    )
    expect(out.notes).toEqual([
      'ignore rule for CVE-2099-1 in .trivyignore matched no finding (stale, or a typo?).',
    ])
  })

  it('reports an expired rule (which no longer suppresses) and a rule that matched no image', () => {
    const out = applyPolicy(
      [a, b],
      policy({
        ignoreRules: [
          { id: 'CVE-2023-0286', reason: 'waiting for a fix', expires: '2026-11-01' },
          { id: 'CVE-1999-0001', reason: 'typo?' },
        ],
      }),
      today,
    )
    expect(out.findings[0]![0]!.suppression).toBeUndefined()
    // The expired rule may change the verdict: a warning, not a note.
    expect(out.warnings).toHaveLength(1)
    expect(out.warnings[0]).toMatch(/CVE-2023-0286.*expired on 2026-11-01/)
    expect(out.notes).toHaveLength(1)
    expect(out.notes[0]).toMatch(/CVE-1999-0001 matched no finding/)
  })

  it('marks baseline findings existing per image repository, and counts new vs existing', () => {
    const baseline = new Set([fingerprintOf(a.findings[0]!, 'a')])
    const out = applyPolicy([a, b], policy({ baseline, gateOn: 'new' }), today)
    expect(out.baseline).toEqual({ newCount: 1, existingCount: 1 })
    expect(out.findings[0]![0]!.suppression?.kind).toBe('baseline')
    expect(out.findings[1]![0]!.suppression).toBeUndefined()
  })

  it('with gate-on all, baseline findings are counted but not suppressed', () => {
    const baseline = new Set([fingerprintOf(a.findings[0]!, 'a')])
    const out = applyPolicy([a], policy({ baseline, gateOn: 'all' }), today)
    expect(out.baseline).toEqual({ newCount: 0, existingCount: 1 })
    expect(out.findings[0]![0]!.suppression).toBeUndefined()
  })
})
