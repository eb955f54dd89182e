/**
 * Gate results for the report writers' tests: realistic findings of every kind (package CVEs, built-in
 * checks placed on Dockerfile lines, masked secrets, suppressed ones), scanner runs, images, and
 * generators for very large results.
 */
import type { Finding } from '../../src/findings/finding.js'
import { SEVERITIES, type Severity } from '../../src/findings/severity.js'
import { evaluateGate, uniformFailOn, withGateStatus, type GatePolicy } from '../../src/policy/gate.js'
import type { GateResult, ImageResult, ScannerRun } from '../../src/report/gate-result.js'
import { TOOL_VERSION } from '../../src/version.js'

export const DEFAULT_POLICY: GatePolicy = {
  failOn: uniformFailOn('high'),
  onlyFixed: false,
  gateOn: 'all',
  continueOnScannerError: false,
}

export function vulnerability(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId: 'CVE-2023-0286',
    aliases: ['GHSA-x4qr-2fvf-3mr5'],
    title: 'openssl: X.400 address type confusion in X.509 GeneralName',
    description: 'There is a type confusion vulnerability relating to X.400 address processing.',
    severity: 'high',
    score: 7.4,
    detectedBy: ['trivy', 'grype'],
    target: 'alpine:3.17',
    package: {
      name: 'libcrypto3',
      version: '3.0.7-r0',
      type: 'apk',
      purl: 'pkg:apk/alpine/libcrypto3@3.0.7-r0',
    },
    fix: { state: 'fixed', versions: ['3.0.8-r0'] },
    layer: {
      diffId: 'sha256:8d3ac3489996423f53d6087c81180006263b79f206d3fdec9e66f0e27ceb8759',
      createdBy: 'ADD file:1234 in /',
    },
    references: [
      'https://nvd.nist.gov/vuln/detail/CVE-2023-0286',
      'https://www.openssl.org/news/secadv/20230207.txt',
    ],
    ...overrides,
  }
}

/** A vulnerability with nothing optional set: no score, package, fix, layer or location. */
export function bareFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'vulnerability',
    ruleId: 'CVE-2024-0001',
    aliases: [],
    title: 't',
    description: 'd',
    severity: 'high',
    detectedBy: ['trivy'],
    target: 'app:1',
    references: [],
    ...overrides,
  }
}

/** A built-in check finding as the builtin scanner reports it, attributed to a Dockerfile line. */
export function builtinFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'misconfiguration',
    ruleId: 'CSG001',
    aliases: [],
    title: 'Image runs as root',
    description:
      'The image has no USER instruction, so containers run as root unless the runtime says otherwise.',
    severity: 'high',
    detectedBy: ['builtin'],
    target: 'alpine:3.17',
    instruction: { keyword: 'FROM' },
    subject: 'USER root',
    location: { path: 'Dockerfile', startLine: 1 },
    references: ['https://docs.docker.com/develop/develop-images/instructions/#user'],
    help: {
      text: 'Add a USER instruction with a non-root user to the final stage.',
      markdown:
        'Add a `USER` instruction with a non-root user to the final stage:\n\n```dockerfile\nUSER 10001\n```',
    },
    ...overrides,
  }
}

/** A secret finding: the value arrives masked, as the builtin scanner reports it. */
export function secretFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    kind: 'secret',
    ruleId: 'CSG010',
    aliases: [],
    title: 'Secret in an ENV instruction',
    description: 'An environment variable that looks like a credential is baked into the image.',
    severity: 'critical',
    detectedBy: ['builtin'],
    target: 'alpine:3.17',
    subject: 'ENV AWS_SECRET_ACCESS_KEY',
    evidence: 'ENV AWS_SECRET_ACCESS_KEY=wJal…(40 chars)',
    instruction: { keyword: 'ENV', argument: 'AWS_SECRET_ACCESS_KEY' },
    location: { path: 'Dockerfile', startLine: 4, endLine: 5 },
    references: [],
    help: { text: 'Pass secrets at run time.', markdown: 'Pass secrets at run time (`--secret`).' },
    ...overrides,
  }
}

export function scannerRun(overrides: Partial<ScannerRun> = {}): ScannerRun {
  return {
    scanner: 'trivy',
    name: 'Trivy',
    target: 'alpine:3.17',
    status: 'ok',
    version: '0.58.1',
    findings: 0,
    durationMs: 12_345,
    origin: 'run',
    ...overrides,
  }
}

export function imageResult(overrides: Partial<ImageResult> = {}): ImageResult {
  const target = overrides.target ?? 'alpine:3.17'
  return {
    target,
    repository: 'library/alpine',
    imageId: 'sha256:b2aa39c304c27b96c1fef0c06bee651ac9241d49c4fe34381cab8453f9a89c7d',
    findings: [],
    scanners: [
      scannerRun({ scanner: 'builtin', name: 'Built-in checks', target, version: TOOL_VERSION }),
      scannerRun({ scanner: 'trivy', name: 'Trivy', target }),
      scannerRun({ scanner: 'grype', name: 'Grype', target, version: '0.86.1' }),
    ],
    ...overrides,
  }
}

/** A gate result whose verdict is what the real gate says about these images. */
export function gateResult(images: ImageResult[], policy: GatePolicy = DEFAULT_POLICY): GateResult {
  for (const image of images) image.findings = withGateStatus(image.findings, policy)
  const findings = images.flatMap((i) => i.findings)
  const runs = images.flatMap((i) => i.scanners)
  return {
    images,
    verdict: evaluateGate(findings, runs, policy),
    startedAt: '2026-11-28T12:00:00.000Z',
    toolVersion: TOOL_VERSION,
    dockerfile: 'Dockerfile',
  }
}

/** The usual mix: one CVE in two packages, a builtin check, a secret, a suppressed finding, a medium, a low. */
export function mixedFindings(target = 'alpine:3.17'): Finding[] {
  return [
    vulnerability({ target }),
    vulnerability({
      target,
      severity: 'critical',
      score: 9.8,
      package: { name: 'libssl3', version: '3.0.7-r0', type: 'apk' },
    }),
    builtinFinding({ target }),
    secretFinding({ target }),
    vulnerability({
      target,
      ruleId: 'CVE-2022-48174',
      aliases: [],
      title: 'busybox: stack overflow in ash',
      severity: 'medium',
      score: 5.5,
      detectedBy: ['grype'],
      package: { name: 'busybox', version: '1.35.0-r29', type: 'apk' },
      fix: { state: 'not-fixed', versions: [] },
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2022-48174'],
    }),
    vulnerability({
      target,
      ruleId: 'CVE-2023-5678',
      aliases: [],
      title: 'openssl: DH_generate_key excessive time',
      severity: 'low',
      score: undefined,
      detectedBy: ['trivy'],
      package: { name: 'libcrypto3', version: '3.0.7-r0', type: 'apk' },
      fix: { state: 'unknown', versions: [] },
      suppression: {
        kind: 'ignore',
        reason: 'Not reachable: we never call DH_generate_key',
        expires: '2027-01-01',
      },
    }),
    vulnerability({
      target,
      ruleId: 'GHSA-c2qf-rxjj-qqgw',
      aliases: ['CVE-2022-25883'],
      title: 'semver vulnerable to Regular Expression Denial of Service',
      severity: 'unknown',
      score: undefined,
      detectedBy: ['grype'],
      package: {
        name: 'semver',
        version: '7.3.5',
        type: 'npm',
        path: '/app/node_modules/semver/package.json',
      },
      fix: { state: 'fixed', versions: ['7.5.2'] },
      layer: { diffId: 'sha256:aaaa' },
      references: ['https://github.com/advisories/GHSA-c2qf-rxjj-qqgw'],
    }),
  ]
}

/**
 * `count` distinct vulnerabilities with a deterministic spread of severities: one in `criticalEvery` is
 * critical, the rest cycle through high, medium, low and unknown.
 */
export function manyFindings(
  count: number,
  options: { target?: string; criticalEvery?: number } = {},
): Finding[] {
  const target = options.target ?? 'alpine:3.17'
  const criticalEvery = options.criticalEvery ?? 100
  const others: Severity[] = SEVERITIES.filter((s) => s !== 'critical')
  const findings: Finding[] = []
  for (let i = 0; i < count; i++) {
    const severity: Severity = i % criticalEvery === 0 ? 'critical' : others[i % others.length]!
    findings.push({
      kind: 'vulnerability',
      ruleId: `CVE-2024-${String(10000 + (i % 5000)).padStart(5, '0')}`,
      aliases: [],
      title: `Vulnerability number ${i} in package pkg-${i}`,
      description: `A synthetic but realistically long description of vulnerability ${i}. `.repeat(3),
      severity,
      detectedBy: i % 3 === 0 ? ['trivy', 'grype'] : ['trivy'],
      target,
      package: { name: `pkg-${i}`, version: `1.${i % 10}.${i % 7}`, type: i % 2 === 0 ? 'apk' : 'npm' },
      fix:
        i % 4 === 0 ? { state: 'not-fixed', versions: [] } : { state: 'fixed', versions: [`2.${i % 10}.0`] },
      references: [`https://nvd.nist.gov/vuln/detail/CVE-2024-${10000 + (i % 5000)}`],
    })
  }
  return findings
}
