/**
 * One small valid report per format, in each tool's real layout, for the fuzz tests to mutate: the
 * vulnerability scanners' here, the others in report-seeds-checks.ts. Each one parses into findings before
 * it is mutated (a test checks that), so mutations start from the happy path.
 */
import type { ReportFormat } from '../../src/scanners/scanner.js'
import { dockerBench, dockle, hadolint, inspec, sarif } from './report-seeds-checks.js'

const DIFF_ID = `sha256:${'a'.repeat(64)}`
const DIGEST = `sha256:${'b'.repeat(64)}`

const trivy = {
  SchemaVersion: 2,
  ArtifactName: 'app:ci',
  ArtifactType: 'container_image',
  Metadata: { OS: { Family: 'alpine', Name: '3.19.1' }, DiffIDs: [DIFF_ID] },
  Results: [
    {
      Target: 'app:ci (alpine 3.19.1)',
      Class: 'os-pkgs',
      Type: 'alpine',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2024-0727',
          VendorIDs: ['ALPINE-2024-1'],
          PkgName: 'openssl',
          PkgIdentifier: { PURL: 'pkg:apk/alpine/openssl@3.1.4-r0?arch=x86_64' },
          InstalledVersion: '3.1.4-r0',
          FixedVersion: '3.1.4-r5, 3.2.1-r0',
          Status: 'fixed',
          Layer: { Digest: DIGEST, DiffID: DIFF_ID, CreatedBy: 'ADD rootfs.tar /' },
          SeveritySource: 'nvd',
          PrimaryURL: 'https://avd.aquasec.com/nvd/cve-2024-0727',
          Title: 'openssl: denial of service via null dereference',
          Description: 'Processing a maliciously formatted PKCS12 file may lead OpenSSL to crash.',
          Severity: 'MEDIUM',
          VendorSeverity: { nvd: 2, redhat: 1 },
          CVSS: { nvd: { V3Vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', V3Score: 5.5 } },
          References: ['https://www.openssl.org/news/secadv/20240125.txt'],
        },
      ],
    },
    {
      Target: 'app/package-lock.json',
      Class: 'lang-pkgs',
      Type: 'npm',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2022-25883',
          PkgName: 'semver',
          PkgPath: 'app/node_modules/semver/package.json',
          InstalledVersion: '7.5.1',
          FixedVersion: '7.5.2',
          Severity: 'HIGH',
        },
      ],
    },
    {
      Target: 'Dockerfile',
      Class: 'config',
      Type: 'dockerfile',
      Misconfigurations: [
        {
          ID: 'DS002',
          AVDID: 'AVD-DS-0002',
          Title: 'Image user should not be root',
          Message: 'Last USER command in Dockerfile should not be root',
          Resolution: 'Add a USER instruction',
          Severity: 'HIGH',
          Status: 'FAIL',
          CauseMetadata: { StartLine: 3, EndLine: 3 },
        },
        { ID: 'DS001', Status: 'PASS', Severity: 'LOW' },
      ],
    },
    {
      Target: '/app/.env',
      Class: 'secret',
      Secrets: [
        {
          RuleID: 'aws-access-key-id',
          Category: 'AWS',
          Severity: 'CRITICAL',
          Title: 'AWS Access Key ID',
          StartLine: 2,
          Match: 'AWS_ACCESS_KEY_ID=********************',
          Layer: { DiffID: DIFF_ID },
        },
      ],
    },
  ],
}

const grype = {
  matches: [
    {
      vulnerability: {
        id: 'GHSA-c2qf-rxjj-qqgw',
        dataSource: 'https://github.com/advisories/GHSA-c2qf-rxjj-qqgw',
        namespace: 'github:language:javascript',
        severity: 'Medium',
        urls: ['https://github.com/advisories/GHSA-c2qf-rxjj-qqgw'],
        description: 'semver vulnerable to Regular Expression Denial of Service. More text.',
        cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N', metrics: { baseScore: 5.3 } }],
        fix: { versions: ['7.5.2'], state: 'fixed' },
      },
      relatedVulnerabilities: [
        {
          id: 'CVE-2022-25883',
          namespace: 'nvd:cpe',
          severity: 'High',
          urls: ['https://nvd.nist.gov/vuln/detail/CVE-2022-25883'],
          cvss: [{ source: 'nvd@nist.gov', version: '3.1', metrics: { baseScore: 7.5 } }],
        },
      ],
      artifact: {
        name: 'semver',
        version: '7.5.1',
        type: 'npm',
        purl: 'pkg:npm/semver@7.5.1',
        locations: [{ path: '/app/node_modules/semver/package.json', layerID: DIFF_ID }],
      },
    },
    {
      vulnerability: {
        id: 'CVE-2024-0727',
        namespace: 'alpine:distro:alpine:3.19',
        severity: 'Negligible',
        fix: { versions: [], state: 'not-fixed' },
      },
      artifact: { name: 'openssl', version: 0, type: 'apk', locations: [{ path: '/lib/apk/db/installed' }] },
    },
  ],
  source: { type: 'image', target: { userInput: 'app:ci', imageID: DIGEST } },
  distro: { name: 'alpine', version: '3.19.1' },
  descriptor: { name: 'grype', version: '0.74.0' },
}

const osvScanner = {
  results: [
    {
      source: { path: 'lib/apk/db/installed', type: 'os' },
      packages: [
        {
          package: {
            name: 'zlib',
            version: '1.2.13-r0',
            ecosystem: 'Alpine:v3.18',
            image_origin_details: { index: 0 },
          },
          vulnerabilities: [
            {
              id: 'ALPINE-CVE-2023-45853',
              upstream: ['CVE-2023-45853'],
              summary: 'zlib MiniZip integer overflow',
              details: 'Integer overflow in zipOpenNewFileInZip4_64.',
              affected: [
                {
                  package: { ecosystem: 'Alpine:v3.18', name: 'zlib' },
                  ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.13-r1' }] }],
                },
              ],
              references: [{ type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2023-45853' }],
            },
          ],
          groups: [
            { ids: ['ALPINE-CVE-2023-45853'], aliases: ['ALPINE-CVE-2023-45853'], max_severity: '9.8' },
          ],
        },
      ],
    },
    {
      source: { path: 'app/node_modules/semver/package.json', type: 'artifact' },
      packages: [
        {
          package: { name: 'semver', version: '7.5.1', ecosystem: 'npm' },
          vulnerabilities: [
            {
              id: 'GHSA-c2qf-rxjj-qqgw',
              aliases: ['CVE-2022-25883'],
              summary: 'semver ReDoS',
              severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
              database_specific: { severity: 'MODERATE' },
              affected: [
                {
                  package: { ecosystem: 'npm', name: 'semver', purl: 'pkg:npm/semver' },
                  ranges: [{ type: 'SEMVER', events: [{ introduced: '7.0.0' }, { fixed: '7.5.2' }] }],
                },
              ],
            },
          ],
          groups: [{ ids: ['GHSA-c2qf-rxjj-qqgw'], aliases: ['CVE-2022-25883', 'GHSA-c2qf-rxjj-qqgw'] }],
        },
      ],
    },
  ],
  image_metadata: {
    os: 'Alpine Linux v3.18',
    layer_metadata: [
      { diff_id: DIFF_ID, command: 'ADD file:abc in /', is_empty: false, base_image_index: 1 },
      { diff_id: '', command: 'CMD ["/bin/sh"]', is_empty: true, base_image_index: 1 },
    ],
    base_images: [[], [{ name: 'alpine' }]],
  },
}

const snyk = {
  ok: false,
  packageManager: 'apk',
  projectName: 'docker-image|app',
  vulnerabilities: [
    {
      id: 'SNYK-ALPINE312-BUSYBOX-1089799',
      title: 'Improper Handling of Exceptional Conditions',
      packageName: 'busybox',
      packageManager: 'alpine:3.12',
      identifiers: { ALTERNATIVE: [], CVE: ['CVE-2021-28831'], CWE: ['CWE-755'] },
      severity: 'high',
      cvssScore: 7.5,
      references: [{ title: 'GENTOO', url: 'https://security.gentoo.org/glsa/202105-09' }],
      from: ['docker-image|app@latest', 'busybox/busybox@1.31.1-r21'],
      name: 'busybox/busybox',
      version: '1.31.1-r21',
      nearestFixedInVersion: '1.32.1-r4',
    },
  ],
  docker: {
    baseImage: 'alpine:3.12.9',
    binariesVulns: {
      issuesData: {
        'SNYK-UPSTREAM-NODE-1': {
          id: 'SNYK-UPSTREAM-NODE-1',
          title: 'Buffer overflow',
          severity: 'medium',
          identifiers: { CVE: [] },
          fixedIn: [],
        },
      },
      affectedPkgs: {
        'node/14.0.0': {
          pkg: { name: 'node', version: '14.0.0' },
          issues: {
            'SNYK-UPSTREAM-NODE-1': {
              issueId: 'SNYK-UPSTREAM-NODE-1',
              fixInfo: { nearestFixedInVersion: '14.1.0' },
            },
          },
        },
      },
    },
  },
  applications: [
    {
      ok: false,
      packageManager: 'npm',
      targetFile: '/app/package.json',
      vulnerabilities: [
        {
          id: 'SNYK-JS-EXPRESSJWT-575022',
          title: 'Authorization Bypass',
          description: '## Overview\nexpress-jwt is missing an algorithm check.',
          identifiers: { CVE: ['CVE-2020-15084'], CWE: ['CWE-285'], GHSA: ['GHSA-6g6m-m6h5-w9gf'] },
          severity: 'high',
          cvssScore: 7.4,
          fixedIn: ['6.0.0'],
          from: ['app@1.0.0', 'express-jwt@0.1.3'],
          name: 'express-jwt',
          version: '0.1.3',
        },
      ],
    },
  ],
}

const defender = {
  count: 1,
  data: [
    {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/providers/Microsoft.Security/assessments/dbd0cb49-b563-45e7-9724-889e799fa648/subassessments/x',
      name: 'x',
      properties: {
        id: 'CVE-2022-42969',
        displayName: 'CVE-2022-42969',
        description: 'This vulnerability affects the following vendors: Py.',
        additionalData: {
          assessedResourceType: 'AzureContainerRegistryVulnerability',
          vulnerabilityDetails: {
            severity: 'High',
            cveId: 'CVE-2022-42969',
            cvss: {
              '2.0': null,
              '3.0': { cvssVectorString: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', base: 7.5 },
            },
            references: [
              { title: 'CVE-2022-42969', link: 'https://nvd.nist.gov/vuln/detail/CVE-2022-42969' },
            ],
          },
          artifactDetails: {
            repositoryName: 'team/app',
            registryHost: 'acme.azurecr.io',
            artifactType: 'ContainerImage',
            digest: DIGEST,
            tags: ['1.2.3'],
          },
          softwareDetails: {
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
        status: { severity: 'High', code: 'Unhealthy' },
      },
    },
  ],
  skip_token: null,
  total_records: 1,
}

/** A matrix leg's findings-file (report/findings-json.ts, version 1): one image, a located base finding. */
const findingsFile = {
  version: 1,
  tool: { name: 'container-security-gate', version: '0.0.0-test' },
  startedAt: '2026-12-01T00:00:00.000Z',
  verdict: { result: 'fail', reasons: [], counts: {}, suppressed: 1, failing: 1, scannerErrors: 0 },
  images: [
    {
      target: 'ghcr.io/acme/api:1.0',
      repository: 'ghcr.io/acme/api',
      counts: {},
      suppressed: 1,
      scanners: [
        { scanner: 'trivy', name: 'Trivy', target: 'ghcr.io/acme/api:1.0', status: 'ok', findings: 2 },
      ],
    },
  ],
  findings: [
    {
      kind: 'vulnerability',
      ruleId: 'CVE-2024-0001',
      aliases: ['GHSA-aaaa-bbbb-cccc'],
      title: 'openssl: overflow',
      description: 'A heap overflow.',
      severity: 'high',
      detectedBy: ['trivy'],
      target: 'ghcr.io/acme/api:1.0',
      package: { name: 'openssl', version: '3.0.1', type: 'apk' },
      fix: { state: 'fixed', versions: ['3.0.2'] },
      layer: { diffId: 'sha256:' + 'a'.repeat(64) },
      location: { path: 'Dockerfile', startLine: 1, endLine: 1 },
      base: true,
      references: [],
      fingerprint: 'x:1',
    },
    {
      kind: 'secret',
      ruleId: 'csg/secret-file',
      aliases: [],
      title: 'Private key',
      description: '',
      severity: 'critical',
      detectedBy: ['builtin'],
      target: 'ghcr.io/acme/api:1.0',
      subject: '/root/.ssh/id_rsa',
      references: [],
      suppression: { kind: 'ignore', reason: 'test key', expires: '2027-01-01' },
      fingerprint: 'y:1',
    },
  ],
}

/** Valid reports per format; docker-bench is printed line by line, as the shell script prints it. */
export const REPORT_SEEDS: Record<ReportFormat, unknown[]> = {
  trivy: [trivy],
  grype: [grype],
  'osv-scanner': [osvScanner],
  dockle: [dockle],
  hadolint: [hadolint],
  snyk: [snyk, [snyk, snyk]],
  'docker-bench': [dockerBench],
  'cinc-auditor': [inspec],
  defender: [defender, defender.data],
  sarif: [sarif],
  findings: [findingsFile],
}

/** How each format's text is laid out: docker-bench and the scanners that pretty-print are indented. */
export function reportText(format: ReportFormat, value: unknown): string {
  return format === 'docker-bench' || format === 'trivy' || format === 'grype'
    ? JSON.stringify(value, null, 2)
    : JSON.stringify(value)
}
