import { describe, it, expect } from '@jest/globals'
import { parseSarifReport, scannerIdOf } from '../../src/scanners/sarif-import.js'
import { ScannerError } from '../../src/util/errors.js'

type Json = Record<string, unknown>

/** A SARIF 2.1.0 log with one run. */
function sarif(run: { driver?: Json; rules?: Json[]; results: Json[]; extensions?: Json[] }): string {
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'Scanner X', version: '1.0', rules: run.rules ?? [], ...run.driver },
          ...(run.extensions ? { extensions: run.extensions } : {}),
        },
        results: run.results,
      },
    ],
  })
}

const ctx = { origin: 'sarif:test.sarif', target: 'app:ci' }

function one(text: string) {
  const findings = parseSarifReport(text, ctx)
  expect(findings).toHaveLength(1)
  return findings[0]!
}

describe('parseSarifReport: severity', () => {
  const rule = (extra: Json = {}): Json => ({ id: 'R1', shortDescription: { text: 'Rule one' }, ...extra })
  it.each<[string, Json, Json, string]>([
    [
      'result security-severity',
      rule({ properties: { 'security-severity': '2.0' } }),
      { properties: { 'security-severity': '9.1' } },
      'critical',
    ],
    [
      'rule security-severity',
      rule({ properties: { 'security-severity': '7.5' } }),
      { level: 'note' },
      'high',
    ],
    ['numeric security-severity', rule({ properties: { 'security-severity': 4.2 } }), {}, 'medium'],
    ['level error', rule(), { level: 'error' }, 'high'],
    ['level warning', rule(), { level: 'warning' }, 'medium'],
    ['level note', rule(), { level: 'note' }, 'low'],
    [
      'level none → rule default',
      rule({ defaultConfiguration: { level: 'error' } }),
      { level: 'none' },
      'high',
    ],
    ['no level → rule default', rule({ defaultConfiguration: { level: 'note' } }), {}, 'low'],
    ['nothing → SARIF default warning', rule(), {}, 'medium'],
    [
      'security-severity 0 → level',
      rule({ properties: { 'security-severity': '0.0' } }),
      { level: 'error' },
      'high',
    ],
    [
      'unparsable security-severity → level',
      rule({ properties: { 'security-severity': 'high' } }),
      { level: 'note' },
      'low',
    ],
    // Found with __tests__/fuzz (the hadolint counterexample, same lookup): `in` saw Object.prototype.
    ['level constructor → SARIF default warning', rule(), { level: 'constructor' }, 'medium'],
    ['level __proto__ → SARIF default warning', rule(), { level: '__proto__' }, 'medium'],
  ])('%s', (_name, r, result, expected) => {
    const f = one(sarif({ rules: [r], results: [{ ruleId: 'R1', message: { text: 'm' }, ...result }] }))
    expect(f.severity).toBe(expected)
  })

  it('keeps the level word as the original severity', () => {
    const f = one(sarif({ results: [{ ruleId: 'R1', level: 'note', message: { text: 'm' } }] }))
    expect(f.severityBySource).toEqual({ sarif: { severity: 'low', original: 'note' } })
  })
})

describe('parseSarifReport: rules, kinds and tools', () => {
  it('finds the rule by ruleIndex, by ruleId, and in an extension through toolComponent', () => {
    const findings = parseSarifReport(
      sarif({
        rules: [
          { id: 'A', shortDescription: { text: 'Rule A' } },
          { id: 'B', shortDescription: { text: 'Rule B' } },
        ],
        extensions: [{ name: 'plugin', rules: [{ id: 'E1', shortDescription: { text: 'Extension rule' } }] }],
        results: [
          { ruleIndex: 1, message: { text: 'by index' } },
          { ruleId: 'A', message: { text: 'by id' } },
          { rule: { id: 'E1', index: 0, toolComponent: { index: 0 } }, message: { text: 'in extension' } },
          { ruleId: 'E1', message: { text: 'extension rule by id' } },
        ],
      }),
      ctx,
    )
    expect(findings.map((f) => [f.ruleId, f.title])).toEqual([
      ['B', 'Rule B'],
      ['A', 'Rule A'],
      ['E1', 'Extension rule'],
      ['E1', 'Extension rule'],
    ])
  })

  it.each<[string, string[], string]>([
    ['CVE-2024-1234', [], 'vulnerability'],
    ['GHSA-whgm-jr23-g3j9', [], 'vulnerability'],
    ['SNYK-LINUX-BZIP2-106947', ['security', 'deb'], 'vulnerability'],
    ['pkg-rule', ['vulnerability', 'security'], 'vulnerability'],
    ['aws-access-key-id', ['secret', 'security'], 'secret'],
    ['DS002', ['misconfiguration', 'dockerfile'], 'misconfiguration'],
    ['CIS-DI-0010', [], 'misconfiguration'],
  ])('%s with tags %j → %s', (id, tags, kind) => {
    const f = one(
      sarif({ rules: [{ id, properties: { tags } }], results: [{ ruleId: id, message: { text: 'm' } }] }),
    )
    expect(f.kind).toBe(kind)
  })

  it.each([
    ['Trivy', 'trivy'],
    ['grype', 'grype'],
    ['Snyk Container', 'snyk'],
    ['Dockle', 'dockle'],
    ['hadolint', 'hadolint'],
    ['osv-scanner', 'osv-scanner'],
    ['CodeQL', 'sarif'],
    ['builtin', 'sarif'],
    // Found with __tests__/fuzz: a driver named after an Object.prototype member was looked up there.
    ['constructor', 'sarif'],
    ['__proto__', 'sarif'],
  ])('driver %s → detectedBy %s', (name, id) => {
    expect(scannerIdOf(name)).toBe(id)
    const f = one(sarif({ driver: { name }, results: [{ ruleId: 'R', message: { text: 'm' } }] }))
    expect(f.detectedBy).toEqual([id])
    expect(Object.keys(f.severityBySource ?? {})).toEqual([id])
  })

  it('skips results that say they are not a problem', () => {
    const findings = parseSarifReport(
      sarif({
        results: [
          { ruleId: 'R', kind: 'pass', message: { text: 'ok' } },
          { ruleId: 'R', kind: 'notApplicable', message: { text: 'n/a' } },
          { ruleId: 'R', kind: 'fail', message: { text: 'bad' } },
          { ruleId: 'R', kind: 'review', message: { text: 'look' } },
        ],
      }),
      ctx,
    )
    expect(findings.map((f) => f.description)).toEqual(['bad', 'look'])
  })

  it('reads every run of a log, with results absent in one', () => {
    const log = JSON.parse(sarif({ results: [{ ruleId: 'R', message: { text: 'm' } }] })) as { runs: Json[] }
    log.runs.push({ tool: { driver: { name: 'Dockle' } } }, log.runs[0]!)
    expect(parseSarifReport(JSON.stringify(log), ctx)).toHaveLength(2)
  })
})

describe('parseSarifReport: vulnerabilities', () => {
  it('reads a Grype-style result: CVE+package rule id, package and fix from the text, purl property', () => {
    const f = one(
      sarif({
        driver: { name: 'grype' },
        rules: [
          {
            id: 'CVE-2023-0464-libssl3',
            shortDescription: { text: 'CVE-2023-0464 high vulnerability for libssl3 package' },
            fullDescription: {
              text: 'Version 3.0.8-r0 is affected with an available fix in versions 3.0.8-r1',
            },
            helpUri: 'https://github.com/anchore/grype',
            help: {
              text: 'Vulnerability CVE-2023-0464\nFix Version: 3.0.8-r1, 3.1.1-r0\nType: apk',
              markdown: '**x**',
            },
            properties: {
              purls: ['pkg:apk/alpine/libssl3@3.0.8-r0?distro=alpine-3.17.2'],
              'security-severity': '7.5',
            },
          },
        ],
        results: [
          {
            ruleId: 'CVE-2023-0464-libssl3',
            level: 'error',
            message: {
              text: 'A high vulnerability in apk package: libssl3, version 3.0.8-r0 was found in image app at: /lib/apk/db/installed',
            },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'app/lib/apk/db/installed' },
                  region: { startLine: 1 },
                },
                logicalLocations: [
                  { name: '/lib/apk/db/installed', fullyQualifiedName: 'app@:/lib/apk/db/installed' },
                ],
              },
            ],
          },
        ],
      }),
    )
    expect(f).toMatchObject({
      kind: 'vulnerability',
      ruleId: 'CVE-2023-0464',
      severity: 'high',
      score: 7.5,
      detectedBy: ['grype'],
      target: 'app:ci',
      package: {
        name: 'libssl3',
        version: '3.0.8-r0',
        type: 'apk',
        purl: 'pkg:apk/alpine/libssl3@3.0.8-r0?distro=alpine-3.17.2',
      },
      fix: { state: 'fixed', versions: ['3.0.8-r1', '3.1.1-r0'] },
      subject: 'app/lib/apk/db/installed',
      help: { text: expect.stringContaining('Fix Version') as unknown, markdown: '**x**' },
      references: ['https://github.com/anchore/grype'],
    })
    expect(f.location).toBeUndefined()
  })

  it.each<[string, Json, Json[], Json]>([
    [
      'a Snyk logical location',
      {
        fullDescription: { text: '(CVE-2016-3189) bzip2/libbz2-1.0@1.0.6-8.1' },
        properties: { tags: ['security', 'deb'] },
      },
      [
        {
          physicalLocation: { artifactLocation: { uri: 'app' } },
          logicalLocations: [{ fullyQualifiedName: 'bzip2@1.0.6-8.1' }],
        },
      ],
      { name: 'bzip2', version: '1.0.6-8.1', type: 'deb' },
    ],
    [
      "Trivy's location message",
      { properties: { tags: ['vulnerability'] } },
      [
        {
          physicalLocation: { artifactLocation: { uri: 'image.tar' } },
          message: { text: 'image.tar: libcrypto3@3.3.1-r0' },
        },
      ],
      { name: 'libcrypto3', version: '3.3.1-r0', type: 'unknown' },
    ],
  ])('reads the package from %s', (_name, ruleExtra, locations, pkg) => {
    const f = one(
      sarif({
        rules: [{ id: 'SNYK-LINUX-BZIP2-106947', ...ruleExtra }],
        results: [
          {
            ruleId: 'SNYK-LINUX-BZIP2-106947',
            message: { text: 'This file introduces a vulnerable package.' },
            locations,
          },
        ],
      }),
    )
    expect(f.package).toEqual(pkg)
  })

  it("takes Snyk's leading CVE list and OSV-Scanner's deprecatedIds as aliases", () => {
    const snyk = one(
      sarif({
        rules: [
          {
            id: 'SNYK-LINUX-BZIP2-106947',
            fullDescription: { text: '(CVE-2016-3189, CVE-2019-12900) bzip2@1.0.6' },
          },
        ],
        results: [{ ruleId: 'SNYK-LINUX-BZIP2-106947', message: { text: 'm' } }],
      }),
    )
    expect(snyk.aliases).toEqual(['CVE-2016-3189', 'CVE-2019-12900'])
    const osv = one(
      sarif({
        driver: { name: 'osv-scanner' },
        rules: [{ id: 'CVE-2021-23424', deprecatedIds: ['CVE-2021-23424', 'GHSA-whgm-jr23-g3j9'] }],
        results: [
          {
            ruleId: 'CVE-2021-23424',
            ruleIndex: 0,
            message: { text: "Package 'ansi-html@0.0.1' is vulnerable to 'CVE-2021-23424'." },
          },
        ],
      }),
    )
    expect(osv.aliases).toEqual(['GHSA-whgm-jr23-g3j9'])
    expect(osv.package).toEqual({ name: 'ansi-html', version: '0.0.1', type: 'unknown' })
  })

  it("reads Trivy's result message layout and leaves a vague message without a package", () => {
    const trivy = one(
      sarif({
        driver: { name: 'Trivy' },
        rules: [
          {
            id: 'CVE-2019-1549',
            properties: { tags: ['vulnerability', 'security', 'MEDIUM'], 'security-severity': '5.3' },
          },
        ],
        results: [
          {
            ruleId: 'CVE-2019-1549',
            level: 'warning',
            message: {
              text: 'Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0\nVulnerability CVE-2019-1549\nSeverity: MEDIUM\nFixed Version: 1.1.1d-r0',
            },
          },
        ],
      }),
    )
    expect(trivy.package).toEqual({ name: 'libcrypto1.1', version: '1.1.1c-r0', type: 'unknown' })
    expect(trivy.fix).toEqual({ state: 'fixed', versions: ['1.1.1d-r0'] })
    expect(trivy.score).toBe(5.3)
    const vague = one(
      sarif({ results: [{ ruleId: 'CVE-2020-1', message: { text: 'Something is vulnerable somewhere.' } }] }),
    )
    expect(vague.package).toBeUndefined()
    expect(vague.fix).toBeUndefined()
  })
})

describe('parseSarifReport: locations and secrets', () => {
  it.each<[string, Json | undefined, Json]>([
    [
      'Dockerfile',
      { startLine: 4, endLine: 6 },
      { location: { path: 'Dockerfile', startLine: 4, endLine: 6 } },
    ],
    [
      'file:///repo/build/Dockerfile.prod',
      { startLine: 2 },
      { location: { path: '/repo/build/Dockerfile.prod', startLine: 2 } },
    ],
    ['./Containerfile', undefined, { location: { path: 'Containerfile', startLine: 1 } }],
    ['src/app.js', { startLine: 9 }, { subject: 'src/app.js' }],
    ['usr/bin/my%20tool', undefined, { subject: 'usr/bin/my tool' }],
  ])('%s → %j', (uri, region, expected) => {
    const f = one(
      sarif({
        results: [
          {
            ruleId: 'DL3008',
            message: { text: 'Pin versions in apt get install' },
            locations: [{ physicalLocation: { artifactLocation: { uri }, ...(region ? { region } : {}) } }],
          },
        ],
      }),
    )
    expect({ location: f.location, subject: f.subject }).toEqual({
      location: undefined,
      subject: undefined,
      ...expected,
    })
  })

  it('does not copy a secret finding’s message into evidence', () => {
    const f = one(
      sarif({
        rules: [{ id: 'generic-api-key', properties: { tags: ['secret'] } }],
        results: [{ ruleId: 'generic-api-key', message: { text: 'api_key = "sk_live_abcdefghijklmnop"' } }],
      }),
    )
    expect(f.kind).toBe('secret')
    expect(f.evidence).toBeUndefined()
  })
})

describe('parseSarifReport: input it cannot read', () => {
  const run = { tool: { driver: { name: 'X' } }, results: [] }
  it.each([
    ['not JSON', 'SARIF?', /not valid JSON/],
    ['truncated JSON', sarif({ results: [] }).slice(0, 40), /not valid JSON/],
    ['an array', '[]', /top level should be an object/],
    ['no runs', JSON.stringify({ version: '2.1.0' }), /"runs" should be an array/],
    ['runs as an object', JSON.stringify({ version: '2.1.0', runs: {} }), /"runs" should be an array/],
    ['a Trivy JSON report', JSON.stringify({ SchemaVersion: 2, Results: [] }), /Trivy JSON report/],
    ['a Grype JSON report', JSON.stringify({ matches: [], descriptor: {} }), /Grype JSON report/],
    ['SARIF 2.0.0', JSON.stringify({ version: '2.0.0', runs: [run] }), /unsupported SARIF version "2\.0\.0"/],
    [
      'a run without tool',
      JSON.stringify({ version: '2.1.0', runs: [{ results: [] }] }),
      /runs\[0\]\.tool is missing/,
    ],
    [
      'a driver without name',
      JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }),
      /driver\.name is missing/,
    ],
    [
      'results as an object',
      JSON.stringify({ version: '2.1.0', runs: [{ ...run, results: {} }] }),
      /results should be an array/,
    ],
    [
      'a result that is a string',
      JSON.stringify({ version: '2.1.0', runs: [{ ...run, results: ['x'] }] }),
      /results\[0\] should be an object/,
    ],
    [
      'a result without rule',
      JSON.stringify({ version: '2.1.0', runs: [{ ...run, results: [{ message: { text: 'm' } }] }] }),
      /has no ruleId/,
    ],
    [
      'a level that is a number',
      sarif({ results: [{ ruleId: 'R', level: 3, message: { text: 'm' } }] }),
      /level should be a string/,
    ],
  ])('%s → ScannerError naming sarif', (_name, text, message) => {
    let caught: unknown
    try {
      parseSarifReport(text, ctx)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('sarif')
    expect((caught as ScannerError).message).toMatch(message)
    expect((caught as ScannerError).message).toContain('sarif:test.sarif')
  })

  it('reads a log with no results as no findings', () => {
    expect(parseSarifReport(JSON.stringify({ version: '2.1.0', runs: [run] }), ctx)).toEqual([])
  })
})
