import { describe, expect, it } from '@jest/globals'
import { validateSarifSchema } from './sarif-check.js'

const valid = {
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'x', rules: [{ id: 'R1' }, { id: 'R2' }] } },
      results: [
        {
          ruleId: 'R1',
          message: { text: 'm' },
          locations: [{ physicalLocation: { artifactLocation: { uri: 'a/b' }, region: { startLine: 1 } } }],
        },
      ],
    },
  ],
}

describe('validateSarifSchema', () => {
  it('accepts a valid log', () => {
    expect(validateSarifSchema(valid)).toEqual([])
  })

  it.each([
    ['a wrong version', { ...valid, version: '2.0.0' }],
    ['no runs', { version: '2.1.0' }],
    ['a result without a message', { ...valid, runs: [{ ...valid.runs[0], results: [{ ruleId: 'R1' }] }] }],
    [
      'a region starting at line 0',
      JSON.parse(JSON.stringify(valid).replace('"startLine":1', '"startLine":0')),
    ],
    ['an invalid URI', JSON.parse(JSON.stringify(valid).replace('"a/b"', '"http://[bad"'))],
    ['two identical rules', JSON.parse(JSON.stringify(valid).replace('"R2"', '"R1"'))],
  ])('rejects %s', (_name, log) => {
    expect(validateSarifSchema(log)).not.toEqual([])
  })
})
