import { describe, it, expect } from '@jest/globals'
import { DEFAULT_POLICY_FILE, parsePolicyFile } from '../../src/config/policy-file.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { thrownBy } from '../helpers/thrown.js'

const ORIGIN = DEFAULT_POLICY_FILE

function problems(text: string): string[] {
  return thrownBy(() => parsePolicyFile(text, ORIGIN), ConfigurationError).message.split('\n')
}

describe('parsePolicyFile', () => {
  it('reads a complete policy', () => {
    const policy = parsePolicyFile(
      [
        'fail-on:',
        '  vulnerability: high',
        '  secret: low',
        'only-fixed: true',
        'ignore:',
        '  - id: CVE-2023-1234',
        '    package: openssl@3.0.2',
        '    image: ghcr.io/acme/*',
        '    reason: not reachable, see SEC-42',
        '    expires: 2025-06-30',
        '  - id: CSG004',
        '    reason: port 22 is the product',
        'vex:',
        '  - security/app.openvex.json',
        'severity-source: grype',
        'gate-on: new',
      ].join('\n'),
      ORIGIN,
    )
    expect(policy).toEqual({
      failOn: { vulnerability: 'high', secret: 'low' },
      onlyFixed: true,
      ignore: [
        {
          id: 'CVE-2023-1234',
          package: 'openssl@3.0.2',
          image: 'ghcr.io/acme/*',
          reason: 'not reachable, see SEC-42',
          expires: '2025-06-30',
          origin: `${ORIGIN} ignore[0]`,
        },
        { id: 'CSG004', reason: 'port 22 is the product', origin: `${ORIGIN} ignore[1]` },
      ],
      vex: ['security/app.openvex.json'],
      severitySource: 'grype',
      gateOn: 'new',
    })
  })

  it('applies a single fail-on threshold to every kind', () => {
    expect(parsePolicyFile('fail-on: critical\n', ORIGIN).failOn).toEqual({
      vulnerability: 'critical',
      misconfiguration: 'critical',
      secret: 'critical',
      compliance: 'critical',
    })
  })

  it.each(['', '# only a comment\n', '---\n'])('treats an empty file (%j) as no policy', (text) => {
    expect(parsePolicyFile(text, ORIGIN)).toEqual({ ignore: [], vex: [] })
  })

  it.each([
    ['fail-on: hihg', 'fail-on must be one of critical, high, medium, low, none (got "hihg") (line 1)'],
    [
      'fail-on:\n  vulnerabilty: high',
      'fail-on.vulnerabilty is not a known kind (vulnerability, misconfiguration, secret, compliance): did you mean vulnerability? (line 2)',
    ],
    [
      'fail-on:\n  secret: severe',
      'fail-on.secret must be one of critical, high, medium, low, none (got "severe") (line 2)',
    ],
    ['fail-on: 7', 'fail-on must be a threshold (critical, high, medium, low, none) or a map of kinds'],
    [
      'failon: high',
      'failon is not a known key (fail-on, only-fixed, ignore, vex, severity-source, gate-on, fail-on-kev, fail-on-epss, ignore-base, base-images): did you mean fail-on? (line 1)',
    ],
    ['only-fixed: yes', 'only-fixed must be true or false (got "yes") (line 1)'],
    [
      'ignore:\n  - id: CVE-1\n  - id: CVE-2\n    reason: ok\n  - id: CVE-3',
      'ignore[0].reason is required (line 2)',
    ],
    ['ignore:\n  - id: CVE-1\n    reason: "  "', 'ignore[0].reason must not be empty (line 3)'],
    ['ignore:\n  - reason: because', 'ignore[0].id is required (line 2)'],
    [
      'ignore:\n  - id: CVE-1\n    reason: r\n    expires: 2025-02-30',
      'ignore[0].expires must be a real date YYYY-MM-DD (got "2025-02-30") (line 4)',
    ],
    [
      'ignore:\n  - id: CVE-1\n    reason: r\n    expires: next week',
      'ignore[0].expires must be a real date YYYY-MM-DD (got "next week")',
    ],
    [
      'ignore:\n  - id: CVE-1\n    reason: r\n    expiry: 2025-01-01',
      'ignore[0].expiry is not a known field (id, package, image, reason, expires): did you mean expires?',
    ],
    ['ignore: CVE-1', 'ignore must be a list (got "CVE-1")'],
    ['vex: security/app.json', 'vex must be a list (got "security/app.json")'],
    ['severity-source: nvd', 'severity-source must be one of highest, builtin, trivy, grype'],
    ['gate-on: changed', 'gate-on must be one of all, new (got "changed")'],
    [
      '- fail-on: high',
      'should be a map of keys (fail-on, only-fixed, ignore, vex, severity-source, gate-on, fail-on-kev, fail-on-epss, ignore-base, base-images)',
    ],
    ['fail-on: high\nfail-on: low', 'YAML syntax error at line 2, column 1: Map keys must be unique'],
    ['fail-on: [high\n', 'YAML syntax error at line'],
    ['fail-on: *threshold', 'YAML error: '],
  ])('%j → %s', (text, expected) => {
    const lines = problems(text)
    expect(lines.some((line) => line.startsWith(`policy file ${ORIGIN}: ${expected}`))).toBe(true)
  })

  it('reports every problem, one line each', () => {
    const lines = problems(
      'fail-on:\n  vulnerabilty: high\nignore:\n  - id: CVE-1\n  - id: CVE-2\n    reason: r\n  - id: CVE-3\ngate-on: x\n',
    )
    expect(lines).toEqual([
      `policy file ${ORIGIN}: fail-on.vulnerabilty is not a known kind (vulnerability, misconfiguration, secret, compliance): did you mean vulnerability? (line 2)`,
      `policy file ${ORIGIN}: ignore[0].reason is required (line 4)`,
      `policy file ${ORIGIN}: ignore[2].reason is required (line 7)`,
      `policy file ${ORIGIN}: gate-on must be one of all, new (got "x") (line 8)`,
    ])
  })
})
