import { describe, it, expect } from '@jest/globals'
import { applyVex, parseOpenVex } from '../../src/policy/vex.js'
import type { Finding } from '../../src/findings/finding.js'
import { ConfigurationError } from '../../src/util/errors.js'

function vuln(ruleId: string, pkg: Finding['package'], extra: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'high',
    detectedBy: ['trivy'],
    target: 'ghcr.io/acme/app:ci',
    ...(pkg ? { package: pkg } : {}),
    references: [],
    ...extra,
  }
}

const LIBSSL = {
  name: 'libssl3',
  version: '3.1.2-r0',
  type: 'alpine',
  purl: 'pkg:apk/alpine/libssl3@3.1.2-r0?arch=x86_64&distro=3.18.4',
}
const SEMVER = { name: 'semver', version: '7.5.1', type: 'npm' } // no purl from this scanner

function document(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://acme.example/vex/app-1',
    author: 'ACME security',
    timestamp: '2025-01-01T00:00:00Z',
    version: 1,
    statements,
    ...extra,
  })
}

const notAffected = (products: unknown[], extra: Record<string, unknown> = {}) => ({
  vulnerability: { name: 'CVE-2023-5363', aliases: ['GHSA-xxxx-yyyy-zzzz'] },
  products,
  status: 'not_affected',
  justification: 'vulnerable_code_not_in_execute_path',
  impact_statement: 'the cipher is never configured',
  ...extra,
})

describe('applyVex', () => {
  const findings = [
    vuln('CVE-2023-5363', LIBSSL),
    vuln('GHSA-xxxx-yyyy-zzzz', SEMVER),
    vuln('CVE-2023-5678', LIBSSL),
  ]

  it('suppresses a not_affected (vulnerability, product) with the justification shown', () => {
    const statements = parseOpenVex(
      document([notAffected([{ '@id': 'pkg:apk/alpine/libssl3@3.1.2-r0' }])]),
      'vex.json',
    )
    const out = applyVex(findings, statements)
    expect(out[0]?.suppression).toEqual({
      kind: 'vex',
      reason: 'not_affected: vulnerable_code_not_in_execute_path — the cipher is never configured',
    })
    expect(out[1]?.suppression).toBeUndefined() // semver is another product
    expect(out[2]?.suppression).toBeUndefined() // another vulnerability
  })

  it.each([
    [
      'affected does not suppress',
      { status: 'affected', action_statement: 'upgrade' },
      'pkg:apk/alpine/libssl3@3.1.2-r0',
      false,
    ],
    [
      'under_investigation does not suppress',
      { status: 'under_investigation' },
      'pkg:apk/alpine/libssl3',
      false,
    ],
    [
      'fixed suppresses',
      { status: 'fixed', justification: undefined, impact_statement: undefined },
      'pkg:apk/alpine/libssl3',
      true,
    ],
    ['a purl version mismatch does not', {}, 'pkg:apk/alpine/libssl3@3.1.4-r0', false],
    ['a purl without version matches any version', {}, 'pkg:apk/alpine/libssl3', true],
    ['another namespace does not', {}, 'pkg:apk/wolfi/libssl3@3.1.2-r0', false],
    ['a shared qualifier must agree', {}, 'pkg:apk/alpine/libssl3@3.1.2-r0?arch=aarch64', false],
    ['qualifiers only one side has are ignored', {}, 'pkg:apk/alpine/libssl3@3.1.2-r0?os=linux', true],
  ])('%s', (_what, override, purl, suppressed) => {
    const statement = { ...notAffected([{ '@id': purl }]), ...override }
    const out = applyVex([findings[0]!], parseOpenVex(document([statement]), 'vex.json'))
    expect(out[0]?.suppression !== undefined).toBe(suppressed)
  })

  it('matches by alias and, without a scanner purl, by package name and version', () => {
    const statement = notAffected([{ '@id': 'pkg:npm/semver@7.5.1' }], {
      vulnerability: { name: 'CVE-2022-25883', aliases: ['GHSA-XXXX-YYYY-ZZZZ'] },
    })
    const out = applyVex(findings, parseOpenVex(document([statement]), 'vex.json'))
    expect(out.map((f) => f.suppression !== undefined)).toEqual([false, true, false])
  })

  it('applies an image statement (pkg:oci) to its subcomponents', () => {
    const image = {
      '@id': 'pkg:oci/app@sha256%3Aabc?repository_url=ghcr.io/acme/app',
      subcomponents: [{ '@id': 'pkg:apk/alpine/libssl3@3.1.2-r0' }],
    }
    const out = applyVex(findings, parseOpenVex(document([notAffected([image])]), 'vex.json'))
    expect(out.map((f) => f.suppression !== undefined)).toEqual([true, false, false])
    const otherImage = { ...image, '@id': 'pkg:oci/worker?repository_url=ghcr.io/acme/worker' }
    const none = applyVex(findings, parseOpenVex(document([notAffected([otherImage])]), 'vex.json'))
    expect(none.every((f) => f.suppression === undefined)).toBe(true)
  })

  it('lets a later statement for the same pair override an earlier one', () => {
    const product = [{ '@id': 'pkg:apk/alpine/libssl3' }]
    const earlier = { ...notAffected(product), timestamp: '2025-01-01T00:00:00Z' }
    const later = {
      vulnerability: { name: 'CVE-2023-5363' },
      products: product,
      status: 'affected',
      timestamp: '2025-02-01T00:00:00Z',
    }
    // Order in the file does not matter, the timestamps do.
    const out = applyVex(findings, parseOpenVex(document([later, earlier]), 'vex.json'))
    expect(out[0]?.suppression).toBeUndefined()
    const reversed = { ...later, timestamp: '2024-12-01T00:00:00Z' }
    expect(
      applyVex(findings, parseOpenVex(document([reversed, earlier]), 'vex.json'))[0]?.suppression?.kind,
    ).toBe('vex')
  })

  it('reads OpenVEX 0.0.x string products and vulnerabilities', () => {
    const old = document(
      [{ vulnerability: 'CVE-2023-5363', products: ['pkg:apk/alpine/libssl3@3.1.2-r0'], status: 'fixed' }],
      { '@context': 'https://openvex.dev/ns' },
    )
    expect(applyVex(findings, parseOpenVex(old, 'old.json'))[0]?.suppression).toEqual({
      kind: 'vex',
      reason: 'fixed',
    })
  })

  it('never touches findings that are not vulnerabilities or are already suppressed', () => {
    const ignored = vuln('CVE-2023-5363', LIBSSL, { suppression: { kind: 'ignore', reason: 'SEC-1' } })
    const out = applyVex(
      [ignored],
      parseOpenVex(document([notAffected([{ '@id': 'pkg:apk/alpine/libssl3' }])]), 'v'),
    )
    expect(out[0]?.suppression).toEqual({ kind: 'ignore', reason: 'SEC-1' })
  })
})

describe('parseOpenVex', () => {
  it.each([
    ['{not json', 'not valid JSON'],
    ['[]', 'not an OpenVEX document: expected a JSON object'],
    [JSON.stringify({ bomFormat: 'CycloneDX', statements: [] }), 'this looks like CycloneDX'],
    [JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0' }), 'statements is missing or not a list'],
    [
      document([{ vulnerability: {}, products: ['pkg:npm/a'], status: 'fixed' }]),
      'statements[0].vulnerability.name is missing',
    ],
    [
      document([{ vulnerability: 'CVE-1', products: ['pkg:npm/a'], status: 'ok' }]),
      'statements[0].status "ok" is not one of',
    ],
    [
      document([{ vulnerability: 'CVE-1', products: ['pkg:npm/a'], status: 'not_affected' }]),
      'statements[0]: a not_affected statement needs a justification or an impact_statement',
    ],
    [
      document([
        { vulnerability: 'CVE-1', products: ['pkg:npm/a'], status: 'not_affected', justification: 'because' },
      ]),
      "statements[0].justification 'because' is not one of",
    ],
    [document([{ vulnerability: 'CVE-1', status: 'fixed' }]), 'statements[0].products is missing'],
    [
      document([{ vulnerability: 'CVE-1', products: [{}], status: 'fixed' }]),
      'statements[0].products[0] has neither an @id nor identifiers.purl',
    ],
    [
      document([
        { vulnerability: 'CVE-1', products: ['pkg:npm/a'], status: 'fixed', timestamp: 'yesterday' },
      ]),
      "statements[0].timestamp 'yesterday' is not a date-time",
    ],
  ])('%s → ConfigurationError naming the file and the problem', (text, problem) => {
    expect(() => parseOpenVex(text, 'security/app.openvex.json')).toThrow(ConfigurationError)
    expect(() => parseOpenVex(text, 'security/app.openvex.json')).toThrow(
      /^VEX document security\/app\.openvex\.json: /,
    )
    expect(() => parseOpenVex(text, 'security/app.openvex.json')).toThrow(problem)
  })

  // Found by __tests__/fuzz: printing a deeply nested status overflowed the stack (a RangeError).
  it('rejects a deeply nested status with a ConfigurationError, not a RangeError', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    const text = document([{ vulnerability: 'CVE-1', products: ['pkg:npm/a'], status: 'S' }]).replace(
      '"S"',
      deep,
    )
    expect(() => parseOpenVex(text, 'deep.json')).toThrow(ConfigurationError)
    expect(() => parseOpenVex(text, 'deep.json')).toThrow('statements[0].status a list is not one of')
  })

  it('reads products given by identifiers.purl and keeps the statement details', () => {
    const [statement] = parseOpenVex(
      document([
        {
          vulnerability: { '@id': 'https://nvd.nist.gov/vuln/detail/CVE-1', name: 'CVE-1' },
          products: [{ '@id': 'https://acme.example/app', identifiers: { purl: 'pkg:npm/app@1.0.0' } }],
          status: 'fixed',
          status_notes: 'rebuilt',
        },
      ]),
      'vex.json',
    )
    expect(statement).toMatchObject({
      vulnerability: 'CVE-1',
      status: 'fixed',
      statusNotes: 'rebuilt',
      timestamp: '2025-01-01T00:00:00Z', // inherited from the document
      products: [{ id: 'https://acme.example/app', purl: { type: 'npm', name: 'app', version: '1.0.0' } }],
    })
  })
})
