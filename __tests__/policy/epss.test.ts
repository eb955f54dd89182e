/** FIRST's daily EPSS CSV (`#model_version:…,score_date:…`, then `cve,epss,percentile`) and scoring findings from it. */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { applyEpssTable, EpssFileError, parseEpssCsv } from '../../src/policy/epss.js'

// The first lines of epss_scores-2026-05-18.csv as FIRST publishes it (values shortened).
const FIRST_CSV = [
  '#model_version:v2025.03.14,score_date:2026-05-18T00:00:00Z',
  'cve,epss,percentile',
  'CVE-1999-0001,0.0046,0.7385',
  'CVE-2021-44228,0.94358,0.99961',
  'CVE-2014-0160,0.9447,0.99968',
  '',
].join('\n')

function vulnerability(ruleId: string, aliases: string[] = []): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases,
    title: '',
    description: '',
    severity: 'medium',
    detectedBy: ['trivy'],
    target: 'app:1',
    references: [],
  }
}

describe('parseEpssCsv', () => {
  it('reads the model version, the score date and every row', () => {
    const table = parseEpssCsv(FIRST_CSV)
    expect(table.modelVersion).toBe('v2025.03.14')
    expect(table.scoreDate).toBe('2026-05-18')
    expect([...table.scores.entries()]).toEqual([
      ['CVE-1999-0001', { score: 0.0046, percentile: 0.7385 }],
      ['CVE-2021-44228', { score: 0.94358, percentile: 0.99961 }],
      ['CVE-2014-0160', { score: 0.9447, percentile: 0.99968 }],
    ])
  })

  it.each([
    [
      'CRLF line ends and a byte-order mark',
      '\uFEFF#model_version:v2023.03.01,score_date:2023-12-05T00:00:00+0000\r\ncve,epss,percentile\r\nCVE-2021-44228,0.97,0.99\r\n',
      { score: 0.97, percentile: 0.99 },
      '2023-12-05',
    ],
    [
      'no comment line',
      'cve,epss,percentile\nCVE-2021-44228,0.5,0.9\n',
      { score: 0.5, percentile: 0.9 },
      undefined,
    ],
    [
      'metadata on separate comment lines',
      '#model_version:v2023.03.01\n#score_date:2025-12-19\ncve,epss,percentile\ncve-2021-44228,1,1\n',
      { score: 1, percentile: 1 },
      '2025-12-19',
    ],
    [
      'columns in another order, no percentile',
      'epss,cve\n9.5e-4,CVE-2021-44228\n',
      { score: 0.00095 },
      undefined,
    ],
  ])('accepts %s', (_name, text, entry, date) => {
    const table = parseEpssCsv(text)
    expect(table.scores.get('CVE-2021-44228')).toEqual(entry)
    expect(table.scoreDate).toBe(date)
  })

  it.each([
    ['an empty file', '', /no "cve,epss,percentile" header/],
    [
      'only a comment',
      '#model_version:v2025.03.14,score_date:2026-05-18T00:00:00Z\n',
      /no "cve,epss,percentile" header/,
    ],
    ['a header without rows', 'cve,epss,percentile\n', /a header but no scores/],
    ['another CSV', 'id,score\nCVE-1,0.1\n', /^line 1: expected the header "cve,epss,percentile"/],
    [
      'the JSON API response',
      '{"status":"OK","data":[{"cve":"CVE-2021-44228","epss":"0.9"}]}',
      /^line 1: expected the header/,
    ],
    [
      'a row without a CVE id',
      'cve,epss,percentile\nCVE-2021-44228,0.5,0.9\nGHSA-x,0.1,0.2\n',
      /^line 3: "GHSA-x" is not a CVE id/,
    ],
    [
      'a score above 1',
      'cve,epss,percentile\nCVE-2021-44228,97,0.99\n',
      /^line 2: epss "97" is not a probability between 0 and 1/,
    ],
    [
      'a negative score',
      'cve,epss,percentile\nCVE-2021-44228,-0.1,0.99\n',
      /^line 2: epss "-0.1" is not a probability/,
    ],
    ['a missing score', 'cve,epss,percentile\nCVE-2021-44228\n', /^line 2: epss "" is not a probability/],
    [
      'a bad percentile',
      'cve,epss,percentile\nCVE-2021-44228,0.5,high\n',
      /^line 2: percentile "high" is not a probability/,
    ],
  ])('refuses %s, naming the line', (_name, text, message) => {
    let thrown: unknown
    try {
      parseEpssCsv(text)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(EpssFileError)
    expect((thrown as Error).message).toMatch(message)
  })
})

describe('applyEpssTable', () => {
  const table = parseEpssCsv(FIRST_CSV)

  it('scores a finding by its rule id or a CVE alias, with the file date and source', () => {
    const [byRule, byAlias, none] = applyEpssTable(
      [
        vulnerability('CVE-2014-0160'),
        vulnerability('GHSA-jfh8-c2jp-5v3q', ['CVE-2021-44228']),
        vulnerability('CVE-2099-0001'),
      ],
      table,
    )
    expect(byRule?.epss).toEqual({
      cve: 'CVE-2014-0160',
      score: 0.9447,
      percentile: 0.99968,
      date: '2026-05-18',
      source: 'epss-file',
    })
    expect(byAlias?.epss).toEqual({
      cve: 'CVE-2021-44228',
      score: 0.94358,
      percentile: 0.99961,
      date: '2026-05-18',
      source: 'epss-file',
    })
    expect(none?.epss).toBeUndefined()
  })

  it('takes the highest score when a finding names several CVEs', () => {
    const [finding] = applyEpssTable(
      [vulnerability('CVE-1999-0001', ['CVE-2014-0160', 'CVE-2021-44228'])],
      table,
    )
    expect(finding?.epss?.cve).toBe('CVE-2014-0160')
    expect(finding?.epss?.score).toBe(0.9447)
  })

  it("replaces a scanner's score with the file's", () => {
    const scanned = {
      ...vulnerability('CVE-2021-44228'),
      epss: { cve: 'CVE-2021-44228', score: 0.2, source: 'grype' },
    }
    expect(applyEpssTable([scanned], table)[0]?.epss?.source).toBe('epss-file')
    expect(applyEpssTable([scanned], table)[0]?.epss?.score).toBe(0.94358)
  })

  it('leaves other kinds alone', () => {
    const misconfiguration: Finding = { ...vulnerability('CVE-2021-44228'), kind: 'misconfiguration' }
    expect(applyEpssTable([misconfiguration], table)[0]?.epss).toBeUndefined()
  })
})
