import { describe, expect, it } from '@jest/globals'
import { fingerprintOf } from '../../src/findings/fingerprint.js'
import { buildFindingsDocument } from '../../src/report/findings-json.js'
import { TOOL_VERSION } from '../../src/version.js'
import { gateResult, imageResult, mixedFindings, scannerRun } from '../helpers/gate-result-fixtures.js'

describe('buildFindingsDocument', () => {
  const image = imageResult({ findings: mixedFindings() })
  const other = imageResult({
    target: 'debian:12',
    repository: 'library/debian',
    imageId: undefined,
    findings: mixedFindings('debian:12'),
    scanners: [scannerRun({ target: 'debian:12', status: 'failed', message: 'boom' })],
  })
  const document = buildFindingsDocument(gateResult([image, other]))

  it('has the verdict, the tool and a summary per image with its scanners', () => {
    expect(document.version).toBe(1)
    expect(document.tool.version).toBe(TOOL_VERSION)
    expect(document.verdict.result).toBe('error')
    expect(document.images).toEqual([
      {
        target: 'alpine:3.17',
        repository: 'library/alpine',
        imageId: image.imageId,
        counts: { critical: 2, high: 2, medium: 1, low: 0, unknown: 1, total: 6 },
        suppressed: 1,
        scanners: image.scanners,
      },
      {
        target: 'debian:12',
        repository: 'library/debian',
        counts: { critical: 2, high: 2, medium: 1, low: 0, unknown: 1, total: 6 },
        suppressed: 1,
        scanners: other.scanners,
      },
    ])
  })

  it('lists every finding, suppressed ones included, with the fingerprint of its image repository', () => {
    expect(document.findings).toHaveLength(14)
    expect(document.findings.filter((f) => f.suppression !== undefined)).toHaveLength(2)
    expect(document.findings[0]?.fingerprint).toBe(fingerprintOf(image.findings[0]!, 'library/alpine'))
    expect(document.findings[7]?.fingerprint).toBe(fingerprintOf(other.findings[0]!, 'library/debian'))
    expect(document.findings[0]?.fingerprint).not.toBe(document.findings[7]?.fingerprint)
  })

  it('carries the baseline counts and notes when there are some', () => {
    expect(document.baseline).toBeUndefined()
    expect(document.notes).toBeUndefined()
    const withBaseline = buildFindingsDocument({
      ...gateResult([image]),
      baseline: { newCount: 1, existingCount: 2 },
      notes: ['n'],
    })
    expect(withBaseline.baseline).toEqual({ newCount: 1, existingCount: 2 })
    expect(withBaseline.notes).toEqual(['n'])
  })

  it('round-trips through JSON', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document)
  })
})
