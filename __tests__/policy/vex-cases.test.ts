/**
 * OpenVEX documents (openvex/spec OPENVEX-SPEC.md v0.2.0: statements with vulnerability, products and
 * their subcomponents, status, justification, impact/action statements, timestamps) read into statements
 * written out whole, every refusal with its exact message, and which statement decides a finding.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { applyVex, parseOpenVex, vexReason, type VexStatement } from '../../src/policy/vex.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { bareFinding } from '../helpers/gate-result-fixtures.js'
import { thrownBy } from '../helpers/thrown.js'

const CONTEXT = 'https://openvex.dev/ns/v0.2.0'

function documentOf(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ '@context': CONTEXT, statements, ...extra })
}

const fixed = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  vulnerability: 'CVE-1',
  products: ['pkg:npm/a@1.0.0'],
  status: 'fixed',
  ...extra,
})

describe('parseOpenVex: statements read', () => {
  it('reads every field of a statement', () => {
    const text = documentOf(
      [
        {
          vulnerability: {
            '@id': 'https://nvd.nist.gov/vuln/detail/CVE-1',
            name: ' CVE-1 ',
            aliases: ['GHSA-x'],
          },
          products: [
            {
              '@id': 'pkg:oci/app?repository_url=ghcr.io/acme/app',
              subcomponents: [
                { '@id': 'pkg:npm/a@1.0.0' },
                { identifiers: { purl: 'pkg:npm/b' } },
                'not-a-purl',
              ],
            },
            { '@id': 'https://acme.example/product/x', identifiers: { purl: 'pkg:npm/c@2' } },
          ],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
          impact_statement: 'never loaded',
          action_statement: 'none needed',
          status_notes: 'checked by hand',
          timestamp: '2026-01-02T03:04:05Z',
        },
      ],
      { timestamp: '2025-01-01T00:00:00Z' },
    )
    expect(parseOpenVex(text, 'vex.json')).toStrictEqual([
      {
        vulnerability: 'CVE-1',
        aliases: ['GHSA-x'],
        products: [
          {
            id: 'pkg:oci/app?repository_url=ghcr.io/acme/app',
            purl: { type: 'oci', name: 'app', qualifiers: { repository_url: 'ghcr.io/acme/app' } },
            subcomponents: [
              { id: 'pkg:npm/a@1.0.0', purl: { type: 'npm', name: 'a', version: '1.0.0' } },
              { id: 'pkg:npm/b', purl: { type: 'npm', name: 'b' } },
              { id: 'not-a-purl' },
            ],
          },
          {
            id: 'https://acme.example/product/x',
            purl: { type: 'npm', name: 'c', version: '2' },
            subcomponents: [],
          },
        ],
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
        impactStatement: 'never loaded',
        actionStatement: 'none needed',
        statusNotes: 'checked by hand',
        timestamp: '2026-01-02T03:04:05Z',
        origin: 'vex.json',
      },
    ])
  })

  it.each<[string, Record<string, unknown>, Record<string, unknown>, Partial<VexStatement>]>([
    ['a bare statement has no optional fields', fixed(), {}, {}],
    [
      'the document timestamp when the statement has none',
      fixed(),
      { timestamp: '2025-01-01T00:00:00Z' },
      { timestamp: '2025-01-01T00:00:00Z' },
    ],
    [
      'last_updated when there is no timestamp',
      fixed({ last_updated: '2026-05-05T00:00:00Z' }),
      {},
      { timestamp: '2026-05-05T00:00:00Z' },
    ],
    [
      'timestamp before last_updated',
      fixed({ timestamp: '2026-01-01T00:00:00Z', last_updated: '2026-05-05T00:00:00Z' }),
      {},
      { timestamp: '2026-01-01T00:00:00Z' },
    ],
    [
      'blank optional strings are left out',
      fixed({ action_statement: ' ', status_notes: '', impact_statement: '  ' }),
      {},
      {},
    ],
    ['null optional strings are left out', fixed({ action_statement: null, justification: null }), {}, {}],
    [
      'an impact statement alone is enough for not_affected',
      fixed({ status: 'not_affected', impact_statement: 'unused' }),
      {},
      { status: 'not_affected', impactStatement: 'unused' },
    ],
    ['under_investigation', fixed({ status: 'under_investigation' }), {}, { status: 'under_investigation' }],
    ['affected', fixed({ status: 'affected' }), {}, { status: 'affected' }],
  ])('%s', (_name, statement, extra, fields) => {
    expect(parseOpenVex(documentOf([statement], extra), 'v')).toStrictEqual([
      {
        vulnerability: 'CVE-1',
        aliases: [],
        products: [
          { id: 'pkg:npm/a@1.0.0', purl: { type: 'npm', name: 'a', version: '1.0.0' }, subcomponents: [] },
        ],
        status: 'fixed',
        origin: 'v',
        ...fields,
      },
    ])
  })

  it('accepts every @context of the openvex.dev namespace', () => {
    expect(parseOpenVex(documentOf([fixed()], { '@context': 'https://openvex.dev/ns' }), 'v')).toHaveLength(1)
  })

  it('reads an empty statement list as no statements', () => {
    expect(parseOpenVex(documentOf([]), 'v')).toStrictEqual([])
  })
})

describe('parseOpenVex: refusals', () => {
  const STATUSES = 'not_affected, affected, fixed, under_investigation'
  it.each<[string, string]>([
    ['[]', 'not an OpenVEX document: expected a JSON object'],
    ['"text"', 'not an OpenVEX document: expected a JSON object'],
    ['null', 'not an OpenVEX document: expected a JSON object'],
    [
      JSON.stringify({ statements: [] }),
      'not an OpenVEX document: @context should be https://openvex.dev/ns/v0.2.0',
    ],
    [
      JSON.stringify({ '@context': 'https://example.com/ns', statements: [] }),
      'not an OpenVEX document: @context should be https://openvex.dev/ns/v0.2.0',
    ],
    [
      JSON.stringify({ bomFormat: 'CycloneDX' }),
      'not an OpenVEX document: @context should be https://openvex.dev/ns/v0.2.0 (this looks like CycloneDX; only OpenVEX is read)',
    ],
    [JSON.stringify({ '@context': CONTEXT, statements: {} }), 'statements is missing or not a list'],
    [documentOf(['x']), 'statements[0] is not an object'],
    [documentOf([fixed({ vulnerability: ' ' })]), 'statements[0].vulnerability.name is missing'],
    [documentOf([fixed({ vulnerability: { name: 5 } })]), 'statements[0].vulnerability.name is missing'],
    [
      documentOf([fixed({ vulnerability: { name: 'CVE-1', aliases: 'GHSA-x' } })]),
      'statements[0].vulnerability.aliases should be a list of strings',
    ],
    [
      documentOf([fixed({ vulnerability: { name: 'CVE-1', aliases: [1] } })]),
      'statements[0].vulnerability.aliases should be a list of strings',
    ],
    [documentOf([fixed({ status: 'ok' })]), `statements[0].status "ok" is not one of ${STATUSES}`],
    [documentOf([fixed({ status: undefined })]), `statements[0].status undefined is not one of ${STATUSES}`],
    [documentOf([fixed({ status: ['fixed'] })]), `statements[0].status a list is not one of ${STATUSES}`],
    [
      documentOf([fixed({ status: { s: 'fixed' } })]),
      `statements[0].status an object is not one of ${STATUSES}`,
    ],
    [documentOf([fixed({ justification: 5 })]), 'statements[0].justification should be a string'],
    [
      documentOf([fixed({ justification: 'because' })]),
      "statements[0].justification 'because' is not one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist",
    ],
    [
      documentOf([fixed({ status: 'not_affected' })]),
      'statements[0]: a not_affected statement needs a justification or an impact_statement',
    ],
    [
      documentOf([fixed({ products: [] })]),
      'statements[0].products is missing: a statement must name the products it is about',
    ],
    [
      documentOf([fixed({ products: 'pkg:npm/a' })]),
      'statements[0].products is missing: a statement must name the products it is about',
    ],
    [
      documentOf([fixed({ products: [' '] })]),
      'statements[0].products[0] has neither an @id nor identifiers.purl',
    ],
    [
      documentOf([fixed({ products: [5] })]),
      'statements[0].products[0] has neither an @id nor identifiers.purl',
    ],
    [
      documentOf([fixed({ products: [{ '@id': 'pkg:npm/a', subcomponents: [{}] }] })]),
      'statements[0].products[0].subcomponents[0] has neither an @id nor identifiers.purl',
    ],
    [documentOf([fixed({ action_statement: 5 })]), 'statements[0].action_statement should be a string'],
    [documentOf([fixed({ status_notes: [] })]), 'statements[0].status_notes should be a string'],
    [documentOf([fixed({ timestamp: 5 })]), 'statements[0].timestamp should be a string'],
    [documentOf([fixed({ last_updated: 5 })]), 'statements[0].last_updated should be a string'],
    [
      documentOf([fixed({ timestamp: 'yesterday' })]),
      "statements[0].timestamp 'yesterday' is not a date-time",
    ],
    [documentOf([fixed()], { timestamp: 'soon' }), "statements[0].timestamp 'soon' is not a date-time"],
  ])('%s', (text, problem) => {
    expect(thrownBy(() => parseOpenVex(text, 'sec/app.vex.json'), ConfigurationError).message).toBe(
      `VEX document sec/app.vex.json: ${problem}`,
    )
  })

  it('lists the problems of every statement, one line each', () => {
    const text = documentOf([fixed({ status: 'ok' }), fixed(), fixed({ vulnerability: '', products: [] })])
    expect(thrownBy(() => parseOpenVex(text, 'v'), ConfigurationError).message).toBe(
      [
        'VEX document v: statements[0].status "ok" is not one of not_affected, affected, fixed, under_investigation',
        'VEX document v: statements[2].vulnerability.name is missing',
        'VEX document v: statements[2].products is missing: a statement must name the products it is about',
      ].join('\n'),
    )
  })
})

describe('applyVex', () => {
  function vuln(extra: Partial<Finding> = {}): Finding {
    return bareFinding({
      ruleId: 'CVE-1',
      aliases: ['GHSA-x'],
      target: 'ghcr.io/acme/app:1',
      package: { name: 'a', version: '1.0.0', type: 'npm', purl: 'pkg:npm/a@1.0.0' },
      ...extra,
    })
  }
  const statementsOf = (...statements: Record<string, unknown>[]): VexStatement[] =>
    parseOpenVex(documentOf(statements), 'v')
  const reasonFor = (statements: VexStatement[], finding: Finding = vuln()): string | undefined =>
    applyVex([finding], statements)[0]!.suppression?.reason

  it.each<[string, Record<string, unknown>[], string | undefined]>([
    ['fixed suppresses', [fixed()], 'fixed'],
    [
      'not_affected suppresses with its justification and impact',
      [fixed({ status: 'not_affected', justification: 'component_not_present', impact_statement: 'gone' })],
      'not_affected: component_not_present — gone',
    ],
    ['affected does not suppress', [fixed({ status: 'affected' })], undefined],
    ['under_investigation does not suppress', [fixed({ status: 'under_investigation' })], undefined],
    ['another vulnerability does not', [fixed({ vulnerability: 'CVE-2' })], undefined],
    ['a vulnerability alias matches the finding id', [fixed({ vulnerability: { name: 'GHSA-X' } })], 'fixed'],
    ['a statement alias matches', [fixed({ vulnerability: { name: 'OSV-1', aliases: ['cve-1'] } })], 'fixed'],
    ['another package does not', [fixed({ products: ['pkg:npm/b@1.0.0'] })], undefined],
    ['one of several products', [fixed({ products: ['pkg:npm/b@1.0.0', 'pkg:npm/a@1.0.0'] })], 'fixed'],
    [
      'a product that is no package URL does not',
      [fixed({ products: ['https://acme.example/app'] })],
      undefined,
    ],
    [
      'a subcomponent of a non-image product matches',
      [fixed({ products: [{ '@id': 'https://acme.example/app', subcomponents: ['pkg:npm/a'] }] })],
      'fixed',
    ],
    ['the image with no subcomponents covers every package', [fixed({ products: ['pkg:oci/app'] })], 'fixed'],
    ['another image does not', [fixed({ products: ['pkg:oci/other'] })], undefined],
    [
      'the image with the package as subcomponent',
      [fixed({ products: [{ '@id': 'pkg:oci/app', subcomponents: ['pkg:npm/a@1.0.0'] }] })],
      'fixed',
    ],
    [
      'the image with other subcomponents does not',
      [fixed({ products: [{ '@id': 'pkg:oci/app', subcomponents: ['pkg:npm/b', 'x'] }] })],
      undefined,
    ],
    // The latest statement decides: by timestamp, then by position.
    [
      'a later affected overrides fixed',
      [
        fixed({ timestamp: '2026-01-01T00:00:00Z' }),
        fixed({ status: 'affected', timestamp: '2026-02-01T00:00:00Z' }),
      ],
      undefined,
    ],
    [
      'an earlier affected does not',
      [
        fixed({ timestamp: '2026-03-01T00:00:00Z' }),
        fixed({ status: 'affected', timestamp: '2026-02-01T00:00:00Z' }),
      ],
      'fixed',
    ],
    [
      'a dated statement is later than an undated one',
      [fixed({ timestamp: '2026-01-01T00:00:00Z' }), fixed({ status: 'affected' })],
      'fixed',
    ],
    ['the later position breaks a tie', [fixed({ status: 'affected' }), fixed()], 'fixed'],
    ['the later position breaks a tie, the other way', [fixed(), fixed({ status: 'affected' })], undefined],
    [
      'a statement about another package does not take part',
      [fixed(), fixed({ status: 'affected', products: ['pkg:npm/b'] })],
      'fixed',
    ],
  ])('%s', (_name, statements, reason) => {
    expect(reasonFor(statementsOf(...statements))).toBe(reason)
  })

  it('leaves findings that are not vulnerabilities, or already suppressed, as they are', () => {
    const secret = vuln({ kind: 'secret' })
    const ignored = vuln({ suppression: { kind: 'ignore', reason: 'r' } })
    const out = applyVex([secret, ignored], statementsOf(fixed()))
    expect(out[0]).toBe(secret)
    expect(out[1]).toBe(ignored)
  })

  it('writes the suppression as kind vex', () => {
    expect(applyVex([vuln()], statementsOf(fixed()))[0]!.suppression).toStrictEqual({
      kind: 'vex',
      reason: 'fixed',
    })
  })
})

describe('vexReason', () => {
  const base: VexStatement = {
    vulnerability: 'CVE-1',
    aliases: [],
    products: [],
    status: 'not_affected',
    origin: 'v',
  }
  it.each<[Partial<VexStatement>, string]>([
    [{}, 'not_affected'],
    [{ justification: 'component_not_present' }, 'not_affected: component_not_present'],
    [{ impactStatement: 'unused' }, 'not_affected — unused'],
    [
      { justification: 'component_not_present', impactStatement: 'unused' },
      'not_affected: component_not_present — unused',
    ],
  ])('%j → %j', (fields, reason) => {
    expect(vexReason({ ...base, ...fields })).toBe(reason)
  })
})
