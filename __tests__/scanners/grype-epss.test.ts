/**
 * Grype's EPSS data: `vulnerability.epss[]` and `relatedVulnerabilities[].epss[]`, each
 * `{cve, epss, percentile, date}` (anchore/grype v0.111.0, grype/presenter/models/vulnerability_metadata.go),
 * and its survival through merging.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { mergeFindings } from '../../src/findings/merge.js'
import { parseGrypeReport } from '../../src/scanners/grype-report.js'
import { ScannerError } from '../../src/util/errors.js'

function report(vulnerabilityEpss: unknown, relatedEpss?: unknown): string {
  return JSON.stringify({
    matches: [
      {
        vulnerability: {
          id: 'GHSA-jfh8-c2jp-5v3q',
          dataSource: 'https://github.com/advisories/GHSA-jfh8-c2jp-5v3q',
          namespace: 'github:language:java',
          severity: 'Critical',
          urls: [],
          cvss: [],
          ...(vulnerabilityEpss !== undefined ? { epss: vulnerabilityEpss } : {}),
          fix: { versions: ['2.15.0'], state: 'fixed' },
          advisories: [],
          risk: 94.1,
        },
        relatedVulnerabilities: [
          {
            id: 'CVE-2021-44228',
            dataSource: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
            namespace: 'nvd:cpe',
            severity: 'Critical',
            urls: [],
            cvss: [],
            ...(relatedEpss !== undefined ? { epss: relatedEpss } : {}),
          },
        ],
        matchDetails: [],
        artifact: {
          id: 'a1',
          name: 'log4j-core',
          version: '2.14.1',
          type: 'java-archive',
          locations: [{ path: '/app/log4j-core-2.14.1.jar', layerID: 'sha256:l1' }],
          language: 'java',
          licenses: [],
          cpes: [],
          purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
        },
      },
    ],
    source: { type: 'image', target: { userInput: 'app:1', imageID: 'sha256:0123', layers: [] } },
    descriptor: { name: 'grype', version: '0.111.0' },
  })
}

const parse = (text: string): Finding[] => parseGrypeReport(text, { origin: 'grype.json' })

describe('EPSS in Grype reports', () => {
  it('takes the score, percentile and date Grype reports on the related CVE', () => {
    const [finding] = parse(
      report(undefined, [{ cve: 'CVE-2021-44228', epss: 0.94358, percentile: 0.99961, date: '2026-11-30' }]),
    )
    expect(finding?.epss).toEqual({
      cve: 'CVE-2021-44228',
      score: 0.94358,
      percentile: 0.99961,
      date: '2026-11-30',
      source: 'grype',
    })
  })

  it('takes the highest of the records', () => {
    const [finding] = parse(
      report(
        [{ cve: 'CVE-2021-44228', epss: 0.2, percentile: 0.5, date: '2026-11-30' }],
        [{ cve: 'CVE-2021-44228', epss: 0.9, percentile: 0.99, date: '2026-11-30' }],
      ),
    )
    expect(finding?.epss?.score).toBe(0.9)
  })

  it('has no score when Grype gives none', () => {
    expect(parse(report(undefined))[0]?.epss).toBeUndefined()
    expect(parse(report([]))[0]?.epss).toBeUndefined()
  })

  it('refuses an epss field of the wrong shape instead of dropping it', () => {
    expect(() => parse(report('0.9'))).toThrow(ScannerError)
    expect(() => parse(report([{ cve: 'CVE-2021-44228', epss: '0.9' }]))).toThrow(/epss\[0\]\.epss/)
  })

  it('keeps the highest score when merging with a finding of another scanner', () => {
    const [grype] = parse(
      report(undefined, [{ cve: 'CVE-2021-44228', epss: 0.9, percentile: 0.99, date: '2026-11-30' }]),
    )
    const trivy: Finding = {
      ...grype!,
      ruleId: 'CVE-2021-44228',
      aliases: [],
      detectedBy: ['trivy'],
      severityBySource: { trivy: { severity: 'critical' } },
    }
    delete trivy.epss
    const merged = mergeFindings([trivy, grype!], { severitySource: 'highest' })
    expect(merged).toHaveLength(1)
    expect(merged[0]?.epss).toEqual({
      cve: 'CVE-2021-44228',
      score: 0.9,
      percentile: 0.99,
      date: '2026-11-30',
      source: 'grype',
    })
  })
})
