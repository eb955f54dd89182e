/**
 * parseEpssCsv line by line (FIRST's `epss_scores-YYYY-MM-DD.csv`: a `#model_version:…,score_date:…`
 * comment, the header `cve,epss,percentile`, rows of probabilities) and applyEpssTable's choice among a
 * finding's CVEs, with every refused input's message written out.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { vulnerability as fixture } from '../helpers/gate-result-fixtures.js'
import { thrownBy } from '../helpers/thrown.js'
import { applyEpssTable, EpssFileError, parseEpssCsv } from '../../src/policy/epss.js'

function refusal(text: string): string {
  const error = thrownBy(() => parseEpssCsv(text), EpssFileError)
  expect(error.name).toBe('EpssFileError')
  return error.message
}

const rows = (...lines: string[]): string => lines.join('\n')

describe('parseEpssCsv refuses what is not an EPSS score file', () => {
  it.each<[string, string, string]>([
    [
      'a header without epss',
      rows('cve,percentile', 'CVE-2021-44228,0.9'),
      'line 1: expected the header "cve,epss,percentile" (FIRST\'s EPSS CSV), got "cve,percentile"',
    ],
    [
      'a header without cve',
      rows('epss,percentile', '0.9,0.9'),
      'line 1: expected the header "cve,epss,percentile" (FIRST\'s EPSS CSV), got "epss,percentile"',
    ],
    ['a row without its cve cell', rows('epss,cve', '0.5'), 'line 2: "" is not a CVE id'],
    [
      'a cve with text before it',
      rows('cve,epss', 'xCVE-2021-44228,0.5'),
      'line 2: "xCVE-2021-44228" is not a CVE id',
    ],
    [
      'a cve with text after it',
      rows('cve,epss', 'CVE-2021-44228x,0.5'),
      'line 2: "CVE-2021-44228x" is not a CVE id',
    ],
    [
      'a byte-order mark inside an id',
      rows('cve,epss', 'CVE-2021-\uFEFF44228,0.5'),
      'line 2: "CVE-2021-\uFEFF44228" is not a CVE id',
    ],
    [
      'a score above 1',
      rows('cve,epss', 'CVE-2021-44228,1.5'),
      'line 2: epss "1.5" is not a probability between 0 and 1',
    ],
    [
      'a score with a sign',
      rows('cve,epss', 'CVE-2021-44228,+0.5'),
      'line 2: epss "+0.5" is not a probability between 0 and 1',
    ],
    [
      'a score in hexadecimal',
      rows('cve,epss', 'CVE-2021-44228,0x1'),
      'line 2: epss "0x1" is not a probability between 0 and 1',
    ],
    [
      'a negative score',
      rows('cve,epss', 'CVE-2021-44228,-0.5'),
      'line 2: epss "-0.5" is not a probability between 0 and 1',
    ],
    [
      'a percentile that is text',
      rows('cve,epss,percentile', 'CVE-2021-44228,0.5,high'),
      'line 2: percentile "high" is not a probability between 0 and 1',
    ],
    ['only comments', rows('#model_version:v1', ''), 'no "cve,epss,percentile" header: not an EPSS CSV'],
    ['a header and no rows', rows('cve,epss,percentile', ''), 'the file has a header but no scores'],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toBe(message)
  })

  it('shortens a long bad cell to 60 characters and keeps one of 60 whole', () => {
    const long = `CVE-${'1'.repeat(70)}`
    expect(refusal(rows('cve,epss', `${long},0.5`))).toBe(`line 2: "CVE-${'1'.repeat(55)}…" is not a CVE id`)
    const sixty = `CVE-${'1'.repeat(56)}`
    expect(refusal(rows('cve,epss', `${sixty},0.5`))).toBe(`line 2: "${sixty}" is not a CVE id`)
  })
})

describe('parseEpssCsv reads FIRST’s file and its variants', () => {
  it('reads scores written as exponents, zero and one, padded cells and blank lines', () => {
    const table = parseEpssCsv(
      rows(
        '\uFEFF#model_version: v2025.03.14 , score_date: 2026-05-18T00:00:00Z',
        '   ',
        'CVE , EPSS , Percentile',
        ' cve-2021-44228 , 0.5e0 , 5e-01 ',
        '   ',
        'CVE-2014-0160,0,1',
        'CVE-1999-0001,1,0.0',
      ),
    )
    expect(table).toStrictEqual({
      scores: new Map([
        ['CVE-2021-44228', { score: 0.5, percentile: 0.5 }],
        ['CVE-2014-0160', { score: 0, percentile: 1 }],
        ['CVE-1999-0001', { score: 1, percentile: 0 }],
      ]),
      modelVersion: 'v2025.03.14',
      scoreDate: '2026-05-18',
    })
  })

  it('finds the columns wherever the header puts them, and has no percentile without its column', () => {
    expect(parseEpssCsv(rows('percentile,cve,epss', '0.25,CVE-2021-44228,0.75')).scores).toStrictEqual(
      new Map([['CVE-2021-44228', { score: 0.75, percentile: 0.25 }]]),
    )
    expect(parseEpssCsv(rows('epss,cve', '0.75,CVE-2021-44228')).scores).toStrictEqual(
      new Map([['CVE-2021-44228', { score: 0.75 }]]),
    )
  })

  it.each<[string, string, string | undefined, string | undefined]>([
    ['both keys', '#model_version:v1,score_date:2026-05-18', 'v1', '2026-05-18'],
    ['an empty model version', '#model_version:,score_date:2026-05-18', undefined, '2026-05-18'],
    ['a key without a value or colon', '#model_versionZ,score_date', undefined, undefined],
    ['a date under another key', '#model_version:2026-01-01', '2026-01-01', undefined],
    ['a score date that is not a date', '#score_date:soon', undefined, undefined],
    ['a score date with text before it', '#score_date:x2026-05-18', undefined, undefined],
    ['a score date with a one-digit day', '#score_date:2026-05-1T00:00:00Z', undefined, undefined],
    ['upper-case keys', '#MODEL_VERSION:v2,Score_Date:2026-05-18', 'v2', '2026-05-18'],
  ])('reads the comment line with %s', (_name, comment, modelVersion, scoreDate) => {
    const table = parseEpssCsv(rows(comment, 'cve,epss', 'CVE-2021-44228,0.5'))
    expect(table.modelVersion).toBe(modelVersion)
    expect(table.scoreDate).toBe(scoreDate)
    expect('modelVersion' in table).toBe(modelVersion !== undefined)
    expect('scoreDate' in table).toBe(scoreDate !== undefined)
  })
})

describe('applyEpssTable', () => {
  const vulnerability = (ruleId: string, aliases: string[] = []): Finding => fixture({ ruleId, aliases })

  it('keeps the first CVE of equal scores, and adds no percentile or date the file lacks', () => {
    const table = parseEpssCsv(rows('cve,epss', 'CVE-2021-0001,0.5', 'CVE-2021-0002,0.5'))
    const [scored] = applyEpssTable([vulnerability('CVE-2021-0001', ['CVE-2021-0002'])], table)
    expect(scored?.epss).toStrictEqual({ cve: 'CVE-2021-0001', score: 0.5, source: 'epss-file' })
  })

  it('takes a later CVE only when its score is higher', () => {
    const table = parseEpssCsv(
      rows(
        '#score_date:2026-05-18',
        'cve,epss,percentile',
        'CVE-2021-0001,0.25,0.5',
        'CVE-2021-0002,0.75,0.9',
      ),
    )
    const [scored] = applyEpssTable([vulnerability('CVE-2021-0001', ['GHSA-xxxx', 'CVE-2021-0002'])], table)
    expect(scored?.epss).toStrictEqual({
      cve: 'CVE-2021-0002',
      score: 0.75,
      percentile: 0.9,
      date: '2026-05-18',
      source: 'epss-file',
    })
  })

  it('returns a finding the file does not score as the same object', () => {
    const table = parseEpssCsv(rows('cve,epss', 'CVE-2021-0001,0.5'))
    const unscored = vulnerability('CVE-2030-9999')
    const [result] = applyEpssTable([unscored], table)
    expect(result).toBe(unscored)
    expect(result && 'epss' in result).toBe(false)
  })
})
