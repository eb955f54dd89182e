/**
 * The benchmark's SARIF logs in the shapes Trivy (`--format sarif`) and Grype (`-o sarif`) write: Trivy
 * has one rule per vulnerability id and locates results on the image name; Grype has one rule per
 * (vulnerability, package) and locates results on the package's file. The SARIF Multitool merges them.
 */
import { BENCH_IMAGE, BENCH_IMAGE_ID, grypeSeverity, type BenchVulnerability } from './bench-catalogue.js'
import { createHash } from 'node:crypto'
import { arrayPlaceholder, writePrettyJson } from './bench-json-writer.js'

const LEVEL = { CRITICAL: 'error', HIGH: 'error', MEDIUM: 'warning', LOW: 'note', UNKNOWN: 'note' } as const
const SCHEMA =
  'https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json'

function* map<T, U>(items: Iterable<T>, f: (item: T, index: number) => U): Generator<U> {
  let index = 0
  for (const item of items) yield f(item, index++)
}

function securitySeverity(v: BenchVulnerability): string {
  return (v.score ?? 0).toFixed(1)
}

function trivyRule(v: BenchVulnerability): unknown {
  const link = `https://avd.aquasec.com/nvd/${v.cve.toLowerCase()}`
  const fixed = v.pkg.fixedVersion ?? ''
  return {
    id: v.cve,
    name: v.pkg.ecosystem === 'npm' ? 'LanguageSpecificPackageVulnerability' : 'OsPackageVulnerability',
    shortDescription: { text: v.title },
    fullDescription: { text: v.description },
    defaultConfiguration: { level: LEVEL[v.severity] },
    helpUri: link,
    help: {
      text: `Vulnerability ${v.cve}\nSeverity: ${v.severity}\nPackage: ${v.pkg.name}\nFixed Version: ${fixed}\nLink: [${v.cve}](${link})\n${v.description}`,
      markdown: `**Vulnerability ${v.cve}**\n| Severity | Package | Fixed Version | Link |\n| --- | --- | --- | --- |\n|${v.severity}|${v.pkg.name}|${fixed}|[${v.cve}](${link})|\n\n${v.description}`,
    },
    properties: {
      ...(v.vector !== undefined ? { cvssv3_baseScore: v.score, cvssv3_vector: v.vector } : {}),
      precision: 'very-high',
      'security-severity': securitySeverity(v),
      tags: ['vulnerability', 'security', v.severity],
    },
  }
}

function trivyResult(v: BenchVulnerability, index: number): unknown {
  const link = `https://avd.aquasec.com/nvd/${v.cve.toLowerCase()}`
  return {
    ruleId: v.cve,
    ruleIndex: index,
    level: LEVEL[v.severity],
    message: {
      text: `Package: ${v.pkg.name}\nInstalled Version: ${v.pkg.version}\nVulnerability ${v.cve}\nSeverity: ${v.severity}\nFixed Version: ${v.pkg.fixedVersion ?? ''}\nLink: [${v.cve}](${link})`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: 'registry.example.com/shop/api', uriBaseId: 'ROOTPATH' },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        message: { text: `${BENCH_IMAGE}: ${v.pkg.name}@${v.pkg.version}` },
      },
    ],
  }
}

/** Writes Trivy's SARIF log of the benchmark image; returns its size in bytes. */
export async function writeTrivySarif(path: string, vulns: readonly BenchVulnerability[]): Promise<number> {
  const skeleton = {
    version: '2.1.0',
    $schema: SCHEMA,
    runs: [
      {
        tool: {
          driver: {
            fullName: 'Trivy Vulnerability Scanner',
            informationUri: 'https://github.com/aquasecurity/trivy',
            name: 'Trivy',
            rules: arrayPlaceholder('rules'),
            version: '0.70.0',
          },
        },
        results: arrayPlaceholder('results'),
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { ROOTPATH: { uri: 'file:///' } },
        properties: {
          imageID: BENCH_IMAGE_ID,
          imageName: BENCH_IMAGE,
          repoDigests: null,
          repoTags: [BENCH_IMAGE],
        },
      },
    ],
  }
  return writePrettyJson(
    path,
    skeleton,
    { rules: map(vulns, trivyRule), results: map(vulns, trivyResult) },
    2,
  )
}

function grypeId(v: BenchVulnerability): string {
  return v.pkg.ecosystem === 'npm' && v.ghsa !== undefined ? v.ghsa : v.cve
}

function grypeLocation(v: BenchVulnerability): string {
  return v.pkg.path ?? '/var/lib/dpkg/status'
}

function grypeRule(v: BenchVulnerability): unknown {
  const id = grypeId(v)
  const severity = grypeSeverity(v.severity).toLowerCase()
  const fix = v.pkg.fixedVersion ?? ''
  return {
    id: `${id}-${v.pkg.name}`,
    name: v.pkg.ecosystem === 'npm' ? 'JavascriptMatcherExactDirectMatch' : 'DpkgMatcherExactDirectMatch',
    shortDescription: { text: `${id} ${severity} vulnerability for ${v.pkg.name} package` },
    fullDescription: {
      text: fix
        ? `Version ${v.pkg.version} is affected with an available fix in versions ${fix}`
        : `Version ${v.pkg.version} is affected with no fixes reported yet.`,
    },
    helpUri: 'https://github.com/anchore/grype',
    help: {
      text: `Vulnerability ${id}\nSeverity: ${severity}\nPackage: ${v.pkg.name}\nVersion: ${v.pkg.version}\nFix Version: ${fix}\nType: ${v.pkg.ecosystem}\nLocation: ${grypeLocation(v)}\nData Namespace: \nLink: ${id}`,
      markdown: `**Vulnerability ${id}**\n| Severity | Package | Version | Fix Version | Type | Location | Data Namespace | Link |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n| ${severity}  | ${v.pkg.name}  | ${v.pkg.version}  | ${fix}  | ${v.pkg.ecosystem}  | ${grypeLocation(v)}  |   | ${id}  |\n`,
    },
    properties: { 'security-severity': securitySeverity(v) },
  }
}

function grypeResult(v: BenchVulnerability): unknown {
  const id = grypeId(v)
  const location = grypeLocation(v)
  return {
    ruleId: `${id}-${v.pkg.name}`,
    level: LEVEL[v.severity],
    message: {
      text: `A ${grypeSeverity(v.severity).toLowerCase()} vulnerability in ${v.pkg.ecosystem} package: ${v.pkg.name}, version ${v.pkg.version} was found in image ${BENCH_IMAGE} at: ${location}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: `image${location}` },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        logicalLocations: [
          { name: location, fullyQualifiedName: `${BENCH_IMAGE}@${v.pkg.version}:${location}` },
        ],
      },
    ],
    partialFingerprints: {
      primaryLocationLineHash: `${createHash('sha256').update(`${id}${v.pkg.name}${location}`).digest('hex')}:1`,
    },
  }
}

/** Writes Grype's SARIF log of the benchmark image; returns its size in bytes. */
export async function writeGrypeSarif(path: string, vulns: readonly BenchVulnerability[]): Promise<number> {
  const skeleton = {
    version: '2.1.0',
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/cos02/schemas/sarif-schema-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'grype',
            version: '0.111.0',
            informationUri: 'https://github.com/anchore/grype',
            rules: arrayPlaceholder('rules'),
          },
        },
        results: arrayPlaceholder('results'),
      },
    ],
  }
  return writePrettyJson(
    path,
    skeleton,
    { rules: map(vulns, grypeRule), results: map(vulns, grypeResult) },
    2,
  )
}
