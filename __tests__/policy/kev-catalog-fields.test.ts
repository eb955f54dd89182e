/**
 * parseKevCatalog field by field: each required field of CISA's schema (cisagov/kev-data
 * known_exploited_vulnerabilities_schema.json) refused with its own message when missing or malformed,
 * values trimmed where the catalog pads them, and the anchors of the id and date patterns.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { vulnerability } from '../helpers/gate-result-fixtures.js'
import { thrownBy } from '../helpers/thrown.js'
import {
  KEV_CATALOG_URL,
  KevCatalogError,
  markKnownExploited,
  parseKevCatalog,
} from '../../src/policy/kev.js'

const ENTRY = {
  cveID: 'CVE-2021-44228',
  dateAdded: '2021-12-10',
  dueDate: '2021-12-24',
  knownRansomwareCampaignUse: 'Known',
}

function catalogText(top: Record<string, unknown>, entries: unknown[] = [ENTRY]): string {
  return JSON.stringify({
    catalogVersion: '2026.12.04',
    dateReleased: '2026-12-04T17:02:11.6219Z',
    count: entries.length,
    vulnerabilities: entries,
    ...top,
  })
}

function refusal(text: string): string {
  const error = thrownBy(() => parseKevCatalog(text), KevCatalogError)
  expect(error.name).toBe('KevCatalogError')
  return error.message
}

describe('parseKevCatalog refuses a catalog without the fields of the schema', () => {
  it.each<[string, string, string]>([
    [
      'an empty catalogVersion',
      catalogText({ catalogVersion: '' }),
      '"catalogVersion" is missing or not a string',
    ],
    [
      'a blank catalogVersion',
      catalogText({ catalogVersion: '   ' }),
      '"catalogVersion" is missing or not a string',
    ],
    [
      'a numeric catalogVersion',
      catalogText({ catalogVersion: 2026 }),
      '"catalogVersion" is missing or not a string',
    ],
    [
      'a missing dateReleased',
      catalogText({ dateReleased: undefined }),
      '"dateReleased" is missing or not a date-time',
    ],
    [
      'a dateReleased that is not a date',
      catalogText({ dateReleased: 'yesterday' }),
      '"dateReleased" is missing or not a date-time',
    ],
    [
      'a dateReleased with a short year',
      catalogText({ dateReleased: '26-12-04T00:00:00Z' }),
      '"dateReleased" is missing or not a date-time',
    ],
    ['a count given as text', catalogText({ count: '1' }), '"count" is missing or not an integer'],
    ['a fractional count', catalogText({ count: 1.5 }), '"count" is missing or not an integer'],
    ['a missing count', catalogText({ count: undefined }), '"count" is missing or not an integer'],
    [
      'a list given as an object',
      catalogText({ vulnerabilities: { a: 1 } }),
      '"vulnerabilities" is missing or not a list',
    ],
    [
      'an array at the top',
      JSON.stringify([ENTRY]),
      'the top level should be an object with "vulnerabilities"',
    ],
    ['null at the top', 'null', 'the top level should be an object with "vulnerabilities"'],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toBe(message)
  })

  it.each<[string, Record<string, unknown>, string]>([
    [
      'a cveID with text before it',
      { ...ENTRY, cveID: 'see CVE-2021-44228' },
      'vulnerabilities[0].cveID should be a CVE id (got "see CVE-2021-44228")',
    ],
    [
      'a cveID with text after it',
      { ...ENTRY, cveID: 'CVE-2021-44228 (log4j)' },
      'vulnerabilities[0].cveID should be a CVE id (got "CVE-2021-44228 (log4j)")',
    ],
    [
      'a missing cveID',
      { dateAdded: '2021-12-10', dueDate: '2021-12-24' },
      'vulnerabilities[0].cveID should be a CVE id (got nothing)',
    ],
    [
      'a dateAdded with a time after it',
      { ...ENTRY, dateAdded: '2021-12-10T00:00' },
      'vulnerabilities[0].dateAdded should be a date YYYY-MM-DD (got "2021-12-10T00:00")',
    ],
    [
      'a dateAdded with text before it',
      { ...ENTRY, dateAdded: 'on 2021-12-10' },
      'vulnerabilities[0].dateAdded should be a date YYYY-MM-DD (got "on 2021-12-10")',
    ],
    [
      'a dueDate that is a number',
      { ...ENTRY, dueDate: 20211224 },
      'vulnerabilities[0].dueDate should be a date YYYY-MM-DD (got 20211224)',
    ],
    [
      'a ransomware flag that is a boolean',
      { ...ENTRY, knownRansomwareCampaignUse: true },
      'vulnerabilities[0].knownRansomwareCampaignUse should be a string (got true)',
    ],
    [
      'an entry that is a list',
      ['CVE-2021-44228'] as unknown as Record<string, unknown>,
      'vulnerabilities[0] should be an object',
    ],
  ])('%s', (_name, entry, message) => {
    expect(refusal(catalogText({}, [entry]))).toBe(message)
  })

  it('shortens a long bad value to 60 characters in the message', () => {
    const long = `CVE-${'9'.repeat(70)}`
    const message = refusal(catalogText({}, [{ ...ENTRY, cveID: long }]))
    expect(message).toBe(`vulnerabilities[0].cveID should be a CVE id (got "CVE-${'9'.repeat(54)}…)`)
  })

  it('keeps a bad value of exactly 60 characters whole', () => {
    const sixty = `"CVE-${'9'.repeat(54)}"` // JSON text of 60 characters
    expect(sixty).toHaveLength(60)
    const message = refusal(catalogText({}, [{ ...ENTRY, cveID: JSON.parse(sixty) as string }]))
    expect(message).toBe(`vulnerabilities[0].cveID should be a CVE id (got ${sixty})`)
  })
})

describe('parseKevCatalog reads padded and minimal catalogs', () => {
  it('strips a byte-order mark and trims the version and ids', () => {
    const text = `\uFEFF${catalogText({ catalogVersion: ' 2026.12.04 ' }, [{ ...ENTRY, cveID: ' cve-2021-44228 '.toUpperCase() }])}`
    const catalog = parseKevCatalog(text)
    expect(catalog.catalogVersion).toBe('2026.12.04')
    expect(catalog.dateReleased).toBe('2026-12-04T17:02:11.6219Z')
    expect(catalog.count).toBe(1)
    expect([...catalog.entries.keys()]).toEqual(['CVE-2021-44228'])
    expect(catalog.entries.get('CVE-2021-44228')).toEqual({
      cve: 'CVE-2021-44228',
      dateAdded: '2021-12-10',
      dueDate: '2021-12-24',
      knownRansomwareCampaignUse: 'Known',
    })
  })

  it.each<[string, unknown, string]>([
    ['null', null, 'Unknown'],
    ['blank', '   ', 'Unknown'],
    ['padded', ' Known ', 'Known'],
  ])('reads a %s ransomware flag as %s', (_name, value, expected) => {
    const catalog = parseKevCatalog(catalogText({}, [{ ...ENTRY, knownRansomwareCampaignUse: value }]))
    expect(catalog.entries.get('CVE-2021-44228')?.knownRansomwareCampaignUse).toBe(expected)
  })

  it('a byte-order mark in the middle of the text is not stripped (not JSON)', () => {
    expect(refusal(`{"a":\uFEFF1}`)).toMatch(/^not JSON \(/)
  })

  it('names CISA’s feed as where the catalog is downloaded from', () => {
    expect(KEV_CATALOG_URL).toBe(
      'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    )
  })
})

describe('markKnownExploited through the ids of a finding', () => {
  const catalog = (): ReturnType<typeof parseKevCatalog> => parseKevCatalog(catalogText({}))
  const finding = (ruleId: string, aliases: string[]): Finding => vulnerability({ ruleId, aliases })

  it.each<[string, string, string[], boolean]>([
    ['a lower-case padded rule id', ' cve-2021-44228 ', [], true],
    ['a lower-case alias', 'GHSA-jfh8-c2jp-5v3q', ['cve-2021-44228'], true],
    ['an id that only ends with the CVE', 'XCVE-2021-44228', [], false],
    ['a GHSA id alone', 'GHSA-jfh8-c2jp-5v3q', [], false],
  ])('%s', (_name, ruleId, aliases, marked) => {
    const [result] = markKnownExploited([finding(ruleId, aliases)], catalog())
    expect(result?.kev?.cve).toBe(marked ? 'CVE-2021-44228' : undefined)
  })
})
