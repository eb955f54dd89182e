import type { Finding } from '../../src/findings/finding.js'
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
    // Each image's findings are listed together (failing first within the image).
    const recordOf = (finding: Finding, first: number) =>
      document.findings
        .slice(first, first + 7)
        .find(
          (r) =>
            r.ruleId === finding.ruleId &&
            r.package?.name === finding.package?.name &&
            r.subject === finding.subject,
        )
    const alpine = recordOf(image.findings[0]!, 0)
    const debian = recordOf(other.findings[0]!, 7)
    expect(alpine?.fingerprint).toBe(fingerprintOf(image.findings[0]!, 'library/alpine'))
    expect(debian?.fingerprint).toBe(fingerprintOf(other.findings[0]!, 'library/debian'))
    expect(alpine?.fingerprint).not.toBe(debian?.fingerprint)
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
