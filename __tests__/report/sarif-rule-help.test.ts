/**
 * A rule's help, tags, precision, name and score at their edges: a vulnerability without packages,
 * aliases or description; packages told apart by type; the first score found; a rule title chosen by
 * count then text; the first paragraph of a built-in check's help; the compliance precision; long names.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { buildRules } from '../../src/report/sarif-rules.js'
import { builtinFinding, vulnerability } from '../helpers/gate-result-fixtures.js'

const rule = (findings: Finding[]) => {
  const [only, ...rest] = buildRules(findings).rules
  expect(rest).toEqual([])
  return only!
}

const bare = (overrides: Partial<Finding> = {}): Finding => {
  const {
    package: _package,
    fix: _fix,
    score: _score,
    layer: _layer,
    ...rest
  } = vulnerability({
    aliases: [],
    references: [],
    description: '',
    detectedBy: ['trivy'],
  })
  return { ...rest, ...overrides }
}

describe('vulnerability help', () => {
  it('of a finding with no package, score, alias, description or reference is its id and title', () => {
    expect(rule([bare({ severity: 'unknown' })])).toStrictEqual({
      id: 'CVE-2023-0286',
      name: 'Cve20230286',
      shortDescription: { text: 'openssl: X.400 address type confusion in X.509 GeneralName' },
      fullDescription: { text: 'openssl: X.400 address type confusion in X.509 GeneralName' },
      help: {
        text: 'CVE-2023-0286: openssl: X.400 address type confusion in X.509 GeneralName',
        markdown: '**CVE-2023-0286**: openssl: X.400 address type confusion in X.509 GeneralName',
      },
      helpUri: undefined,
      properties: { tags: ['security', 'vulnerability', 'trivy'], precision: 'high' },
    })
  })

  it('skips a blank description in the markdown and takes the first score any finding has', () => {
    const help = rule([
      // The more severe finding comes first and has no score: the score is the next one's.
      bare({ description: '  \n ', severity: 'critical' }),
      bare({ description: '  \n ', severity: 'high', score: 7.5, detectedBy: ['grype'] }),
    ]).help
    expect(help).toStrictEqual({
      text: 'CVE-2023-0286: openssl: X.400 address type confusion in X.509 GeneralName\n\nCVSS score: 7.5',
      markdown:
        '**CVE-2023-0286**: openssl: X.400 address type confusion in X.509 GeneralName\n\n**CVSS score:** 7.5',
    })
  })

  it('lists a package once per type, name and version, leaving out findings without a package', () => {
    const deb = { name: 'zlib', version: '1.2.13', type: 'deb' }
    const help = rule([
      bare({ package: deb }),
      bare({ package: { ...deb, type: 'rpm' } }),
      bare({ package: { ...deb, version: '1.3' } }),
      bare({ package: { ...deb, name: 'zlib1g' } }),
      bare({ package: { ...deb } }),
      bare(),
    ]).help
    expect(help?.text).toBe(
      'CVE-2023-0286: openssl: X.400 address type confusion in X.509 GeneralName\n\nAffected packages:\n' +
        '- zlib 1.2.13 (deb), no fixed version known\n- zlib 1.2.13 (rpm), no fixed version known\n' +
        '- zlib 1.3 (deb), no fixed version known\n- zlib1g 1.2.13 (deb), no fixed version known',
    )
    expect(help?.markdown).toBe(
      '**CVE-2023-0286**: openssl: X.400 address type confusion in X.509 GeneralName\n\n' +
        '| Package | Installed version | Type | Fixed in |\n| --- | --- | --- | --- |\n' +
        '| zlib | 1.2.13 | deb | no fixed version known |\n| zlib | 1.2.13 | rpm | no fixed version known |\n' +
        '| zlib | 1.3 | deb | no fixed version known |\n| zlib1g | 1.2.13 | deb | no fixed version known |',
    )
  })

  it('shows a dash for an empty version or type', () => {
    const help = rule([bare({ package: { name: 'app', version: '', type: '' } })]).help
    expect(help?.markdown).toContain('\n| app | — | — | no fixed version known |')
  })

  it('names at most 10 aliases, each once', () => {
    const aliases = Array.from({ length: 12 }, (_, i) => `GHSA-alias-${String(i).padStart(2, '0')}`)
    const help = rule([bare({ aliases: [...aliases.slice(0, 6), 'GHSA-alias-00'] }), bare({ aliases })]).help
    expect(help?.text).toBe(
      'CVE-2023-0286: openssl: X.400 address type confusion in X.509 GeneralName\n\n' +
        `Also known as: ${aliases.slice(0, 10).join(', ')}`,
    )
  })
})

describe('tags, precision and score', () => {
  it('tags kev when any finding of the rule is known-exploited, not only the first', () => {
    const kev = {
      cve: 'CVE-2023-0286',
      dateAdded: '2024-01-10',
      dueDate: '2024-01-31',
      knownRansomwareCampaignUse: 'Unknown',
    }
    expect(rule([bare(), bare({ kev, detectedBy: ['grype'] })]).properties?.tags).toEqual([
      'security',
      'kev',
      'vulnerability',
      'grype',
      'trivy',
    ])
    expect(rule([bare(), bare({ detectedBy: ['grype'] })]).properties?.tags).toEqual([
      'security',
      'vulnerability',
      'grype',
      'trivy',
    ])
  })

  it('gives a compliance rule high precision', () => {
    expect(rule([builtinFinding({ kind: 'compliance', ruleId: 'cis-4.1' })]).properties?.precision).toBe(
      'high',
    )
  })

  it.each<[string, Finding[], string]>([
    [
      'the highest score at the rule severity, whatever the order',
      [bare({ severity: 'critical', score: 9.8 }), bare({ severity: 'critical', score: 9.1 })],
      '9.8',
    ],
    [
      'not the score of a finding at another severity, even a higher one',
      [bare({ severity: 'critical', score: 9.1 }), bare({ severity: 'high', score: 9.6 })],
      '9.1',
    ],
    [
      'the default of the severity when no finding at it has a score',
      [bare({ severity: 'critical' }), bare({ severity: 'high', score: 9.6 })],
      '9.5',
    ],
  ])('security-severity: %s', (_name, findings, expected) => {
    expect(rule(findings).properties?.['security-severity']).toBe(expected)
  })
})

describe('rule text of findings without a rule title', () => {
  const misconfiguration = (title: string): Finding =>
    builtinFinding({
      ruleId: 'DL3008',
      title,
      description: 'Pin versions in apt get install.',
      help: undefined,
      ruleTitle: undefined,
    })

  it.each<[string, string[], string]>([
    ['the most common title', ['Pin b', 'Pin a', 'Pin b'], 'Pin b'],
    ['the first by text on a tie, whatever the order', ['Pin b', 'Pin a'], 'Pin a'],
    ['the first by text on a tie, in order', ['Pin a', 'Pin b'], 'Pin a'],
  ])('%s', (_name, titles, expected) => {
    expect(rule(titles.map(misconfiguration)).shortDescription).toStrictEqual({ text: expected })
  })

  it('writes generic help without repeating a description equal to the title', () => {
    const same = builtinFinding({
      ruleId: 'X1',
      title: 'Same text',
      description: 'Same text',
      help: undefined,
      ruleTitle: undefined,
      references: [],
    })
    expect(rule([same]).help).toStrictEqual({ text: 'Same text', markdown: '**Same text**' })
    const empty = builtinFinding({
      ruleId: 'X2',
      title: 'Only a title',
      description: '',
      help: undefined,
      ruleTitle: undefined,
      references: [],
    })
    expect(rule([empty]).help).toStrictEqual({ text: 'Only a title', markdown: '**Only a title**' })
    expect(rule([empty]).fullDescription).toStrictEqual({ text: 'Only a title' })
  })
})

describe('rule text of built-in checks (a rule title and help of their own)', () => {
  it.each<[string, string | undefined, string]>([
    [
      'the first paragraph of padded help',
      '\n\n  Runs as root.\nStill the first.\n  \nSecond paragraph.',
      'Runs as root. Still the first.',
    ],
    ['a paragraph break of several blanks', 'First.\n\n\nSecond.', 'First.'],
    ['no help at all: the rule title', undefined, 'Image runs as root'],
  ])('%s', (_name, text, expected) => {
    const finding = builtinFinding({
      ruleId: 'csg/root-user',
      ruleTitle: 'Image runs as root',
      help: text === undefined ? undefined : { text, markdown: text },
    })
    expect(rule([finding]).fullDescription).toStrictEqual({ text: expected })
  })

  it.each<[string, string, string]>([
    ['punctuation and case', 'ENV holds a SECRET: (AWS_KEY)!', 'EnvHoldsASecretAwsKey'],
    [
      'at most ten words',
      'one two three four five six seven eight nine ten eleven twelve',
      'OneTwoThreeFourFiveSixSevenEightNineTen',
    ],
    [
      'at most 80 characters',
      Array.from({ length: 10 }, () => 'abcdefghij').join(' '),
      'Abcdefghij'.repeat(8),
    ],
    ['a title starting with a digit', '2 ports exposed', 'Misconfiguration2PortsExposed'],
  ])('name from the rule title: %s', (_name, title, expected) => {
    expect(rule([builtinFinding({ ruleId: 'csg/x', ruleTitle: title })]).name).toBe(expected)
  })
})

describe('rule order', () => {
  it('sorts rules by id whatever order the findings come in', () => {
    const ids = buildRules([
      bare({ ruleId: 'CVE-2024-2' }),
      bare({ ruleId: 'CVE-2024-1' }),
      bare({ ruleId: 'CVE-2023-9' }),
    ])
    expect(ids.rules.map((r) => r.id)).toEqual(['CVE-2023-9', 'CVE-2024-1', 'CVE-2024-2'])
    expect([...ids.indexOf]).toEqual([
      ['CVE-2023-9', 0],
      ['CVE-2024-1', 1],
      ['CVE-2024-2', 2],
    ])
  })
})
