import { describe, it, expect } from '@jest/globals'
import {
  DEFENDER_GRAPH_QUERY,
  DEFENDER_REGISTRY_ASSESSMENT_KEY,
  parseDefenderReport,
} from '../../src/scanners/defender.js'
import { ScannerError } from '../../src/util/errors.js'

const DIGEST = 'sha256:4af8e6f002401a965bbe753a381af308b40d8947fad2b9e1f6a369aa81abee59'

/** One Resource Graph row: a sub-assessment of the MDVM registry assessment, as the docs show it. */
function row(overrides: {
  cve?: string
  status?: Record<string, string>
  software?: Record<string, unknown>
  digest?: string
  severity?: string
  cvss?: Record<string, unknown>
}): Record<string, unknown> {
  const cve = overrides.cve ?? 'CVE-2022-42969'
  return {
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/providers/Microsoft.Security/assessments/${DEFENDER_REGISTRY_ASSESSMENT_KEY}/subassessments/x`,
    name: 'x',
    properties: {
      id: cve,
      displayName: cve,
      description: 'This vulnerability affects the following vendors: Py.',
      additionalData: {
        assessedResourceType: 'AzureContainerRegistryVulnerability',
        vulnerabilityDetails: {
          severity: overrides.severity ?? 'High',
          cveId: cve,
          cvss: overrides.cvss ?? {
            '2.0': null,
            '3.0': { cvssVectorString: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', base: 7.5 },
          },
          references: [
            { title: cve, link: `https://nvd.nist.gov/vuln/detail/${cve}` },
            { title: 'advisory', link: 'https://github.com/advisories/GHSA-w596-4wvx-j9j6' },
          ],
          lastModifiedDate: '2023-09-12T00:00:00Z',
        },
        artifactDetails: {
          repositoryName: 'team/app',
          registryHost: 'acme.azurecr.io',
          artifactType: 'ContainerImage',
          digest: overrides.digest ?? DIGEST,
          tags: ['1.2.3'],
        },
        softwareDetails: overrides.software ?? {
          category: 'Language',
          language: 'python',
          fixedVersion: '1.11.1',
          version: '1.11.0.0',
          packageName: 'py',
          osDetails: { osPlatform: 'linux', osVersion: 'ubuntu_linux_20.04' },
          fixStatus: 'FixAvailable',
        },
        cvssV30Score: 7.5,
      },
      status: overrides.status ?? { severity: 'High', code: 'Unhealthy' },
    },
  }
}

describe('DEFENDER_GRAPH_QUERY', () => {
  it('selects the MDVM registry sub-assessments', () => {
    expect(DEFENDER_GRAPH_QUERY).toMatch(/securityresources/)
    expect(DEFENDER_GRAPH_QUERY).toContain(
      "'microsoft.security/assessments/subassessments'".replace(/'/g, '"'),
    )
    expect(DEFENDER_GRAPH_QUERY).toContain(DEFENDER_REGISTRY_ASSESSMENT_KEY)
    expect(DEFENDER_GRAPH_QUERY).toContain('AzureContainerRegistryVulnerability')
    expect(DEFENDER_GRAPH_QUERY).not.toContain('\n') // one line for `az graph query -q`
  })
})

describe('parseDefenderReport', () => {
  it('reads `az graph query` output into vulnerability findings', () => {
    const text = JSON.stringify({ count: 1, data: [row({})], skip_token: null, total_records: 1 })
    const [finding, ...rest] = parseDefenderReport(text, {
      target: 'acme.azurecr.io/team/app:1.2.3',
      origin: 'defender.json',
    })
    expect(rest).toEqual([])
    expect(finding).toEqual({
      kind: 'vulnerability',
      ruleId: 'CVE-2022-42969',
      aliases: [],
      title: 'CVE-2022-42969',
      description: 'This vulnerability affects the following vendors: Py.',
      severity: 'high',
      severityBySource: { defender: { severity: 'high', original: 'High' } },
      score: 7.5,
      detectedBy: ['defender'],
      target: 'acme.azurecr.io/team/app:1.2.3',
      package: { name: 'py', version: '1.11.0.0', type: 'python' },
      fix: { state: 'fixed', versions: ['1.11.1'] },
      references: [
        'https://nvd.nist.gov/vuln/detail/CVE-2022-42969',
        'https://github.com/advisories/GHSA-w596-4wvx-j9j6',
      ],
    })
  })

  it('accepts a bare array, names the image from the artifact, and reads OS packages', () => {
    const os = row({
      cve: 'CVE-2024-0001',
      severity: 'Critical',
      cvss: {},
      software: {
        category: 'OS',
        language: '',
        version: '1.1.1f',
        packageName: 'openssl',
        osDetails: { osName: 'Ubuntu' },
        fixStatus: 'NoFixAvailable',
      },
    })
    const findings = parseDefenderReport(JSON.stringify([os]), { origin: 'defender.json' })
    expect(findings).toMatchObject([
      {
        ruleId: 'CVE-2024-0001',
        severity: 'critical',
        score: 7.5, // cvssV30Score when the cvss map has none
        target: `acme.azurecr.io/team/app@${DIGEST}`,
        package: { name: 'openssl', type: 'ubuntu' },
        fix: { state: 'not-fixed', versions: [] },
      },
    ])
  })

  it.each<[string, string | undefined]>([
    ['WontFix', 'wont-fix'],
    ['Scheduled', 'unknown'],
    ['Unknown', 'unknown'],
    ['SomethingNew', 'unknown'],
    // Found with __tests__/fuzz (the hadolint counterexample, same lookup): Object.prototype members.
    ['constructor', 'unknown'],
    ['__proto__', 'unknown'],
  ])('maps fixStatus %s to %s', (fixStatus, state) => {
    const text = JSON.stringify([row({ software: { packageName: 'p', version: '1', fixStatus } })])
    expect(parseDefenderReport(text, { origin: 'x' })[0]?.fix?.state).toBe(state)
  })

  it('skips healthy rows and keeps exempted ones as suppressed', () => {
    const text = JSON.stringify([
      row({ cve: 'CVE-1', status: { code: 'Healthy', severity: 'High' } }),
      row({ cve: 'CVE-2', status: { code: 'NotApplicable', cause: 'Exempt', severity: 'High' } }),
    ])
    const findings = parseDefenderReport(text, { origin: 'x' })
    expect(findings.map((f) => f.ruleId)).toEqual(['CVE-2'])
    expect(findings[0]?.suppression).toEqual({ kind: 'ignore', reason: 'Defender for Cloud: Exempt' })
  })

  it('refuses to attribute a report that covers several images to one target', () => {
    const text = JSON.stringify([row({}), row({ digest: 'sha256:0000' })])
    expect(() => parseDefenderReport(text, { target: 'app:ci', origin: 'x' })).toThrow(/covers 2 images/)
    // Without a target each finding keeps its own image.
    const findings = parseDefenderReport(text, { origin: 'x' })
    expect(new Set(findings.map((f) => f.target)).size).toBe(2)
  })

  it.each([
    ['not JSON', 'Resource Graph query failed', /not valid JSON/],
    ['an object without data', '{"count": 0}', /neither an `az graph query` result/],
    ['a row without properties', '{"data": [{"id": "x"}]}', /data\[0\] has no "properties"/],
    [
      'a row naming no vulnerability',
      '{"data": [{"properties": {"additionalData": {}}}]}',
      /names no vulnerability/,
    ],
  ])('rejects %s with a ScannerError naming defender', (_name, text, message) => {
    let caught: unknown
    try {
      parseDefenderReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('defender')
    expect((caught as ScannerError).message).toMatch(/defender report bad\.json/)
    expect((caught as ScannerError).message).toMatch(message)
  })

  it('reads an empty result as no findings', () => {
    expect(
      parseDefenderReport('{"count": 0, "data": [], "skip_token": null, "total_records": 0}', {
        origin: 'x',
      }),
    ).toEqual([])
  })
})
