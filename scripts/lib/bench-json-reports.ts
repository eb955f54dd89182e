/**
 * The benchmark's Trivy (`--format json`, SchemaVersion 2) and Grype (`-o json`) reports of one image,
 * with the fields the real tools write (descriptions, references, CVSS, vendor severities, layers, purls,
 * match details), pretty-printed as the tools print them.
 */
import { createHash } from 'node:crypto'
import {
  BENCH_IMAGE,
  BENCH_IMAGE_ID,
  BENCH_LAYERS,
  BENCH_OS,
  digestOf,
  grypeSeverity,
  type BenchVulnerability,
} from './bench-catalogue.js'
import { arrayPlaceholder, writePrettyJson } from './bench-json-writer.js'

const TRIVY_VENDOR_SEVERITY = { UNKNOWN: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 } as const

function* filter<T>(items: Iterable<T>, keep: (item: T) => boolean): Generator<T> {
  for (const item of items) if (keep(item)) yield item
}

function* map<T, U>(items: Iterable<T>, f: (item: T) => U): Generator<U> {
  for (const item of items) yield f(item)
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16)
}

function trivyVulnerability(v: BenchVulnerability): Record<string, unknown> {
  const pkg = v.pkg
  const layer = BENCH_LAYERS[pkg.layer]!
  const npm = pkg.ecosystem === 'npm'
  return {
    VulnerabilityID: v.cve,
    PkgID: `${pkg.name}@${pkg.version}`,
    PkgName: pkg.name,
    ...(npm && pkg.path !== undefined ? { PkgPath: pkg.path.slice(1) } : {}),
    PkgIdentifier: { PURL: pkg.purl, UID: shortHash(pkg.purl) },
    InstalledVersion: pkg.version,
    ...(pkg.fixedVersion !== undefined ? { FixedVersion: pkg.fixedVersion } : {}),
    Status: pkg.fixedVersion !== undefined ? 'fixed' : 'affected',
    Layer: { Digest: layer.digest, DiffID: layer.diffId },
    SeveritySource: npm ? 'ghsa' : 'nvd',
    PrimaryURL: `https://avd.aquasec.com/nvd/${v.cve.toLowerCase()}`,
    DataSource: npm
      ? {
          ID: 'ghsa',
          Name: 'GitHub Security Advisory npm',
          URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm',
        }
      : {
          ID: 'debian',
          Name: 'Debian Security Tracker',
          URL: 'https://salsa.debian.org/security-tracker-team/security-tracker',
        },
    Fingerprint: `sha256:${createHash('sha256').update(`${v.cve}${pkg.name}${pkg.version}`).digest('hex')}`,
    Title: v.title,
    Description: v.description,
    Severity: v.severity,
    CweIDs: [v.cwe],
    VendorSeverity: {
      [npm ? 'ghsa' : 'debian']: TRIVY_VENDOR_SEVERITY[v.severity],
      nvd: TRIVY_VENDOR_SEVERITY[v.severity],
    },
    ...(v.vector !== undefined ? { CVSS: { nvd: { V3Vector: v.vector, V3Score: v.score } } } : {}),
    References: v.references,
    PublishedDate: v.published,
    LastModifiedDate: v.published.replace(/^\d{4}/, '2025'),
  }
}

/** Writes Trivy's JSON report of the benchmark image; returns its size in bytes. */
export async function writeTrivyJson(path: string, vulns: readonly BenchVulnerability[]): Promise<number> {
  const skeleton = {
    SchemaVersion: 2,
    Trivy: { Version: '0.70.0' },
    ReportID: '019a0c6e-2a7e-7000-8000-000000000001',
    CreatedAt: '2026-04-20T10:00:00.000000000Z',
    ArtifactID: BENCH_IMAGE_ID,
    ArtifactName: BENCH_IMAGE,
    ArtifactType: 'container_image',
    Metadata: {
      Size: 412_000_000,
      OS: { Family: BENCH_OS.family, Name: BENCH_OS.version },
      ImageID: BENCH_IMAGE_ID,
      DiffIDs: BENCH_LAYERS.map((l) => l.diffId),
      RepoTags: [BENCH_IMAGE],
      ImageConfig: {
        architecture: 'amd64',
        created: '2026-04-20T09:58:00Z',
        history: BENCH_LAYERS.map((l) => ({ created: '2026-04-20T09:58:00Z', created_by: l.createdBy })),
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: BENCH_LAYERS.map((l) => l.diffId) },
        config: { Cmd: ['node', 'server.js'], Env: ['PATH=/usr/local/bin:/usr/bin:/bin'], User: 'node' },
      },
      Layers: BENCH_LAYERS.map((l) => ({ Size: 20_000_000, Digest: l.digest, DiffID: l.diffId })),
    },
    Results: [
      {
        Target: `${BENCH_IMAGE} (${BENCH_OS.family} ${BENCH_OS.version})`,
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: arrayPlaceholder('os'),
      },
      { Target: 'Node.js', Class: 'lang-pkgs', Type: 'node-pkg', Vulnerabilities: arrayPlaceholder('npm') },
    ],
  }
  return writePrettyJson(
    path,
    skeleton,
    {
      os: map(
        filter(vulns, (v) => v.pkg.ecosystem === 'deb'),
        trivyVulnerability,
      ),
      npm: map(
        filter(vulns, (v) => v.pkg.ecosystem === 'npm'),
        trivyVulnerability,
      ),
    },
    2,
  )
}

function grypeCvss(v: BenchVulnerability, nvd: boolean): unknown[] {
  if (v.vector === undefined || v.score === undefined) return []
  return [
    {
      ...(nvd ? { source: 'nvd@nist.gov', type: 'Primary' } : {}),
      version: '3.1',
      vector: v.vector,
      metrics: { baseScore: v.score, exploitabilityScore: 3.9, impactScore: 5.9 },
      vendorMetadata: {},
    },
  ]
}

function grypeMatch(v: BenchVulnerability): Record<string, unknown> {
  const pkg = v.pkg
  const npm = pkg.ecosystem === 'npm'
  const id = npm && v.ghsa !== undefined ? v.ghsa : v.cve
  const layer = BENCH_LAYERS[pkg.layer]!
  const nvdRecord = {
    id: v.cve,
    dataSource: `https://nvd.nist.gov/vuln/detail/${v.cve}`,
    namespace: 'nvd:cpe',
    severity: grypeSeverity(v.severity),
    urls: v.references,
    description: v.description,
    cvss: grypeCvss(v, true),
  }
  return {
    vulnerability: {
      id,
      dataSource: npm
        ? `https://github.com/advisories/${id}`
        : `https://security-tracker.debian.org/tracker/${v.cve}`,
      namespace: npm ? 'github:language:javascript' : 'debian:distro:debian:12',
      severity: grypeSeverity(v.severity),
      urls: npm
        ? [`https://github.com/advisories/${id}`]
        : [`https://security-tracker.debian.org/tracker/${v.cve}`],
      description: npm ? v.title : v.description,
      cvss: npm ? grypeCvss(v, false) : [],
      fix:
        pkg.fixedVersion !== undefined
          ? { versions: [pkg.fixedVersion], state: 'fixed' }
          : { versions: [], state: 'not-fixed' },
      advisories: [],
    },
    relatedVulnerabilities: [nvdRecord],
    matchDetails: [
      {
        type: 'exact-direct-match',
        matcher: npm ? 'javascript-matcher' : 'dpkg-matcher',
        searchedBy: npm
          ? {
              language: 'javascript',
              namespace: 'github:language:javascript',
              package: { name: pkg.name, version: pkg.version },
            }
          : {
              distro: { type: 'debian', version: '12' },
              namespace: 'debian:distro:debian:12',
              package: { name: pkg.name, version: pkg.version },
            },
        found: {
          vulnerabilityID: id,
          versionConstraint: `< ${pkg.fixedVersion ?? 'none'} (${npm ? 'semver' : 'deb'})`,
        },
      },
    ],
    artifact: {
      id: shortHash(pkg.purl),
      name: pkg.name,
      version: pkg.version,
      type: pkg.ecosystem,
      locations: [
        {
          path: npm ? pkg.path : `/usr/share/doc/${pkg.name}/copyright`,
          layerID: layer.diffId,
        },
        ...(npm ? [] : [{ path: '/var/lib/dpkg/status', layerID: layer.diffId }]),
      ],
      language: npm ? 'javascript' : '',
      licenses: [npm ? 'MIT' : 'GPL-2.0-or-later'],
      cpes: [
        `cpe:2.3:a:${pkg.name.replace(/[@/]/g, '')}:${pkg.name.replace(/[@/]/g, '')}:${pkg.version}:*:*:*:*:*:*:*`,
      ],
      purl: pkg.purl,
      upstreams: [],
    },
  }
}

/** Writes Grype's JSON report of the benchmark image; returns its size in bytes. */
export async function writeGrypeJson(path: string, vulns: readonly BenchVulnerability[]): Promise<number> {
  const skeleton = {
    matches: arrayPlaceholder('matches'),
    source: {
      type: 'image',
      target: {
        userInput: BENCH_IMAGE,
        imageID: BENCH_IMAGE_ID,
        manifestDigest: digestOf('manifest'),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        tags: [BENCH_IMAGE],
        imageSize: 412_000_000,
        layers: BENCH_LAYERS.map((l) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: l.diffId,
          size: 20_000_000,
        })),
        repoDigests: [],
        architecture: 'amd64',
        os: 'linux',
      },
    },
    distro: { name: 'debian', version: '12', idLike: [] },
    descriptor: {
      name: 'grype',
      version: '0.111.0',
      configuration: { output: ['json'], 'only-fixed': false, search: { scope: 'squashed' } },
      db: { status: { schemaVersion: 'v6.0.2', built: '2026-04-20T00:30:00Z', valid: true } },
      timestamp: '2026-04-20T10:00:00.000000000Z',
    },
  }
  return writePrettyJson(path, skeleton, { matches: map(vulns, grypeMatch) }, 2)
}
