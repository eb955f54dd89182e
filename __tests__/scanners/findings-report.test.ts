/** Reading back our own findings-file (the collect step of a matrix): shape checks and what is kept. */
import { describe, expect, it } from '@jest/globals'
import { buildFindingsDocument } from '../../src/report/findings-json.js'
import { parseFindingsDocument } from '../../src/scanners/findings-report.js'
import { ScannerError } from '../../src/util/errors.js'
import { thrownBy } from '../helpers/thrown.js'
import type { GateResult } from '../../src/report/gate-result.js'

const ORIGIN = 'findings:legs/api/findings.json'

const RESULT: GateResult = {
  startedAt: '2026-12-01T00:00:00.000Z',
  toolVersion: '1.2.3',
  dockerfile: 'services/api/Dockerfile',
  verdict: {
    result: 'fail',
    reasons: ['x'],
    counts: { critical: 1, high: 1, medium: 0, low: 0, unknown: 0, total: 2 },
    suppressed: 1,
    failing: 1,
    scannerErrors: 0,
  },
  images: [
    {
      target: 'ghcr.io/acme/api:1.0',
      repository: 'ghcr.io/acme/api',
      imageId: `sha256:${'b'.repeat(64)}`,
      scanners: [
        {
          scanner: 'trivy',
          name: 'Trivy',
          target: 'ghcr.io/acme/api:1.0',
          status: 'ok',
          version: '0.58.1',
          findings: 2,
        },
        {
          scanner: 'grype',
          name: 'Grype',
          target: 'ghcr.io/acme/api:1.0',
          status: 'failed',
          findings: 0,
          message: 'db',
        },
      ],
      findings: [
        {
          kind: 'vulnerability',
          ruleId: 'CVE-2024-0001',
          aliases: ['GHSA-aaaa-bbbb-cccc'],
          title: 'openssl: overflow',
          description: 'A heap overflow.',
          severity: 'critical',
          score: 9.8,
          detectedBy: ['trivy'],
          target: 'ghcr.io/acme/api:1.0',
          package: { name: 'openssl', version: '3.0.1', type: 'apk', purl: 'pkg:apk/alpine/openssl@3.0.1' },
          fix: { state: 'fixed', versions: ['3.0.2'] },
          layer: { diffId: `sha256:${'a'.repeat(64)}`, createdBy: 'ADD file:x in /' },
          location: { path: 'services/api/Dockerfile', startLine: 1, endLine: 1 },
          base: true,
          references: ['https://nvd.nist.gov/vuln/detail/CVE-2024-0001'],
        },
        {
          kind: 'secret',
          ruleId: 'csg/secret-file',
          aliases: [],
          title: 'Private key in the image: /root/.ssh/id_rsa',
          ruleTitle: 'Private key in the image',
          description: 'A private key.',
          severity: 'high',
          detectedBy: ['builtin'],
          target: 'ghcr.io/acme/api:1.0',
          subject: '/root/.ssh/id_rsa',
          instruction: { keyword: 'COPY' },
          location: { path: 'services/api/Dockerfile', startLine: 4 },
          references: [],
          suppression: { kind: 'baseline', reason: 'present in baseline' },
        },
      ],
    },
  ],
}

const written = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(buildFindingsDocument(RESULT))) as Record<string, unknown>

function failure(doc: unknown): string {
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc)
  return thrownBy(() => parseFindingsDocument(text, ORIGIN), ScannerError).message
}

describe('parseFindingsDocument', () => {
  it('gives back each image with its scanner runs and findings as the leg wrote them', () => {
    const leg = parseFindingsDocument(JSON.stringify(written()), ORIGIN)
    expect(leg.toolVersion).toBe('1.2.3')
    expect(leg.dockerfile).toBe('services/api/Dockerfile')
    expect(leg.images).toEqual(RESULT.images)
  })

  it.each([
    ['not JSON', '{"version":1,', 'findings file findings:legs/api/findings.json is not valid JSON: '],
    ['empty', '   ', 'findings file findings:legs/api/findings.json is empty'],
    ['a list', [], 'findings file findings:legs/api/findings.json is not a JSON object'],
    [
      'another tool',
      { ...written(), tool: { name: 'other', version: '1' } },
      'findings file findings:legs/api/findings.json is not a container-security-gate findings file (tool.name is not "container-security-gate")',
    ],
    [
      'no version',
      { ...written(), version: undefined },
      'findings file findings:legs/api/findings.json has no format version (a "version" number 1 is expected)',
    ],
    [
      'a newer format version',
      { ...written(), version: 2, tool: { name: 'container-security-gate', version: '9.0.0' } },
      'findings file findings:legs/api/findings.json is format version 2, written by container-security-gate 9.0.0; this gate reads version 1: run the collect step with the same (or a newer) container-security-gate version as the legs',
    ],
    [
      'no images',
      { ...written(), images: undefined },
      'findings file findings:legs/api/findings.json has no "images" array',
    ],
    [
      'no findings',
      { ...written(), findings: {} },
      'findings file findings:legs/api/findings.json has no "findings" array',
    ],
  ])('%s → a ScannerError naming the file', (_name, doc, expected) => {
    expect(failure(doc)).toEqual(expect.stringContaining(expected))
  })

  it.each([
    [
      'findings[0].severity',
      { severity: 'severe' },
      'findings[0].severity is not a severity (critical, high, medium, low, unknown)',
    ],
    ['findings[0].kind', { kind: 'bug' }, 'findings[0].kind is not a finding kind'],
    ['findings[0].ruleId', { ruleId: 7 }, 'findings[0].ruleId is not a non-empty string'],
    ['findings[0].aliases', { aliases: 'GHSA' }, 'findings[0].aliases is not a list of strings'],
    [
      'findings[0].location',
      { location: { path: 'Dockerfile', startLine: 0 } },
      'findings[0].location.startLine is not a line number',
    ],
    [
      'findings[0].suppression',
      { suppression: { kind: 'maybe', reason: 'r' } },
      'findings[0].suppression must have a kind (ignore, vex, baseline) and a reason',
    ],
  ])('a bad %s is named', (_name, change, expected) => {
    const doc = written()
    const findings = doc['findings'] as Record<string, unknown>[]
    findings[0] = { ...findings[0], ...change }
    expect(failure(doc)).toBe(`findings file ${ORIGIN} ${expected}`)
  })

  it('a finding of an image the file does not list is an error when there are several images', () => {
    const doc = written()
    const images = doc['images'] as Record<string, unknown>[]
    doc['images'] = [
      images[0],
      { ...images[0], target: 'ghcr.io/acme/web:1.0', repository: 'ghcr.io/acme/web' },
    ]
    const findings = doc['findings'] as Record<string, unknown>[]
    findings[0] = { ...findings[0], target: 'ghcr.io/acme/other:1' }
    expect(failure(doc)).toBe(
      `findings file ${ORIGIN} findings[0].target "ghcr.io/acme/other:1" names none of the file's images`,
    )
  })

  it('a bad scanner run status is named', () => {
    const doc = written()
    const images = doc['images'] as { scanners: Record<string, unknown>[] }[]
    images[0]!.scanners[0] = { ...images[0]!.scanners[0], status: 'crashed' }
    expect(failure(doc)).toBe(
      `findings file ${ORIGIN} images[0].scanners[0].status must be ok, failed or skipped`,
    )
  })
})
