import { describe, it, expect } from '@jest/globals'
import { fixState, parseGrypeReport } from '../../src/scanners/grype-report.js'
import { ScannerError } from '../../src/util/errors.js'

/** A report in `grype -o json` layout (matches, source, distro, descriptor). */
function grypeReport(matches: unknown[] | null, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    matches,
    source: {
      type: 'image',
      target: {
        userInput: 'registry.example/app:1.2.3',
        imageID: 'sha256:0123',
        tags: ['registry.example/app:1.2.3'],
        layers: [
          { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: 'sha256:l1', size: 10 },
        ],
      },
    },
    distro: { name: 'debian', version: '12', idLike: ['debian'] },
    descriptor: { name: 'grype', version: '0.87.0', db: { schemaVersion: 6 } },
    ...overrides,
  })
}

interface MatchOptions {
  id?: string
  severity?: string
  fix?: unknown
  related?: unknown[]
  cvss?: unknown[]
  artifact?: Record<string, unknown>
  namespace?: string
}

function match(o: MatchOptions = {}): Record<string, unknown> {
  return {
    vulnerability: {
      id: o.id ?? 'CVE-2024-0001',
      dataSource: 'https://security-tracker.debian.org/tracker/CVE-2024-0001',
      namespace: o.namespace ?? 'debian:distro:debian:12',
      severity: o.severity ?? 'High',
      urls: ['https://security-tracker.debian.org/tracker/CVE-2024-0001'],
      description: 'A flaw in libfoo allows remote code execution. More text follows here.',
      cvss: o.cvss ?? [],
      fix: o.fix ?? { versions: ['1.2.4'], state: 'fixed' },
      advisories: [],
    },
    relatedVulnerabilities: o.related ?? [],
    matchDetails: [{ type: 'exact-direct-match', matcher: 'dpkg-matcher', searchedBy: {}, found: {} }],
    artifact: {
      id: 'a1',
      name: 'libfoo',
      version: '1.2.3-1',
      type: 'deb',
      locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:l1' }],
      language: '',
      licenses: [],
      cpes: [],
      purl: 'pkg:deb/debian/libfoo@1.2.3-1?arch=amd64&distro=debian-12',
      upstreams: [],
      ...o.artifact,
    },
  }
}

const nvdRelated = (id: string, score: number) => ({
  id,
  dataSource: `https://nvd.nist.gov/vuln/detail/${id}`,
  namespace: 'nvd:cpe',
  severity: 'Critical',
  urls: ['https://example.org/advisory'],
  description: 'NVD description.',
  cvss: [
    {
      source: 'nvd@nist.gov',
      type: 'Primary',
      version: '3.1',
      vector: 'CVSS:3.1/...',
      metrics: { baseScore: score },
    },
    {
      source: 'nvd@nist.gov',
      type: 'Primary',
      version: '2.0',
      vector: 'AV:N/...',
      metrics: { baseScore: 10 },
    },
  ],
})

const ctx = { origin: 'grype:test.json' }

describe('parseGrypeReport', () => {
  it('maps a match onto a finding: package, fix, layer DiffID, references, target', () => {
    const [f] = parseGrypeReport(grypeReport([match()]), ctx)
    expect(f).toMatchObject({
      kind: 'vulnerability',
      ruleId: 'CVE-2024-0001',
      aliases: [],
      severity: 'high',
      severityBySource: { grype: { severity: 'high' } },
      vendorSeverity: { debian: 'high' },
      detectedBy: ['grype'],
      target: 'registry.example/app:1.2.3',
      package: {
        name: 'libfoo',
        version: '1.2.3-1',
        type: 'deb',
        purl: 'pkg:deb/debian/libfoo@1.2.3-1?arch=amd64&distro=debian-12',
      },
      fix: { state: 'fixed', versions: ['1.2.4'] },
      layer: { diffId: 'sha256:l1' },
      title: 'A flaw in libfoo allows remote code execution.',
      references: ['https://security-tracker.debian.org/tracker/CVE-2024-0001'],
    })
    // The dpkg database is where an OS package is recorded, not the package's own file.
    expect(f?.package?.path).toBeUndefined()
  })

  it('turns related vulnerabilities into aliases (a GHSA match names its CVE) and prefers the NVD v3 score', () => {
    const ghsa = match({
      id: 'GHSA-h5c8-rqwp-cp95',
      namespace: 'github:language:javascript',
      severity: 'Medium',
      cvss: [{ version: '3.1', vector: 'CVSS:3.1/...', metrics: { baseScore: 6.1 } }],
      related: [nvdRelated('CVE-2024-4068', 7.5)],
      artifact: {
        name: 'braces',
        version: '3.0.2',
        type: 'npm',
        purl: 'pkg:npm/braces@3.0.2',
        locations: [{ path: '/app/node_modules/braces/package.json', layerID: 'sha256:l2' }],
      },
    })
    const [f] = parseGrypeReport(grypeReport([ghsa]), ctx)
    expect(f?.ruleId).toBe('GHSA-h5c8-rqwp-cp95')
    expect(f?.aliases).toEqual(['CVE-2024-4068'])
    expect(f?.score).toBe(7.5)
    expect(f?.vendorSeverity).toEqual({ ghsa: 'medium', nvd: 'critical' })
    expect(f?.package).toMatchObject({ type: 'npm', path: '/app/node_modules/braces/package.json' })
    expect(f?.layer).toEqual({ diffId: 'sha256:l2' })
    expect(f?.references).toContain('https://nvd.nist.gov/vuln/detail/CVE-2024-4068')
  })

  it('keeps a related entry with the match id itself out of the aliases', () => {
    const [f] = parseGrypeReport(grypeReport([match({ related: [nvdRelated('CVE-2024-0001', 9.8)] })]), ctx)
    expect(f?.aliases).toEqual([])
    expect(f?.score).toBe(9.8)
  })

  it('falls back to the highest v3+ score when NVD has none, and ignores v2-only scores', () => {
    const cvss = [
      { source: 'vendor', version: '3.0', metrics: { baseScore: 5.5 } },
      { source: 'other', version: '4.0', metrics: { baseScore: 6.9 } },
      { source: 'nvd@nist.gov', version: '2.0', metrics: { baseScore: 9.3 } },
    ]
    expect(parseGrypeReport(grypeReport([match({ cvss })]), ctx)[0]?.score).toBe(6.9)
    const v2only = [{ source: 'nvd@nist.gov', version: '2.0', metrics: { baseScore: 9.3 } }]
    expect(parseGrypeReport(grypeReport([match({ cvss: v2only })]), ctx)[0]?.score).toBeUndefined()
  })

  it.each([
    ['Negligible', 'low', 'Negligible'],
    ['Low', 'low', undefined],
    ['Critical', 'critical', undefined],
    ['Unknown', 'unknown', undefined],
  ])('severity %s → %s, keeping the original word when it differs', (word, severity, original) => {
    const [f] = parseGrypeReport(grypeReport([match({ severity: word })]), ctx)
    expect(f?.severity).toBe(severity)
    expect(f?.severityBySource?.['grype']).toEqual(original ? { severity, original } : { severity })
  })

  it.each([
    [{ versions: ['1.2.4', '2.0.1'], state: 'fixed' }, 'fixed', ['1.2.4', '2.0.1']],
    [{ versions: [], state: 'not-fixed' }, 'not-fixed', []],
    [{ versions: [], state: 'wont-fix' }, 'wont-fix', []],
    [{ versions: [], state: 'unknown' }, 'unknown', []],
    [{ versions: [], state: '' }, 'unknown', []],
    [{ versions: ['3.1'], state: '' }, 'fixed', ['3.1']],
    [undefined, 'unknown', []],
  ])('fix %j → %s %j', (fix, state, versions) => {
    const m = match()
    ;(m['vulnerability'] as Record<string, unknown>)['fix'] = fix
    expect(parseGrypeReport(grypeReport([m]), ctx)[0]?.fix).toEqual({ state, versions })
  })

  it('takes the target from the context, the image user input, or a directory source', () => {
    const text = grypeReport([match()])
    expect(parseGrypeReport(text, { ...ctx, target: 'app:ci' })[0]?.target).toBe('app:ci')
    const dirSource = grypeReport([match()], { source: { type: 'directory', target: '/src' } })
    expect(parseGrypeReport(dirSource, ctx)[0]?.target).toBe('/src')
    const noSource = grypeReport([match()], { source: undefined })
    expect(parseGrypeReport(noSource, ctx)[0]?.target).toBe('grype:test.json')
  })

  it.each([
    ['matches empty', grypeReport([])],
    ['matches null', grypeReport(null)],
  ])('%s → no findings', (_name, text) => {
    expect(parseGrypeReport(text, ctx)).toEqual([])
  })

  it('reads a binary package whose location is its own file and a version written as a number', () => {
    const binary = match({
      artifact: {
        name: 'busybox',
        version: 1.36,
        type: 'binary',
        purl: 'pkg:generic/busybox@1.36',
        locations: [{ path: '/bin/[', layerID: 'sha256:l1' }],
      },
    })
    expect(parseGrypeReport(grypeReport([binary]), ctx)[0]?.package).toEqual({
      name: 'busybox',
      version: '1.36',
      type: 'binary',
      purl: 'pkg:generic/busybox@1.36',
      path: '/bin/[',
    })
  })
})

describe('parseGrypeReport: input it cannot read', () => {
  const valid = grypeReport([match()])
  type MatchJson = Record<string, Record<string, unknown>>
  const broken = (mutate: (m: MatchJson) => void): string => {
    const m = match() as MatchJson
    mutate(m)
    return grypeReport([m])
  }
  it.each([
    ['not JSON', '<html>502</html>', /not valid JSON/],
    ['truncated JSON', valid.slice(0, 300), /not valid JSON/],
    ['an array', '[]', /top level should be an object.*got an array/],
    ['a string', '"matches"', /top level should be an object/],
    ['a Trivy report', JSON.stringify({ SchemaVersion: 2, ArtifactName: 'x', Results: [] }), /Trivy report/],
    [
      'a Syft SBOM',
      JSON.stringify({ matches: [], descriptor: { name: 'syft' } }),
      /descriptor\.name is "syft"/,
    ],
    ['no matches', JSON.stringify({ source: {}, descriptor: { name: 'grype' } }), /"matches" is missing/],
    ['matches not an array', grypeReport(null, { matches: {} }), /matches should be an array/],
    [
      'a match without vulnerability',
      broken((m) => delete m['vulnerability']),
      /matches\[0\]\.vulnerability is missing/,
    ],
    [
      'a vulnerability without id',
      broken((m) => delete m['vulnerability']!['id']),
      /vulnerability\.id is missing/,
    ],
    ['an artifact without name', broken((m) => delete m['artifact']!['name']), /artifact\.name is missing/],
    ['urls that is a string', broken((m) => (m['vulnerability']!['urls'] = 'x')), /urls should be an array/],
    [
      'a base score that is text',
      broken((m) => (m['vulnerability']!['cvss'] = [{ metrics: { baseScore: 'high' } }])),
      /baseScore/,
    ],
  ])('%s → ScannerError naming grype', (_name, text, message) => {
    let caught: unknown
    try {
      parseGrypeReport(text, ctx)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('grype')
    expect((caught as ScannerError).message).toMatch(message)
    expect((caught as ScannerError).message).toContain('grype:test.json')
  })
})

describe('grype fix state', () => {
  it.each([
    ['fixed', [], 'fixed'],
    ['not-fixed', [], 'not-fixed'],
    ['wont-fix', [], 'wont-fix'],
    ['unknown', ['1.0'], 'unknown'],
    ['', [], 'unknown'],
    [undefined, ['1.0'], 'fixed'],
  ] as const)('%j with %j → %s', (state, versions, expected) => {
    expect(fixState(state, versions)).toBe(expected)
  })
})
