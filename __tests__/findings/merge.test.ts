import { beforeEach, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mergeFindings } from '../../src/findings/merge.js'
import type { Finding } from '../../src/findings/finding.js'
import type { Severity } from '../../src/findings/severity.js'

const TARGET = 'ghcr.io/acme/app:ci'

function trivy(ruleId: string, pkg: Finding['package'], extra: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: `${ruleId} (trivy)`,
    description: 'short',
    severity: 'high',
    severityBySource: { trivy: { severity: 'high' } },
    detectedBy: ['trivy'],
    target: TARGET,
    references: [`https://avd.aquasec.com/nvd/${ruleId.toLowerCase()}`],
    ...(pkg ? { package: pkg } : {}),
    ...extra,
  }
}

function grype(ruleId: string, pkg: Finding['package'], extra: Partial<Finding> = {}): Finding {
  return {
    ...trivy(ruleId, pkg),
    title: `${ruleId} (grype)`,
    severityBySource: { grype: { severity: 'high' } },
    detectedBy: ['grype'],
    references: [`https://nvd.nist.gov/vuln/detail/${ruleId}`],
    ...extra,
  }
}

const withSeverity = (f: Finding, scanner: string, severity: Severity, original?: string): Finding => ({
  ...f,
  severity,
  severityBySource: { [scanner]: original ? { severity, original } : { severity } },
})

/** The same image scanned by both: OS package, language package (GHSA ↔ CVE alias), a distro advisory. */
const TRIVY_SET: Finding[] = [
  trivy(
    'CVE-2023-5363',
    { name: 'libssl3', version: '3.1.2-r0', type: 'alpine', purl: 'pkg:apk/alpine/libssl3@3.1.2-r0' },
    {
      fix: { state: 'fixed', versions: ['3.1.4-r0'] },
      layer: { diffId: 'sha256:base' },
      score: 7.5,
      vendorSeverity: { nvd: 'high' },
    },
  ),
  trivy('CVE-2022-25883', {
    name: 'semver',
    version: '7.5.1',
    type: 'node-pkg',
    path: 'usr/local/lib/node_modules/npm/node_modules/semver/package.json',
  }),
  trivy(
    'DLA-3449-1',
    { name: 'openssl', version: '1.1.1n-0+deb11u4', type: 'debian' },
    { aliases: ['CVE-2023-2650'] },
  ),
]

const GRYPE_SET: Finding[] = [
  withSeverity(
    grype(
      'CVE-2023-5363',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk', path: '/lib/apk/db/installed' },
      {
        fix: { state: 'fixed', versions: ['3.1.4-r0', '3.2.0-r0'] },
        score: 7.8,
        description: 'a much longer description',
      },
    ),
    'grype',
    'medium',
  ),
  grype(
    'GHSA-c2qf-rxjj-qqgw',
    {
      name: 'semver',
      version: '7.5.1',
      type: 'npm',
      path: '/usr/local/lib/node_modules/npm/node_modules/semver',
    },
    { aliases: ['CVE-2022-25883'] },
  ),
  grype('CVE-2023-2650', { name: 'openssl', version: '1.1.1n-0+deb11u4', type: 'deb' }),
]

describe('mergeFindings across scanners', () => {
  // Computed per test (not while jest collects the tests), so a mutation run knows which tests reach which code.
  let merged: ReturnType<typeof mergeFindings>
  beforeEach(() => {
    merged = mergeFindings([...TRIVY_SET, ...GRYPE_SET], { severitySource: 'highest' })
  })

  it('gives one finding per (vulnerability, package, version), crediting both scanners', () => {
    expect(merged.map((f) => [f.ruleId, f.package?.name, f.detectedBy])).toEqual([
      ['CVE-2022-25883', 'semver', ['grype', 'trivy']],
      ['CVE-2023-2650', 'openssl', ['grype', 'trivy']],
      ['CVE-2023-5363', 'libssl3', ['grype', 'trivy']],
    ])
  })

  it('keeps the other ids as aliases (GHSA on one side, CVE alias on the other; distro advisories)', () => {
    const byRule = new Map(merged.map((f) => [f.ruleId, f]))
    expect(byRule.get('CVE-2022-25883')?.aliases).toEqual(['GHSA-c2qf-rxjj-qqgw'])
    expect(byRule.get('CVE-2023-2650')?.aliases).toEqual(['DLA-3449-1'])
  })

  it('merges the details: fix (versions union), max score, longest description, references, layer, purl, path', () => {
    const ssl = merged.find((f) => f.ruleId === 'CVE-2023-5363')!
    expect(ssl.fix).toEqual({ state: 'fixed', versions: ['3.1.4-r0', '3.2.0-r0'] })
    expect(ssl.score).toBe(7.8)
    expect(ssl.description).toBe('a much longer description')
    expect(ssl.references).toHaveLength(2)
    expect(ssl.layer).toEqual({ diffId: 'sha256:base' })
    expect(ssl.package).toEqual({
      name: 'libssl3',
      version: '3.1.2-r0',
      type: 'alpine',
      purl: 'pkg:apk/alpine/libssl3@3.1.2-r0',
      path: '/lib/apk/db/installed',
    })
    expect(ssl.severityBySource).toEqual({ grype: { severity: 'medium' }, trivy: { severity: 'high' } })
    expect(ssl.vendorSeverity).toEqual({ nvd: 'high' })
    expect(ssl.title).toBe('CVE-2023-5363 (trivy)') // the preferred scanner's wording
  })

  it.each([
    ['highest', 'high'],
    ['grype', 'medium'],
    ['trivy', 'high'],
    ['osv-scanner', 'high'], // did not report it: highest
  ])('severity-source %s → %s', (severitySource, severity) => {
    const [ssl] = mergeFindings([TRIVY_SET[0]!, GRYPE_SET[0]!], { severitySource })
    expect(ssl?.severity).toBe(severity)
  })

  it('keeps different versions of a package apart', () => {
    const out = mergeFindings(
      [
        trivy('CVE-1', { name: 'lodash', version: '4.17.20', type: 'npm' }),
        grype('CVE-1', { name: 'lodash', version: '4.17.21', type: 'npm' }),
      ],
      { severitySource: 'highest' },
    )
    expect(out).toHaveLength(2)
  })

  it('keeps two copies of a package at different paths apart, and joins each with its twin', () => {
    const jar = (path: string) => ({
      name: 'org.apache.logging.log4j:log4j-core',
      version: '2.14.1',
      type: 'jar',
      path,
    })
    const gjar = (path: string) => ({ name: 'log4j-core', version: '2.14.1', type: 'java-archive', path })
    const out = mergeFindings(
      [
        trivy('CVE-2021-44228', jar('app/a.jar')),
        trivy('CVE-2021-44228', jar('app/b.jar')),
        grype('CVE-2021-44228', gjar('/app/a.jar')),
        grype('CVE-2021-44228', gjar('/app/b.jar')),
      ],
      { severitySource: 'highest' },
    )
    expect(out.map((f) => [f.package?.path, f.detectedBy])).toEqual([
      ['app/a.jar', ['grype', 'trivy']],
      ['app/b.jar', ['grype', 'trivy']],
    ])
  })

  it('links ids transitively (A~B, B~C) and prefers the CVE as rule id', () => {
    const pkg = { name: 'openssl', version: '3.0.2', type: 'deb' }
    const out = mergeFindings(
      [
        trivy('DLA-3000-1', pkg, { aliases: ['CVE-2022-0001'] }),
        grype('cve-2022-0001', pkg, { aliases: ['ghsa-aaaa-bbbb-cccc'] }),
        {
          ...grype('GHSA-AAAA-BBBB-CCCC', pkg),
          detectedBy: ['osv-scanner'],
          severityBySource: { 'osv-scanner': { severity: 'low' } },
        },
      ],
      { severitySource: 'highest' },
    )
    expect(out).toHaveLength(1)
    expect(out[0]).toMatchObject({
      ruleId: 'CVE-2022-0001',
      aliases: ['GHSA-aaaa-bbbb-cccc', 'DLA-3000-1'],
      detectedBy: ['grype', 'osv-scanner', 'trivy'],
    })
  })

  it.each([
    ['pypi', 'Django_REST.framework', 'pip', 'django-rest-framework', 'python'],
    ['golang', 'github.com/Foo/bar', 'gobinary', 'github.com/foo/bar', 'go-module'],
    ['cargo', 'serde', 'rustbinary', 'serde', 'rust-crate'],
    ['gem', 'rack', 'gemspec', 'rack', 'gem'],
    ['rpm', 'openssl-libs', 'redhat', 'openssl-libs', 'rpm'],
  ])('normalises %s names and type words (%s/%s ~ %s/%s)', (_family, nameA, typeA, nameB, typeB) => {
    const out = mergeFindings(
      [
        trivy('CVE-9', { name: nameA, version: 'v1.0.0', type: typeA }),
        grype('CVE-9', { name: nameB, version: 'v1.0.0', type: typeB }),
      ],
      { severitySource: 'highest' },
    )
    expect(out).toHaveLength(1)
  })

  it('matches Go versions spelled go1.21.0 / v1.21.0', () => {
    const out = mergeFindings(
      [
        trivy('CVE-2023-39325', { name: 'stdlib', version: 'v1.21.0', type: 'gobinary' }),
        grype('CVE-2023-39325', { name: 'stdlib', version: 'go1.21.0', type: 'go-module' }),
      ],
      { severitySource: 'highest' },
    )
    expect(out).toHaveLength(1)
  })

  it('does not merge different vulnerabilities or different ecosystems', () => {
    const out = mergeFindings(
      [
        trivy('CVE-1', { name: 'x', version: '1', type: 'npm' }),
        grype('CVE-2', { name: 'x', version: '1', type: 'npm' }),
        grype('CVE-1', { name: 'x', version: '1', type: 'python' }),
      ],
      { severitySource: 'highest' },
    )
    expect(out).toHaveLength(3)
  })
})

describe('mergeFindings for misconfigurations, secrets and compliance', () => {
  const misconfig = (ruleId: string, subject: string | undefined, scanner: string): Finding => ({
    kind: 'misconfiguration',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'high',
    detectedBy: [scanner],
    target: TARGET,
    references: [],
    ...(subject !== undefined ? { subject } : {}),
  })

  it('merges only the same rule on the same subject', () => {
    const out = mergeFindings(
      [
        misconfig('CIS-DI-0001', undefined, 'dockle'),
        misconfig('CIS-DI-0001', undefined, 'dockle'), // exact duplicate
        misconfig('DS002', undefined, 'trivy'), // same problem, another rule: left for the reader
        misconfig('CSG003', '22/tcp', 'builtin'),
        misconfig('CSG003', '2375/tcp', 'builtin'),
        { ...misconfig('CSG003', '22/tcp', 'builtin'), kind: 'secret' },
      ],
      { severitySource: 'highest' },
    )
    expect(out.map((f) => [f.kind, f.ruleId, f.subject])).toEqual([
      ['misconfiguration', 'CIS-DI-0001', undefined],
      ['misconfiguration', 'CSG003', '22/tcp'],
      ['misconfiguration', 'CSG003', '2375/tcp'],
      ['misconfiguration', 'DS002', undefined],
      ['secret', 'CSG003', '22/tcp'],
    ])
  })
})

describe('mergeFindings properties', () => {
  const ids = [
    'CVE-2024-0001',
    'cve-2024-0001',
    'CVE-2024-0002',
    'GHSA-aaaa-bbbb-cccc',
    'DLA-1-1',
    'RHSA-2024:1',
  ]
  const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'unknown']
  const findingArb: fc.Arbitrary<Finding> = fc
    .record({
      kind: fc.constantFrom('vulnerability', 'vulnerability', 'misconfiguration'),
      ruleId: fc.constantFrom(...ids),
      aliases: fc.subarray(ids),
      severity: fc.constantFrom(...severities),
      scanner: fc.constantFrom('trivy', 'grype', 'osv-scanner'),
      name: fc.constantFrom('openssl', 'OpenSSL', 'semver'),
      version: fc.constantFrom('1.0', '1.1'),
      type: fc.constantFrom('deb', 'debian', 'npm'),
      path: fc.option(fc.constantFrom('/a', 'a', '/b'), { nil: undefined }),
      fixed: fc.option(fc.constantFrom('1.2', '1.3'), { nil: undefined }),
      score: fc.option(fc.constantFrom(5, 7.5, 9.8), { nil: undefined }),
      description: fc.constantFrom('', 'd', 'longer'),
      reference: fc.constantFrom('https://a', 'https://b'),
    })
    .map((r) => {
      const f: Finding = {
        kind: r.kind,
        ruleId: r.ruleId,
        aliases: r.aliases,
        title: r.ruleId,
        description: r.description,
        severity: r.severity,
        severityBySource: { [r.scanner]: { severity: r.severity } },
        detectedBy: [r.scanner],
        target: TARGET,
        package: { name: r.name, version: r.version, type: r.type, ...(r.path ? { path: r.path } : {}) },
        references: [r.reference],
      }
      if (r.fixed) f.fix = { state: 'fixed', versions: [r.fixed] }
      if (r.score !== undefined) f.score = r.score
      return f
    })

  it.each(['highest', 'grype'])(
    'is idempotent and order-independent (severity-source %s)',
    (severitySource) => {
      fc.assert(
        fc.property(fc.array(findingArb, { maxLength: 25 }), fc.integer(), (findings, seed) => {
          const once = mergeFindings(findings, { severitySource })
          expect(mergeFindings(once, { severitySource })).toEqual(once)
          const shuffled = [...findings]
          let s = seed
          for (let i = shuffled.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) & 0x7fffffff
            const j = s % (i + 1)
            ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
          }
          expect(mergeFindings(shuffled, { severitySource })).toEqual(once)
          // Nothing is lost: every scanner that reported a finding is still credited.
          const credited = new Set(once.flatMap((f) => f.detectedBy))
          for (const f of findings) for (const d of f.detectedBy) expect(credited.has(d)).toBe(true)
        }),
        { numRuns: 300 },
      )
    },
  )
})
