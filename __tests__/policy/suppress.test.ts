import { describe, it, expect } from '@jest/globals'
import {
  applyIgnoreRules,
  describeExpiredRule,
  parseTrivyIgnore,
  type IgnoreRule,
} from '../../src/policy/suppress.js'
import type { Finding } from '../../src/findings/finding.js'
import { ConfigurationError } from '../../src/util/errors.js'

function vuln(ruleId: string, pkg: string, version: string, extra: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'critical',
    detectedBy: ['trivy'],
    target: 'ghcr.io/acme/app:ci',
    package: { name: pkg, version, type: 'apk' },
    references: [],
    ...extra,
  }
}

const TODAY = new Date('2025-03-15T12:00:00Z')
const rule = (r: Partial<IgnoreRule>): IgnoreRule => ({
  id: 'CVE-2023-5363',
  reason: 'accepted, SEC-42',
  ...r,
})

describe('applyIgnoreRules', () => {
  const findings = [
    vuln('CVE-2023-5363', 'libssl3', '3.1.2-r0'),
    vuln('CVE-2023-5363', 'libcrypto3', '3.1.2-r0'),
    vuln('GHSA-xxxx-yyyy-zzzz', 'semver', '7.5.1', { aliases: ['CVE-2022-25883'] }),
    vuln('CVE-2024-0001', 'busybox', '1.36.1-r5', { target: 'ghcr.io/acme/worker:ci' }),
  ]

  it.each([
    ['an id', rule({}), [true, true, false, false]],
    ['an id, case-insensitively', rule({ id: 'cve-2023-5363' }), [true, true, false, false]],
    ['an alias', rule({ id: 'CVE-2022-25883' }), [false, false, true, false]],
    ['a package', rule({ package: 'libssl3' }), [true, false, false, false]],
    ['a package@version', rule({ package: 'libssl3@3.1.2-r0' }), [true, false, false, false]],
    ['another version', rule({ package: 'libssl3@3.1.4-r0' }), [false, false, false, false]],
    [
      'an image glob',
      rule({ id: 'CVE-2024-0001', image: 'ghcr.io/acme/work*' }),
      [false, false, false, true],
    ],
    [
      'an image without tag',
      rule({ id: 'CVE-2024-0001', image: 'ghcr.io/acme/worker' }),
      [false, false, false, true],
    ],
    [
      'a non-matching image',
      rule({ id: 'CVE-2024-0001', image: 'ghcr.io/acme/app' }),
      [false, false, false, false],
    ],
    ['an unexpired rule', rule({ expires: '2025-03-16' }), [true, true, false, false]],
  ])('matches %s', (_what, r, expected) => {
    const out = applyIgnoreRules(findings, [r], { today: TODAY })
    expect(out.findings.map((f) => f.suppression !== undefined)).toEqual(expected)
    const suppressed = out.findings.find((f) => f.suppression)
    if (suppressed) {
      expect(suppressed.suppression).toEqual({
        kind: 'ignore',
        reason: 'accepted, SEC-42',
        ...(r.expires ? { expires: r.expires } : {}),
      })
    }
  })

  it('stops suppressing on the expiry date and reports the rule', () => {
    const expired = rule({ expires: '2025-03-15', origin: '.github/container-security.yml ignore[0]' })
    const out = applyIgnoreRules(findings, [expired], { today: TODAY })
    expect(out.findings.every((f) => f.suppression === undefined)).toBe(true)
    expect(out.expiredRules).toEqual([expired])
    expect(out.unusedRules).toEqual([])
    expect(describeExpiredRule(expired)).toBe(
      'ignore rule for CVE-2023-5363 in .github/container-security.yml ignore[0] expired on 2025-03-15: accepted, SEC-42',
    )
  })

  it('reports rules that match nothing, and does not mutate its input', () => {
    const stale = rule({ id: 'CVE-1999-0001' })
    const out = applyIgnoreRules(findings, [stale, rule({})], { today: TODAY })
    expect(out.unusedRules).toEqual([stale])
    expect(findings.every((f) => f.suppression === undefined)).toBe(true)
  })

  it('keeps an earlier suppression (VEX) and still counts the rule as used', () => {
    const vexed = vuln('CVE-2023-5363', 'libssl3', '3.1.2-r0', {
      suppression: { kind: 'vex', reason: 'fixed' },
    })
    const out = applyIgnoreRules([vexed], [rule({})], { today: TODAY })
    expect(out.findings[0]?.suppression).toEqual({ kind: 'vex', reason: 'fixed' })
    expect(out.unusedRules).toEqual([])
  })

  it('rejects a rule whose expiry is not a real date', () => {
    expect(() => applyIgnoreRules(findings, [rule({ expires: '2025-02-30' })], { today: TODAY })).toThrow(
      ConfigurationError,
    )
  })

  it('suppresses misconfigurations by check id too', () => {
    const check: Finding = { ...vuln('CSG004', 'x', '1'), kind: 'misconfiguration' }
    delete check.package
    const out = applyIgnoreRules([check], [rule({ id: 'csg004' })], { today: TODAY })
    expect(out.findings[0]?.suppression?.kind).toBe('ignore')
  })
})

describe('parseTrivyIgnore', () => {
  it('reads ids, comments and exp: dates', () => {
    const rules = parseTrivyIgnore(
      [
        '# Accept the risk',
        'CVE-2018-14618',
        '',
        '  CVE-2019-1543 exp:2025-01-31  ',
        'AVD-DS-0002 # root is fine',
        '',
      ].join('\n'),
      'app/.trivyignore',
    )
    expect(rules).toEqual([
      { id: 'CVE-2018-14618', reason: 'from .trivyignore', origin: 'app/.trivyignore:2' },
      {
        id: 'CVE-2019-1543',
        reason: 'from .trivyignore',
        origin: 'app/.trivyignore:4',
        expires: '2025-01-31',
      },
      { id: 'AVD-DS-0002', reason: 'from .trivyignore', origin: 'app/.trivyignore:5' },
    ])
  })

  it('applies exp: like Trivy: ignored until that date', () => {
    const rules = parseTrivyIgnore('CVE-2023-5363 exp:2025-03-15\n')
    const out = applyIgnoreRules([vuln('CVE-2023-5363', 'libssl3', '3')], rules, {
      today: new Date('2025-03-14T23:59:59Z'),
    })
    expect(out.findings[0]?.suppression?.reason).toBe('from .trivyignore')
    const later = applyIgnoreRules([vuln('CVE-2023-5363', 'libssl3', '3')], rules, { today: TODAY })
    expect(later.findings[0]?.suppression).toBeUndefined()
  })

  it('rejects a bad date naming the line', () => {
    expect(() => parseTrivyIgnore('CVE-1\nCVE-2 exp:2025-13-01\n')).toThrow(
      '.trivyignore:2: exp:2025-13-01 is not a real date (exp:YYYY-MM-DD)',
    )
  })
})
