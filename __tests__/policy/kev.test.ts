/**
 * CISA's KEV catalog parser (shape from cisagov/kev-data known_exploited_vulnerabilities_schema.json) and
 * the marking of findings through their ids and aliases.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { KevCatalogError, markKnownExploited, parseKevCatalog } from '../../src/policy/kev.js'

const LOG4SHELL = {
  cveID: 'CVE-2021-44228',
  vendorProject: 'Apache',
  product: 'Log4j2',
  vulnerabilityName: 'Apache Log4j2 Remote Code Execution Vulnerability',
  dateAdded: '2021-12-10',
  shortDescription:
    'Apache Log4j2 contains a vulnerability where JNDI features do not protect against attacker-controlled JNDI-related endpoints.',
  requiredAction: 'For all affected software assets for which updates exist, apply updates.',
  dueDate: '2021-12-24',
  knownRansomwareCampaignUse: 'Known',
  notes: 'https://nvd.nist.gov/vuln/detail/CVE-2021-44228',
  cwes: ['CWE-20', 'CWE-400', 'CWE-502'],
}
const OPENSSL = {
  cveID: 'CVE-2014-0160',
  vendorProject: 'OpenSSL',
  product: 'OpenSSL',
  vulnerabilityName: 'OpenSSL Information Disclosure Vulnerability',
  dateAdded: '2022-05-04',
  shortDescription:
    'The TLS and DTLS implementations in OpenSSL do not properly handle Heartbeat Extension packets.',
  requiredAction: 'Apply updates per vendor instructions.',
  dueDate: '2022-05-25',
  knownRansomwareCampaignUse: 'Unknown',
  notes: '',
}

function catalog(vulnerabilities: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: '2026.12.04',
    dateReleased: '2026-12-04T17:02:11.6219Z',
    count: vulnerabilities.length,
    vulnerabilities,
    ...extra,
  })
}

function vulnerability(ruleId: string, aliases: string[] = []): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases,
    title: '',
    description: '',
    severity: 'low',
    detectedBy: ['grype'],
    target: 'app:1',
    references: [],
    package: { name: 'log4j-core', version: '2.14.1', type: 'java-archive' },
  }
}

describe('parseKevCatalog', () => {
  it('reads the catalog version, release date, count and every entry by CVE', () => {
    const parsed = parseKevCatalog(catalog([LOG4SHELL, OPENSSL]))
    expect(parsed.catalogVersion).toBe('2026.12.04')
    expect(parsed.dateReleased).toBe('2026-12-04T17:02:11.6219Z')
    expect(parsed.count).toBe(2)
    expect([...parsed.entries.entries()]).toEqual([
      [
        'CVE-2021-44228',
        {
          cve: 'CVE-2021-44228',
          dateAdded: '2021-12-10',
          dueDate: '2021-12-24',
          knownRansomwareCampaignUse: 'Known',
        },
      ],
      [
        'CVE-2014-0160',
        {
          cve: 'CVE-2014-0160',
          dateAdded: '2022-05-04',
          dueDate: '2022-05-25',
          knownRansomwareCampaignUse: 'Unknown',
        },
      ],
    ])
  })

  it('reads a missing knownRansomwareCampaignUse (not required by the schema) as Unknown', () => {
    const { knownRansomwareCampaignUse: _dropped, ...entry } = LOG4SHELL
    expect(parseKevCatalog(catalog([entry])).entries.get('CVE-2021-44228')?.knownRansomwareCampaignUse).toBe(
      'Unknown',
    )
  })

  it.each([
    ['not JSON', '<html>Access Denied</html>', /^not JSON/],
    ['an array', '[]', /^the top level should be an object/],
    [
      'no vulnerabilities',
      JSON.stringify({ catalogVersion: '1', dateReleased: '2026-01-01T00:00:00Z', count: 0 }),
      /^"vulnerabilities" is missing/,
    ],
    ['an empty list', catalog([]), /^"vulnerabilities" is empty/],
    [
      'no catalogVersion',
      catalog([LOG4SHELL], { catalogVersion: undefined }),
      /^"catalogVersion" is missing/,
    ],
    [
      'a bad dateReleased',
      catalog([LOG4SHELL], { dateReleased: 'yesterday' }),
      /^"dateReleased" is missing or not a date-time/,
    ],
    [
      'a count that is not a number',
      catalog([LOG4SHELL], { count: '1' }),
      /^"count" is missing or not an integer/,
    ],
    [
      'a count that disagrees (truncated)',
      catalog([LOG4SHELL], { count: 1484 }),
      /^"count" says 1484 but "vulnerabilities" has 1 entries/,
    ],
    [
      'an entry that is not an object',
      catalog(['CVE-2021-44228']),
      /^vulnerabilities\[0\] should be an object/,
    ],
    [
      'a cveID that is no CVE',
      catalog([{ ...LOG4SHELL, cveID: 'GHSA-jfh8-c2jp-5v3q' }]),
      /^vulnerabilities\[0\]\.cveID should be a CVE id \(got "GHSA-jfh8-c2jp-5v3q"\)/,
    ],
    [
      'a missing cveID',
      catalog([OPENSSL, { ...LOG4SHELL, cveID: undefined }]),
      /^vulnerabilities\[1\]\.cveID should be a CVE id \(got nothing\)/,
    ],
    [
      'a bad dateAdded',
      catalog([{ ...LOG4SHELL, dateAdded: '12/10/2021' }]),
      /^vulnerabilities\[0\]\.dateAdded should be a date YYYY-MM-DD \(got "12\/10\/2021"\)/,
    ],
    [
      'a missing dueDate',
      catalog([{ ...LOG4SHELL, dueDate: undefined }]),
      /^vulnerabilities\[0\]\.dueDate should be a date YYYY-MM-DD \(got nothing\)/,
    ],
    [
      'a ransomware flag that is not text',
      catalog([{ ...LOG4SHELL, knownRansomwareCampaignUse: true }]),
      /^vulnerabilities\[0\]\.knownRansomwareCampaignUse should be a string \(got true\)/,
    ],
  ])('refuses %s with a clear message', (_name, text, message) => {
    let thrown: unknown
    try {
      parseKevCatalog(text)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(KevCatalogError)
    expect((thrown as Error).message).toMatch(message)
  })
})

describe('markKnownExploited', () => {
  const kev = parseKevCatalog(catalog([LOG4SHELL, OPENSSL]))

  it.each([
    ['its rule id', vulnerability('CVE-2021-44228'), 'CVE-2021-44228'],
    [
      'a CVE alias of a GHSA rule (Grype)',
      vulnerability('GHSA-jfh8-c2jp-5v3q', ['CVE-2021-44228']),
      'CVE-2021-44228',
    ],
    ['a lower-case id', vulnerability('cve-2014-0160'), 'CVE-2014-0160'],
    ['a distro advisory naming the CVE', vulnerability('DLA-2842-1', ['CVE-2021-44228']), 'CVE-2021-44228'],
  ])('marks a finding through %s', (_name, finding, cve) => {
    expect(markKnownExploited([finding], kev)[0]?.kev?.cve).toBe(cve)
  })

  it('copies the entry fields the reports show', () => {
    expect(markKnownExploited([vulnerability('CVE-2021-44228')], kev)[0]?.kev).toEqual({
      cve: 'CVE-2021-44228',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
    })
  })

  it('leaves findings not in the catalog, and findings that are not vulnerabilities, unmarked', () => {
    const secret: Finding = { ...vulnerability('CVE-2021-44228'), kind: 'secret' }
    const marked = markKnownExploited([vulnerability('CVE-2023-0001', ['GHSA-xxxx-yyyy-zzzz']), secret], kev)
    expect(marked.map((f) => f.kev)).toEqual([undefined, undefined])
  })
})
