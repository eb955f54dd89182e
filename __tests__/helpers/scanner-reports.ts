/**
 * Reports in Trivy's and Grype's real JSON formats, written by the tests for a given image: the same
 * vulnerability on both sides (a CVE in Trivy, its GHSA with the CVE as related in Grype) so merging has
 * something to merge, on the layers the image really has so attribution has something to attribute.
 */

export interface ReportVulnerability {
  cve: string
  ghsa: string
  pkg: string
  version: string
  fixed: string
  /** DiffID of the layer that installed it. */
  diffId: string
  trivySeverity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW'
  grypeSeverity: 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible'
}

export function trivyReport(artifact: string, vulns: readonly ReportVulnerability[]): string {
  return JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: '2026-11-28T10:00:00Z',
    ArtifactName: artifact,
    ArtifactType: 'container_image',
    Metadata: { OS: { Family: 'alpine', Name: '3.19.1' }, DiffIDs: [...new Set(vulns.map((v) => v.diffId))] },
    Results: [
      {
        Target: `${artifact} (alpine 3.19.1)`,
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: vulns.map((v) => ({
          VulnerabilityID: v.cve,
          PkgID: `${v.pkg}@${v.version}`,
          PkgName: v.pkg,
          PkgIdentifier: { PURL: `pkg:apk/alpine/${v.pkg}@${v.version}?arch=x86_64&distro=3.19.1` },
          InstalledVersion: v.version,
          FixedVersion: v.fixed,
          Status: 'fixed',
          Layer: { DiffID: v.diffId },
          SeveritySource: 'nvd',
          PrimaryURL: `https://avd.aquasec.com/nvd/${v.cve.toLowerCase()}`,
          DataSource: { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' },
          Title: `${v.pkg}: a problem`,
          Description: `A vulnerability in ${v.pkg}.`,
          Severity: v.trivySeverity,
          VendorSeverity: { nvd: 4, alpine: 3 },
          CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } },
          References: [`https://nvd.nist.gov/vuln/detail/${v.cve}`],
        })),
      },
    ],
  })
}

export function grypeReport(userInput: string, vulns: readonly ReportVulnerability[]): string {
  return JSON.stringify({
    matches: vulns.map((v) => ({
      vulnerability: {
        id: v.ghsa,
        dataSource: `https://github.com/advisories/${v.ghsa}`,
        namespace: 'github:language:alpine',
        severity: v.grypeSeverity,
        urls: [`https://github.com/advisories/${v.ghsa}`],
        description: `A vulnerability in ${v.pkg}.`,
        cvss: [],
        fix: { versions: [v.fixed], state: 'fixed' },
        advisories: [],
      },
      relatedVulnerabilities: [
        {
          id: v.cve,
          dataSource: `https://nvd.nist.gov/vuln/detail/${v.cve}`,
          namespace: 'nvd:cpe',
          severity: 'Critical',
          urls: [],
          cvss: [
            {
              version: '3.1',
              vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
              metrics: { baseScore: 9.8 },
            },
          ],
        },
      ],
      matchDetails: [{ type: 'exact-indirect-match', matcher: 'apk-matcher', searchedBy: {}, found: {} }],
      artifact: {
        id: `${v.pkg}-id`,
        name: v.pkg,
        version: v.version,
        type: 'apk',
        locations: [{ path: '/lib/apk/db/installed', layerID: v.diffId }],
        language: '',
        licenses: [],
        cpes: [],
        purl: `pkg:apk/alpine/${v.pkg}@${v.version}?arch=x86_64`,
      },
    })),
    source: { type: 'image', target: { userInput, imageID: 'sha256:' + '0'.repeat(64), layers: [] } },
    distro: { name: 'alpine', version: '3.19.1' },
    descriptor: { name: 'grype', version: '0.111.0' },
  })
}
