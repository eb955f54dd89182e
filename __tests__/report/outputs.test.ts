import { describe, expect, it } from '@jest/globals'
import { buildOutputs } from '../../src/report/outputs.js'
import { gateResult, imageResult, mixedFindings } from '../helpers/gate-result-fixtures.js'

describe('buildOutputs', () => {
  const result = gateResult([imageResult({ findings: mixedFindings() })])

  it('gives the verdict, counts of unsuppressed findings and the files', () => {
    expect(buildOutputs(result, { sarifFile: 'gate.sarif', findingsFile: 'findings.json' })).toEqual({
      result: 'fail',
      total: '6',
      critical: '2',
      high: '2',
      medium: '1',
      low: '0',
      unknown: '1',
      'sarif-file': 'gate.sarif',
      'findings-file': 'findings.json',
      'sarif-truncated': '0',
    })
  })

  it('adds the upload id when there is one and the truncation count', () => {
    const outputs = buildOutputs(
      result,
      {},
      { sarifId: '47177e22-5596-11eb-80a1-c1e54ef945c6', sarifTruncated: 15000 },
    )
    expect(outputs['sarif-id']).toBe('47177e22-5596-11eb-80a1-c1e54ef945c6')
    expect(outputs['sarif-truncated']).toBe('15000')
    expect(outputs['sarif-file']).toBe('')
    expect(outputs['findings-file']).toBe('')
  })

  it('never has a sarif-id key without an id', () => {
    expect(Object.keys(buildOutputs(result, {}, { sarifId: '' }))).not.toContain('sarif-id')
  })
})
