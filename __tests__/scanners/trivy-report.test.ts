import { describe, it, expect } from '@jest/globals'
import { fixState, parseTrivyReport, splitVersions } from '../../src/scanners/trivy-report.js'
import { ScannerError } from '../../src/util/errors.js'

/** A report in Trivy's JSON layout (SchemaVersion 2), as `trivy image --format json` writes it. */
function trivyReport(results: unknown[] | null | undefined, header: Record<string, unknown> = {}): string {
  return JSON.stringify({
    SchemaVersion: 2,
    Trivy: { Version: '0.58.1' },
    CreatedAt: '2026-01-02T03:04:05Z',
    ArtifactName: 'registry.example/app:1.2.3',
    ArtifactType: 'container_image',
    Metadata: { OS: { Family: 'debian', Name: '12.5' }, DiffIDs: ['sha256:aaa', 'sha256:bbb'] },
    ...(results !== undefined ? { Results: results } : {}),
    ...header,
  })
}

const osResult = {
  Target: 'registry.example/app:1.2.3 (debian 12.5)',
  Class: 'os-pkgs',
  Type: 'debian',
  Vulnerabilities: [
    {
      VulnerabilityID: 'CVE-2024-0001',
      VendorIDs: ['DSA-5600-1', 'CVE-2024-0001'],
      PkgID: 'libssl3@3.0.11-1~deb12u2',
      PkgName: 'libssl3',
      PkgIdentifier: {
        PURL: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5',
        UID: 'u1',
      },
      InstalledVersion: '3.0.11-1~deb12u2',
      FixedVersion: '3.0.13-1~deb12u1, 3.1.5-1',
      Status: 'fixed',
      Layer: { Digest: 'sha256:compressed', DiffID: 'sha256:aaa' },
      SeveritySource: 'debian',
      PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2024-0001',
      Title: 'openssl: a flaw',
      Description: 'A flaw in OpenSSL.',
      Severity: 'HIGH',
      VendorSeverity: { debian: 3, nvd: 4, redhat: 2 },
      CVSS: {
        nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 },
        redhat: { V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', V3Score: 5.9 },
      },
      References: ['https://www.openssl.org/news/secadv/x.txt', 'https://avd.aquasec.com/nvd/cve-2024-0001'],
    },
    {
      VulnerabilityID: 'CVE-2023-9999',
      PkgName: 'zlib1g',
      InstalledVersion: '1:1.2.13.dfsg-1',
      Status: 'will_not_fix',
      Severity: 'LOW',
      Layer: { DiffID: 'sha256:aaa' },
    },
  ],
}

const langResult = {
  Target: 'app/package-lock.json',
  Class: 'lang-pkgs',
  Type: 'npm',
  Vulnerabilities: [
    {
      VulnerabilityID: 'GHSA-abcd-efgh-ijkl',
      VendorIDs: ['CVE-2024-1234'],
      PkgName: 'lodash',
      PkgPath: 'app/node_modules/lodash/package.json',
      InstalledVersion: '4.17.20',
      FixedVersion: '4.17.21',
      Status: 'fixed',
      Severity: 'CRITICAL',
      CVSS: { ghsa: { V40Score: 9.3 }, 'other-source': { V3Score: 7.5 } },
      SeveritySource: 'ghsa',
      Layer: { DiffID: 'sha256:bbb', CreatedBy: 'COPY app /app # buildkit' },
    },
  ],
}

const configResult = {
  Target: 'Dockerfile',
  Class: 'config',
  Type: 'dockerfile',
  MisconfSummary: { Successes: 20, Failures: 2 },
  Misconfigurations: [
    {
      Type: 'Dockerfile Security Check',
      ID: 'DS002',
      AVDID: 'AVD-DS-0002',
      Title: "Image user should not be 'root'",
      Description: 'Running containers as root is risky.',
      Message: 'Last USER command in Dockerfile should not be root',
      Resolution: "Add 'USER <non root user name>' line to the Dockerfile",
      Severity: 'HIGH',
      PrimaryURL: 'https://avd.aquasec.com/misconfig/ds002',
      References: ['https://docs.docker.com/develop/develop-images/dockerfile_best-practices/'],
      Status: 'FAIL',
      CauseMetadata: { Provider: 'Dockerfile', Service: 'general', StartLine: 7, EndLine: 7 },
    },
    { ID: 'DS026', Title: 'No HEALTHCHECK defined', Severity: 'LOW', Status: 'PASS' },
  ],
}

const UNMASKED_NEIGHBOUR = 'ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const secretResult = {
  Target: '/app/.env',
  Class: 'secret',
  Secrets: [
    {
      RuleID: 'aws-access-key-id',
      Category: 'AWS',
      Severity: 'CRITICAL',
      Title: 'AWS Access Key ID',
      StartLine: 3,
      EndLine: 3,
      Code: {
        Lines: [
          { Number: 2, Content: `GITHUB_PAT=${UNMASKED_NEIGHBOUR}`, IsCause: false },
          { Number: 3, Content: 'AWS_ACCESS_KEY_ID=********************', IsCause: true },
        ],
      },
      Match: 'AWS_ACCESS_KEY_ID=********************',
      Layer: { DiffID: 'sha256:bbb' },
    },
  ],
}

const ctx = { origin: 'trivy:test.json' }

describe('parseTrivyReport: vulnerabilities', () => {
  const findings = parseTrivyReport(trivyReport([osResult, langResult]), ctx)

  it('reads every vulnerability of every result', () => {
    expect(findings.map((f) => f.ruleId)).toEqual(['CVE-2024-0001', 'CVE-2023-9999', 'GHSA-abcd-efgh-ijkl'])
    expect(findings.every((f) => f.kind === 'vulnerability' && f.detectedBy[0] === 'trivy')).toBe(true)
  })

  it('maps package, fix, layer, severities, score and references', () => {
    const f = findings[0]!
    expect(f.package).toEqual({
      name: 'libssl3',
      version: '3.0.11-1~deb12u2',
      type: 'debian',
      purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.5',
    })
    expect(f.fix).toEqual({ state: 'fixed', versions: ['3.0.13-1~deb12u1', '3.1.5-1'] })
    expect(f.layer).toEqual({ diffId: 'sha256:aaa' })
    expect(f.severity).toBe('high')
    expect(f.severityBySource).toEqual({ trivy: { severity: 'high' } })
    expect(f.vendorSeverity).toEqual({ debian: 'high', nvd: 'critical', redhat: 'medium' })
    expect(f.score).toBe(9.8)
    expect(f.aliases).toEqual(['DSA-5600-1'])
    expect(f.title).toBe('openssl: a flaw')
    expect(f.references).toEqual([
      'https://avd.aquasec.com/nvd/cve-2024-0001',
      'https://www.openssl.org/news/secadv/x.txt',
    ])
    expect(f.target).toBe('registry.example/app:1.2.3')
  })

  it('keeps language package paths, GHSA→CVE vendor ids, and the layer that created them', () => {
    const f = findings[2]!
    expect(f.package).toMatchObject({
      name: 'lodash',
      type: 'npm',
      path: 'app/node_modules/lodash/package.json',
    })
    expect(f.aliases).toEqual(['CVE-2024-1234'])
    expect(f.layer).toEqual({ diffId: 'sha256:bbb', createdBy: 'COPY app /app # buildkit' })
    // No NVD score: the severity source's (ghsa, v4.0) beats the higher score of another source.
    expect(f.score).toBe(9.3)
  })

  it('fills absent optional fields with neutral values', () => {
    const f = findings[1]!
    expect(f.fix).toEqual({ state: 'wont-fix', versions: [] })
    expect(f.title).toBe('CVE-2023-9999')
    expect(f.description).toBe('')
    expect(f.score).toBeUndefined()
    expect(f.vendorSeverity).toBeUndefined()
    expect(f.references).toEqual([])
  })

  it('takes the image name from the context over the report', () => {
    const [first] = parseTrivyReport(trivyReport([osResult]), { ...ctx, target: 'app:ci' })
    expect(first?.target).toBe('app:ci')
  })

  it('falls back to the highest v3/v4 score when neither NVD nor the severity source has one', () => {
    const vuln = {
      VulnerabilityID: 'CVE-1',
      PkgName: 'p',
      CVSS: { a: { V3Score: 4.1 }, b: { V40Score: 6.2 } },
    }
    const [f] = parseTrivyReport(trivyReport([{ Target: 't', Vulnerabilities: [vuln] }]), ctx)
    expect(f?.score).toBe(6.2)
  })
})

describe('parseTrivyReport: misconfigurations and secrets', () => {
  it('keeps failed checks only, with help, evidence and the Dockerfile line of a repository scan', () => {
    const findings = parseTrivyReport(trivyReport([configResult], { ArtifactType: 'repository' }), ctx)
    expect(findings).toHaveLength(1)
    const f = findings[0]!
    expect(f).toMatchObject({
      kind: 'misconfiguration',
      ruleId: 'DS002',
      aliases: ['AVD-DS-0002'],
      severity: 'high',
      subject: 'Dockerfile',
      location: { path: 'Dockerfile', startLine: 7, endLine: 7 },
      evidence: 'Last USER command in Dockerfile should not be root',
    })
    expect(f.help?.text).toContain('USER')
  })

  it('gives no location for the Dockerfile Trivy rebuilt from an image', () => {
    const [f] = parseTrivyReport(trivyReport([configResult]), ctx)
    expect(f?.location).toBeUndefined()
  })

  it('reads secrets without copying the code lines around them', () => {
    const findings = parseTrivyReport(trivyReport([secretResult]), ctx)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      kind: 'secret',
      ruleId: 'aws-access-key-id',
      severity: 'critical',
      subject: '/app/.env:3',
      evidence: 'AWS_ACCESS_KEY_ID=********************',
      layer: { diffId: 'sha256:bbb' },
    })
    expect(JSON.stringify(findings)).not.toContain(UNMASKED_NEIGHBOUR)
  })
})

describe('parseTrivyReport: clean images', () => {
  it.each([
    ['Results absent', trivyReport(undefined)],
    ['Results null', trivyReport(null)],
    ['Results empty', trivyReport([])],
    [
      'a result without problems',
      trivyReport([{ Target: 'x (alpine 3.20)', Class: 'os-pkgs', Type: 'alpine' }]),
    ],
  ])('%s → no findings', (_name, text) => {
    expect(parseTrivyReport(text, ctx)).toEqual([])
  })

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseTrivyReport(`\ufeff${trivyReport([osResult])}`, ctx)).toHaveLength(2)
  })
})

describe('parseTrivyReport: input it cannot read', () => {
  const valid = trivyReport([osResult])
  const withVuln = (vuln: Record<string, unknown>): string =>
    trivyReport([{ Target: 't', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'p', ...vuln }] }])
  it.each([
    ['not JSON', 'Trivy failed: FATAL', /not valid JSON/],
    ['truncated JSON', valid.slice(0, valid.length / 2), /not valid JSON/],
    ['empty text', '   ', /empty/],
    ['a legacy top-level array', '[{"Target":"x","Vulnerabilities":[]}]', /before 0\.20/],
    ['a number', '42', /top level should be an object/],
    [
      'a Grype report',
      JSON.stringify({ matches: [], source: {}, descriptor: { name: 'grype' } }),
      /Grype report/,
    ],
    ['a SARIF log', JSON.stringify({ version: '2.1.0', runs: [] }), /SARIF/],
    ['no SchemaVersion', JSON.stringify({ Results: [] }), /SchemaVersion is missing/],
    ['SchemaVersion 1', JSON.stringify({ SchemaVersion: 1, Results: [] }), /unsupported SchemaVersion 1/],
    ['Results not an array', trivyReport(undefined, { Results: { a: 1 } }), /Results should be an array/],
    ['a result that is not an object', trivyReport(['x']), /Results\[0\] should be an object/],
    ['a result without Target', trivyReport([{ Class: 'os-pkgs' }]), /Results\[0\]\.Target is missing/],
    [
      'a vulnerability without its id',
      withVuln({ VulnerabilityID: undefined }),
      /VulnerabilityID is missing/,
    ],
    ['a package name that is a number', withVuln({ PkgName: 7 }), /PkgName should be a string, got number/],
    [
      'a vendor severity that is a word',
      withVuln({ VendorSeverity: { nvd: 'HIGH' } }),
      /VendorSeverity\.nvd/,
    ],
    ['References that is a string', withVuln({ References: 'https://x' }), /References should be an array/],
    [
      'a secret without RuleID',
      trivyReport([{ Target: 't', Secrets: [{ Title: 'x' }] }]),
      /RuleID is missing/,
    ],
  ])('%s → ScannerError naming trivy', (_name, text, message) => {
    let caught: unknown
    try {
      parseTrivyReport(text, ctx)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('trivy')
    expect((caught as ScannerError).message).toMatch(message)
    expect((caught as ScannerError).message).toContain('trivy:test.json')
  })
})

describe('fix state and fixed versions', () => {
  it.each([
    ['fixed', [], 'fixed'],
    ['affected', [], 'not-fixed'],
    ['fix_deferred', [], 'not-fixed'],
    ['will_not_fix', [], 'wont-fix'],
    ['end_of_life', [], 'wont-fix'],
    ['not_affected', [], 'unknown'],
    ['unknown', [], 'unknown'],
    [undefined, ['1.2.3'], 'fixed'],
    [undefined, [], 'unknown'],
  ] as const)('Status %s with fixes %j → %s', (status, versions, expected) => {
    expect(fixState(status, versions)).toBe(expected)
  })

  it.each([
    ['1.2.4', ['1.2.4']],
    ['1.2.4, 2.0.1', ['1.2.4', '2.0.1']],
    ['1.2.4,2.0.1,1.2.4', ['1.2.4', '2.0.1']],
    ['', []],
    [undefined, []],
  ])('FixedVersion %j → %j', (value, expected) => {
    expect(splitVersions(value)).toEqual(expected)
  })
})
