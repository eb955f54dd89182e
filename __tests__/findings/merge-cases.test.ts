/**
 * mergeFindings written out field by field: which member gives each field of a merged finding (the
 * preferred scanner first, else the first that has it), which fields are unions or maxima, what a lone
 * finding keeps, which differences keep findings apart, and the output order.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { mergeFindings } from '../../src/findings/merge.js'

const TARGET = 'registry.example/app:ci'
const HIGHEST = { severitySource: 'highest' }

/** A vulnerability as one scanner reports it, with no optional field. */
function vuln(scanner: string, ruleId: string, overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: `${ruleId} from ${scanner}`,
    description: '',
    severity: 'medium',
    detectedBy: [scanner],
    target: TARGET,
    references: [],
    package: { name: 'zlib', version: '1.2.13', type: 'deb' },
    ...overrides,
  }
}

/** A misconfiguration as one scanner reports it, with no optional field. */
function misconfig(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'misconfiguration',
    ruleId: 'DS002',
    aliases: [],
    title: 'Image user should not be root',
    description: '',
    severity: 'high',
    detectedBy: ['trivy'],
    target: TARGET,
    references: [],
    ...overrides,
  }
}

const both = (findings: Finding[]): Finding[] => {
  const forward = mergeFindings(findings, HIGHEST)
  expect(mergeFindings([...findings].reverse(), HIGHEST)).toStrictEqual(forward)
  return forward
}

describe('a lone finding', () => {
  it('keeps its fields and gains only its scanner severity', () => {
    expect(mergeFindings([vuln('trivy', 'CVE-2023-0001')], HIGHEST)).toStrictEqual([
      {
        kind: 'vulnerability',
        ruleId: 'CVE-2023-0001',
        aliases: [],
        title: 'CVE-2023-0001 from trivy',
        description: '',
        severity: 'medium',
        severityBySource: { trivy: { severity: 'medium' } },
        detectedBy: ['trivy'],
        target: TARGET,
        references: [],
        package: { name: 'zlib', version: '1.2.13', type: 'deb' },
      },
    ])
  })

  it('credited to two scanners has no per-scanner severity to add', () => {
    const [merged] = mergeFindings(
      [vuln('trivy', 'CVE-2023-0001', { detectedBy: ['trivy', 'grype'] })],
      HIGHEST,
    )
    expect(merged && 'severityBySource' in merged).toBe(false)
    expect(merged?.detectedBy).toEqual(['grype', 'trivy'])
  })

  it('of another kind keeps its rule id (trimmed) and every optional field', () => {
    const secret: Finding = {
      kind: 'secret',
      ruleId: ' aws-access-key-id ',
      aliases: [],
      title: 'AWS key',
      description: 'An AWS access key id.',
      severity: 'critical',
      detectedBy: ['trivy'],
      target: TARGET,
      references: ['https://docs.aws.amazon.com/'],
      subject: '/app/.env',
      location: { path: 'app/.env', startLine: 3 },
      instruction: { keyword: 'COPY', argument: '.env' },
      layer: { diffId: 'sha256:aa', createdBy: 'COPY .env /app/' },
      help: { text: 'Remove it.', markdown: 'Remove it.' },
      evidence: 'AKIA****',
      suppression: { kind: 'ignore', reason: 'test key' },
    }
    const [merged] = mergeFindings([secret], HIGHEST)
    expect(merged).toStrictEqual({
      ...secret,
      ruleId: 'aws-access-key-id',
      severityBySource: { trivy: { severity: 'critical' } },
    })
    expect(merged?.location).not.toBe(secret.location)
    expect(merged?.help).not.toBe(secret.help)
    expect(merged?.suppression).not.toBe(secret.suppression)
    expect(merged?.instruction).not.toBe(secret.instruction)
  })
})

describe('two scanners, one vulnerability', () => {
  const KEV = {
    cve: 'CVE-2023-0001',
    dateAdded: '2024-01-02',
    dueDate: '2024-01-23',
    knownRansomwareCampaignUse: 'Unknown',
  }
  const preferred = (): Finding =>
    vuln('trivy', 'cve-2023-0001', {
      title: '',
      description: 'zlib overflow',
      severity: 'medium',
      fix: { state: 'not-fixed', versions: [' '] },
      layer: { diffId: 'sha256:base' },
      epss: { cve: 'CVE-2023-0001', score: 0.2, source: 'trivy' },
    })
  const other = (): Finding =>
    vuln('grype', 'GHSA-AAAA-bbbb-CCCC', {
      aliases: ['CVE-2023-0001', 'DSA-5000-1'],
      title: 'zlib: heap overflow',
      description: 'zlib overflow',
      severity: 'high',
      score: 8.1,
      vendorSeverity: { nvd: 'high', debian: 'low' },
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-0001'],
      package: {
        name: 'zlib',
        version: '1.2.13',
        type: 'dpkg',
        purl: 'pkg:deb/debian/zlib@1.2.13',
        path: 'var/lib/dpkg/status',
      },
      fix: { state: 'fixed', versions: ['1.2.13.dfsg-1', '1.2.13-2'] },
      layer: { diffId: 'sha256:base', createdBy: 'ADD rootfs.tar /' },
      location: { path: 'Dockerfile', startLine: 1 },
      instruction: { keyword: 'FROM' },
      subject: 'zlib',
      help: { text: 'Upgrade zlib.', markdown: 'Upgrade **zlib**.' },
      evidence: 'zlib 1.2.13',
      suppression: { kind: 'vex', reason: 'not_affected' },
      epss: { cve: 'CVE-2023-0001', score: 0.7, percentile: 0.9, source: 'grype' },
      kev: KEV,
    })

  it('takes each field from the preferred scanner, else from the first member that has it', () => {
    expect(both([other(), preferred()])).toStrictEqual([
      {
        kind: 'vulnerability',
        ruleId: 'CVE-2023-0001',
        aliases: ['GHSA-aaaa-bbbb-cccc', 'DSA-5000-1'],
        title: 'zlib: heap overflow',
        description: 'zlib overflow',
        severity: 'high',
        score: 8.1,
        severityBySource: { grype: { severity: 'high' }, trivy: { severity: 'medium' } },
        vendorSeverity: { debian: 'low', nvd: 'high' },
        detectedBy: ['grype', 'trivy'],
        target: TARGET,
        references: ['https://security-tracker.debian.org/tracker/CVE-2023-0001'],
        package: {
          name: 'zlib',
          version: '1.2.13',
          type: 'deb',
          purl: 'pkg:deb/debian/zlib@1.2.13',
          path: 'var/lib/dpkg/status',
        },
        fix: { state: 'fixed', versions: ['1.2.13-2', '1.2.13.dfsg-1'] },
        layer: { diffId: 'sha256:base', createdBy: 'ADD rootfs.tar /' },
        location: { path: 'Dockerfile', startLine: 1 },
        instruction: { keyword: 'FROM' },
        subject: 'zlib',
        help: { text: 'Upgrade zlib.', markdown: 'Upgrade **zlib**.' },
        evidence: 'zlib 1.2.13',
        suppression: { kind: 'vex', reason: 'not_affected' },
        epss: { cve: 'CVE-2023-0001', score: 0.7, percentile: 0.9, source: 'grype' },
        kev: KEV,
      },
    ])
  })

  it('keeps the preferred scanner’s package spelling, purl and path over another’s', () => {
    const [merged] = both([
      other(),
      vuln('trivy', 'CVE-2023-0001', {
        package: {
          name: 'zlib',
          version: '1.2.13',
          type: 'debian',
          purl: 'pkg:deb/debian/zlib@1.2.13?arch=amd64',
          path: '/var/lib/dpkg/status',
        },
        layer: { diffId: 'sha256:other' },
      }),
    ])
    expect(merged?.package).toStrictEqual({
      name: 'zlib',
      version: '1.2.13',
      type: 'debian',
      purl: 'pkg:deb/debian/zlib@1.2.13?arch=amd64',
      path: '/var/lib/dpkg/status',
    })
    // Another layer's history line is not this layer's.
    expect(merged?.layer).toStrictEqual({ diffId: 'sha256:other' })
  })
})

describe('fields combined over the members', () => {
  const merged = (findings: Finding[]): Finding => {
    const [only, ...rest] = both(findings)
    expect(rest).toEqual([])
    return only!
  }

  it.each<[string, string[], string]>([
    ['the longest description', ['short', 'a longer one'], 'a longer one'],
    ['the first by text among equally long ones', ['bbb', 'aaa', 'ccc'], 'aaa'],
    ['an empty one only when all are', ['', ''], ''],
  ])('description: %s', (_name, descriptions, expected) => {
    const scanners = ['trivy', 'grype', 'osv-scanner']
    expect(
      merged(descriptions.map((d, i) => vuln(scanners[i]!, 'CVE-2023-0001', { description: d }))).description,
    ).toBe(expected)
  })

  it.each<[string, (number | undefined)[], number | undefined]>([
    ['the highest', [7.5, 9.1, 8], 9.1],
    ['a finite one over NaN', [Number.NaN, 5], 5],
    ['none from NaN alone', [Number.NaN], undefined],
    ['none when nobody scores', [undefined, undefined], undefined],
  ])('score: %s', (_name, scores, expected) => {
    const scanners = ['trivy', 'grype', 'osv-scanner']
    const result = merged(
      scores.map((s, i) => vuln(scanners[i]!, 'CVE-2023-0001', s === undefined ? {} : { score: s })),
    )
    expect(result.score).toBe(expected)
    expect('score' in result).toBe(expected !== undefined)
  })

  it.each<[string, Finding['fix'][], Finding['fix']]>([
    [
      'fixed over the rest; versions joined, blanks dropped, in natural order',
      [
        { state: 'not-fixed', versions: ['1.10', ''] },
        { state: 'fixed', versions: ['1.9', '1.10'] },
      ],
      { state: 'fixed', versions: ['1.9', '1.10'] },
    ],
    [
      "won't fix over not fixed",
      [
        { state: 'not-fixed', versions: [] },
        { state: 'wont-fix', versions: [] },
      ],
      { state: 'wont-fix', versions: [] },
    ],
    [
      'not fixed over unknown',
      [
        { state: 'unknown', versions: [] },
        { state: 'not-fixed', versions: [] },
      ],
      { state: 'not-fixed', versions: [] },
    ],
    [
      'unknown when that is all',
      [{ state: 'unknown', versions: [' '] }, undefined],
      { state: 'unknown', versions: [] },
    ],
    ['none when nobody says', [undefined, undefined], undefined],
  ])('fix: %s', (_name, fixes, expected) => {
    const scanners = ['trivy', 'grype']
    const result = merged(
      fixes.map((fix, i) => vuln(scanners[i]!, 'CVE-2023-0001', fix === undefined ? {} : { fix })),
    )
    expect(result.fix).toStrictEqual(expected)
    expect('fix' in result).toBe(expected !== undefined)
  })

  it('vendor severities: the highest per vendor, keys in order', () => {
    const result = merged([
      vuln('trivy', 'CVE-2023-0001', { vendorSeverity: { nvd: 'medium', redhat: 'high' } }),
      vuln('grype', 'CVE-2023-0001', { vendorSeverity: { nvd: 'critical', redhat: 'low', amazon: 'low' } }),
    ])
    expect(result.vendorSeverity).toStrictEqual({ amazon: 'low', nvd: 'critical', redhat: 'high' })
    expect(Object.keys(result.vendorSeverity ?? {})).toEqual(['amazon', 'nvd', 'redhat'])
  })

  it('severity by scanner: one scanner reporting twice keeps its higher word, keys in order', () => {
    const result = merged([
      vuln('trivy', 'CVE-2023-0001', { severity: 'low' }),
      vuln('grype', 'CVE-2023-0001', { severity: 'low' }),
      vuln('grype', 'GHSA-aaaa-bbbb-cccc', {
        aliases: ['CVE-2023-0001'],
        severity: 'high',
        severityBySource: { grype: { severity: 'high', original: 'High' } },
      }),
      vuln('grype', 'DSA-5000-1', {
        aliases: ['GHSA-aaaa-bbbb-cccc'],
        severity: 'medium',
        severityBySource: { grype: { severity: 'medium' } },
      }),
    ])
    expect(result.severityBySource).toStrictEqual({
      grype: { severity: 'high', original: 'High' },
      trivy: { severity: 'low' },
    })
    expect(Object.keys(result.severityBySource ?? {})).toEqual(['grype', 'trivy'])
    expect(result.severity).toBe('high')
  })

  it('the title of the first member that has one', () => {
    expect(
      merged([
        vuln('trivy', 'CVE-2023-0001', { title: '' }),
        vuln('osv-scanner', 'CVE-2023-0001', { title: 'from osv' }),
        vuln('grype', 'CVE-2023-0001', { title: 'from grype' }),
      ]).title,
    ).toBe('from grype')
    expect(
      merged([vuln('trivy', 'CVE-2023-0001', { title: '' }), vuln('grype', 'CVE-2023-0001', { title: '' })])
        .title,
    ).toBe('')
  })

  it('ids: one per spelling case-insensitively, CVEs upper-cased, GHSAs lower-cased after the prefix', () => {
    const result = merged([
      vuln('trivy', 'CVE-2023-0001', { aliases: [' ', 'ghsa-AAAA-bbbb-cccc'] }),
      vuln('grype', 'cve-2023-0001', { aliases: ['GHSA-aaaa-BBBB-cccc', 'alpine-1', 'ALPINE-1'] }),
    ])
    expect([result.ruleId, ...result.aliases]).toEqual(['CVE-2023-0001', 'GHSA-aaaa-bbbb-cccc', 'ALPINE-1'])
  })

  it('a rule id a scanner used is preferred among several CVEs', () => {
    const result = merged([
      vuln('trivy', 'CVE-2023-0009', { aliases: ['CVE-2023-0001'] }),
      vuln('grype', 'cve-2023-0009'),
    ])
    expect([result.ruleId, ...result.aliases]).toEqual(['CVE-2023-0009', 'CVE-2023-0001'])
  })
})

describe('chosen severity', () => {
  const pair = (): Finding[] => [
    vuln('trivy', 'CVE-2023-0001', { severity: 'low' }),
    vuln('grype', 'CVE-2023-0001', { severity: 'critical' }),
  ]
  it.each<[string, string]>([
    ['highest', 'critical'],
    ['trivy', 'low'],
    ['grype', 'critical'],
    ['snyk', 'critical'],
  ])('severity-source %s → %s', (source, expected) => {
    expect(mergeFindings(pair(), { severitySource: source })[0]?.severity).toBe(expected)
  })

  it('falls back to the highest member severity when no scanner severity is known', () => {
    const findings = [
      vuln('trivy', 'CVE-2023-0001', { severity: 'low', detectedBy: ['trivy', 'builtin'] }),
      vuln('grype', 'CVE-2023-0001', { severity: 'high', detectedBy: ['grype', 'osv-scanner'] }),
    ]
    const [result] = mergeFindings(findings, { severitySource: 'grype' })
    expect(result?.severity).toBe('high')
    expect(result && 'severityBySource' in result).toBe(false)
  })
})

describe('what keeps findings apart', () => {
  it('merges a rule id spelt in another case, and names it by its first spelling in text order', () => {
    const merged = both([misconfig({ ruleId: 'ds002', detectedBy: ['dockle'] }), misconfig()])
    expect(merged.map((f) => [f.ruleId, f.detectedBy])).toEqual([['DS002', ['dockle', 'trivy']]])
  })

  it.each<[string, Partial<Finding>]>([
    ['another subject', { subject: '/etc/passwd' }],
    ['another location', { location: { path: 'Dockerfile', startLine: 4 } }],
    ['another line of the same file', { location: { path: 'Dockerfile', startLine: 2 } }],
    ['another layer', { layer: { diffId: 'sha256:other' } }],
    ['another package', { package: { name: 'zlib', version: '1', type: 'deb' } }],
    ['another target', { target: 'other:1' }],
    ['another kind', { kind: 'compliance' }],
  ])('a misconfiguration on %s', (_name, change) => {
    const base = misconfig({ location: { path: 'Dockerfile', startLine: 3 }, layer: { diffId: 'sha256:aa' } })
    expect(both([base, { ...base, ...change, detectedBy: ['dockle'] }])).toHaveLength(2)
    expect(both([base, { ...base, detectedBy: ['dockle'] }])).toHaveLength(1)
  })

  it.each<[string, Partial<Finding>, number]>([
    ['the same subject and line', {}, 1],
    ['another subject', { subject: 'libb' }, 2],
    ['another line', { location: { path: 'app/go.sum', startLine: 9 } }, 2],
  ])('a vulnerability without a package on %s', (_name, change, count) => {
    const { package: _omit, ...noPackage } = vuln('trivy', 'CVE-2023-0001', {
      subject: 'liba',
      location: { path: 'app/go.sum', startLine: 3 },
    })
    expect(both([noPackage, { ...noPackage, ...change, detectedBy: ['grype'] }])).toHaveLength(count)
  })

  it('a lone copy of a package at its own path stays apart from the pair at another path', () => {
    const at = (scanner: string, path: string | undefined): Finding =>
      vuln(scanner, 'CVE-2023-0001', {
        package: { name: 'zlib', version: '1.2.13', type: 'deb', ...(path !== undefined ? { path } : {}) },
      })
    const merged = both([at('trivy', 'a/zlib'), at('grype', '/a/zlib/'), at('osv-scanner', 'b/zlib')])
    expect(merged.map((f) => [f.package?.path, f.detectedBy])).toEqual([
      ['a/zlib', ['grype', 'trivy']],
      ['b/zlib', ['osv-scanner']],
    ])
    // One path only (the other finding names none): the same copy.
    expect(both([at('trivy', 'a/zlib'), at('grype', undefined)])).toHaveLength(1)
  })
})

describe('output order', () => {
  it('by kind, target, rule id in number order, package name, version and path, subject, line, scanners', () => {
    const findings: Finding[] = [
      vuln('grype', 'CVE-2023-10000'),
      vuln('grype', 'CVE-2023-9999'),
      vuln('grype', 'CVE-2023-9999', { package: { name: 'aa', version: '2', type: 'npm' } }),
      vuln('grype', 'CVE-2023-9999', { package: { name: 'aa', version: '10', type: 'npm', path: 'b' } }),
      vuln('grype', 'CVE-2023-9999', { target: 'a:1' }),
      misconfig({ ruleId: 'DS001', subject: 'b' }),
      misconfig({ ruleId: 'DS001', subject: 'a' }),
      misconfig({ ruleId: 'DS001', subject: 'a', detectedBy: ['dockle'], layer: { diffId: 'x' } }),
      misconfig({ ruleId: 'DS001', subject: 'a', location: { path: 'D', startLine: 1 } }),
    ]
    const order = both(findings).map((f) =>
      [
        f.kind,
        f.target,
        f.ruleId,
        f.package?.name ?? '-',
        f.package?.version ?? '-',
        f.package?.path ?? '-',
        f.subject ?? '-',
        f.location?.startLine ?? '-',
        f.detectedBy.join('+'),
      ].join(' '),
    )
    expect(order).toEqual([
      `vulnerability a:1 CVE-2023-9999 zlib 1.2.13 - - - grype`,
      `vulnerability ${TARGET} CVE-2023-9999 aa 10 b - - grype`,
      `vulnerability ${TARGET} CVE-2023-9999 aa 2 - - - grype`,
      `vulnerability ${TARGET} CVE-2023-9999 zlib 1.2.13 - - - grype`,
      `vulnerability ${TARGET} CVE-2023-10000 zlib 1.2.13 - - - grype`,
      `misconfiguration ${TARGET} DS001 - - - a - dockle`,
      `misconfiguration ${TARGET} DS001 - - - a - trivy`,
      `misconfiguration ${TARGET} DS001 - - - a 1 trivy`,
      `misconfiguration ${TARGET} DS001 - - - b - trivy`,
    ])
  })
})
