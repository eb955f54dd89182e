/**
 * The synthetic vulnerability catalogue the benchmark's scanner reports are written from: one image, N
 * findings per scanner, the first half shared by Trivy and Grype (same CVE — Grype names some by their
 * GHSA with the CVE as related vulnerability — on the same package version, so merge folds them), the
 * second half seen by one scanner only. Deterministic: the same N always gives the same reports.
 */
import { createHash } from 'node:crypto'

export const BENCH_IMAGE = 'registry.example.com/shop/api:1.4.2'
export const BENCH_IMAGE_ID = digestOf('image config')
export const BENCH_OS = { family: 'debian', version: '12.5' }

export interface BenchLayer {
  digest: string
  diffId: string
  createdBy: string
}

export const BENCH_LAYERS: readonly BenchLayer[] = [
  'ADD rootfs.tar.xz / # buildkit',
  'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl libssl3 # buildkit',
  'RUN apt-get install -y --no-install-recommends python3 libxml2 libsqlite3-0 # buildkit',
  'COPY package.json package-lock.json /app/ # buildkit',
  'RUN npm ci --omit=dev # buildkit',
].map((createdBy, i) => ({ createdBy, digest: digestOf(`blob ${i}`), diffId: digestOf(`diff ${i}`) }))

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN'

export interface BenchPackage {
  ecosystem: 'deb' | 'npm'
  name: string
  version: string
  fixedVersion?: string
  /** Index into BENCH_LAYERS. */
  layer: number
  /** Where an npm package lives in the image (absolute, Grype's spelling). */
  path?: string
  purl: string
}

export interface BenchVulnerability {
  cve: string
  /** The GHSA Grype names an npm vulnerability by (the CVE is then its related vulnerability). */
  ghsa?: string
  severity: Severity
  score?: number
  vector?: string
  title: string
  description: string
  references: string[]
  cwe: string
  published: string
  pkg: BenchPackage
}

export interface BenchCatalogue {
  /** Findings per scanner. */
  size: number
  trivy: BenchVulnerability[]
  grype: BenchVulnerability[]
}

/** Findings per scanner; the first `floor(size / 2)` of each list are the shared ones. */
export function benchCatalogue(size: number): BenchCatalogue {
  const shared = Math.floor(size / 2)
  const own = size - shared
  // About twenty vulnerabilities per package, as in a large, old base image.
  const packages = Math.max(10, Math.ceil((shared + 2 * own) / 20))
  const vuln = (index: number): BenchVulnerability => vulnerability(index, index % packages)
  const sharedList = Array.from({ length: shared }, (_, i) => vuln(i))
  return {
    size,
    trivy: [...sharedList, ...Array.from({ length: own }, (_, i) => vuln(shared + i))],
    grype: [...sharedList, ...Array.from({ length: own }, (_, i) => vuln(shared + own + i))],
  }
}

const WORDS = (
  'a an the in of to via when with allows remote attacker crafted request buffer overflow heap use after ' +
  'free out of bounds read write integer underflow denial service memory corruption certificate ' +
  'validation bypass parser header length check missing null pointer dereference arbitrary code ' +
  'execution privilege escalation path traversal injection leads could cause crash infinite loop ' +
  'function library versions before affected component handling malformed input data may exploit'
).split(' ')

const CWES = ['CWE-787', 'CWE-79', 'CWE-125', 'CWE-20', 'CWE-416', 'CWE-22', 'CWE-476', 'CWE-190', 'CWE-400']

const VECTORS: readonly [string, number][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', 7.5],
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H', 5.5],
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
]

/** A small deterministic generator (mulberry32) seeded per record, so records are independent. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function sentence(next: () => number, words: number): string {
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(next() * WORDS.length)]!)
  const text = out.join(' ')
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`
}

function vulnerability(index: number, packageIndex: number): BenchVulnerability {
  const next = random(index * 7919 + 17)
  const year = 2015 + (index % 11)
  const cve = `CVE-${year}-${String(10000 + index)}`
  const pkg = benchPackage(packageIndex)
  const roll = next()
  const severity: Severity =
    roll < 0.05 ? 'CRITICAL' : roll < 0.25 ? 'HIGH' : roll < 0.7 ? 'MEDIUM' : roll < 0.95 ? 'LOW' : 'UNKNOWN'
  const [vector, score] = VECTORS[Math.min(VECTORS.length - 1, Math.floor(roll * VECTORS.length))]!
  const description = Array.from({ length: 2 + Math.floor(next() * 4) }, () =>
    sentence(next, 10 + Math.floor(next() * 14)),
  ).join(' ')
  const lower = cve.toLowerCase()
  const references = [
    `https://nvd.nist.gov/vuln/detail/${cve}`,
    `https://security-tracker.debian.org/tracker/${cve}`,
    `https://www.cve.org/CVERecord?id=${cve}`,
    `https://github.com/${pkg.name.replace(/^@/, '')}/issues/${1000 + (index % 9000)}`,
    `https://avd.aquasec.com/nvd/${lower}`,
  ].slice(0, 3 + (index % 3))
  const vuln: BenchVulnerability = {
    cve,
    severity,
    title: `${pkg.name}: ${sentence(next, 5 + Math.floor(next() * 5))
      .slice(0, -1)
      .toLowerCase()}`,
    description,
    references,
    cwe: CWES[index % CWES.length]!,
    published: `${year}-0${1 + (index % 9)}-1${index % 10}T12:15:0${index % 10}Z`,
    pkg,
  }
  if (severity !== 'UNKNOWN') {
    vuln.vector = vector
    vuln.score = score
  }
  if (pkg.ecosystem === 'npm') vuln.ghsa = ghsaOf(index)
  return vuln
}

/** Seven in ten packages are Debian packages, the rest npm packages under /app/node_modules. */
export function benchPackage(index: number): BenchPackage {
  if (index % 10 < 7) {
    const name = `lib${['ssl', 'xml', 'curl', 'sqlite', 'png', 'gnutls', 'krb5', 'expat'][index % 8]!}-${index}`
    const version = `${1 + (index % 4)}.${index % 13}.${index % 7}-${1 + (index % 3)}+deb12u${index % 5}`
    return {
      ecosystem: 'deb',
      name,
      version,
      ...(index % 3 !== 0 ? { fixedVersion: version.replace(/u\d+$/, `u${(index % 5) + 1}`) } : {}),
      layer: 1 + (index % 2),
      purl: `pkg:deb/debian/${name}@${encodeURIComponent(version)}?arch=amd64&distro=debian-12.5`,
    }
  }
  const name = index % 3 === 0 ? `@acme/widget-${index}` : `left-pad-${index}`
  const version = `${index % 9}.${index % 17}.${index % 5}`
  return {
    ecosystem: 'npm',
    name,
    version,
    ...(index % 2 === 0 ? { fixedVersion: `${index % 9}.${(index % 17) + 1}.0` } : {}),
    layer: 4,
    path: `/app/node_modules/${name}/package.json`,
    purl: `pkg:npm/${name.replace('@', '%40')}@${version}`,
  }
}

const GHSA_ALPHABET = '23456789cfghjmpqrvwx'

/** A unique GHSA-shaped id per index: an odd multiplier coprime with 20 permutes 20^12 values. */
function ghsaOf(index: number): string {
  const space = 20n ** 12n
  let n = (BigInt(index) * 1_000_000_007n + 12_345n) % space
  const chars: string[] = []
  for (let i = 0; i < 12; i++) {
    chars.push(GHSA_ALPHABET[Number(n % 20n)]!)
    n /= 20n
  }
  const s = chars.join('')
  return `GHSA-${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`
}

export function digestOf(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`
}

/** Grype's capitalised severity words; Trivy's UNKNOWN is Grype's `Unknown` (some feeds say Negligible). */
export function grypeSeverity(severity: Severity): string {
  return severity === 'UNKNOWN' ? 'Negligible' : severity.charAt(0) + severity.slice(1).toLowerCase()
}
