import { describe, expect, it } from '@jest/globals'
import { detectReportFormat } from '../../src/scanners/report-detect.js'

describe('detectReportFormat', () => {
  it.each([
    ['trivy with Results', '{"SchemaVersion":2,"ArtifactName":"app:ci","Results":[]}', { format: 'trivy' }],
    ['trivy without Results', '{"SchemaVersion":2,"ArtifactName":"app:ci"}', { format: 'trivy' }],
    ['grype', '{"matches":[],"descriptor":{"name":"grype","version":"0.111.0"}}', { format: 'grype' }],
    ['sarif by version', '{"version":"2.1.0","runs":[]}', { format: 'sarif' }],
    [
      'sarif by $schema',
      '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{}]}',
      { format: 'sarif' },
    ],
    [
      'our findings JSON',
      '{"version":1,"tool":{"name":"container-security-gate","version":"0.1.0"},"findings":[]}',
      { format: 'findings' },
    ],
    [
      'our findings JSON of a newer format version (the parser says what is wrong)',
      '{"version":7,"tool":{"name":"container-security-gate","version":"9.0.0"},"findings":[]}',
      { format: 'findings' },
    ],
    ['another tool with a findings list', '{"tool":{"name":"other"},"findings":[]}', undefined],
    ['grype-like without its descriptor', '{"matches":[]}', undefined],
    ['SchemaVersion alone', '{"SchemaVersion":2}', undefined],
    ['sarif without runs', '{"version":"2.1.0"}', undefined],
    ['a JSON array (hadolint)', '[{"code":"DL3007"}]', undefined],
    ['not JSON', 'SchemaVersion: 2', undefined],
  ])('%s', (_name, text, expected) => {
    expect(detectReportFormat(text)).toEqual(expected)
  })
})
