import { describe, expect, it } from '@jest/globals'
import type { Severity } from '../../src/findings/severity.js'
import { ANNOTATIONS_PER_LEVEL, AnnotationCounter, selectAnnotations } from '../../src/report/annotations.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import {
  builtinFinding,
  gateResult,
  imageResult,
  manyFindings,
  mixedFindings,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

function countByLevel(annotations: { level: string }[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const a of annotations) counts[a.level] = (counts[a.level] ?? 0) + 1
  return counts
}

describe('selectAnnotations', () => {
  it('annotates every finding when they fit, without a "more" notice, and skips suppressed ones', () => {
    const annotations = selectAnnotations(gateResult([imageResult({ findings: mixedFindings() })]))
    expect(annotations.map((a) => [a.level, a.title.split(':')[0]])).toEqual([
      // Within a severity, findings on a Dockerfile line first.
      ['error', 'CRITICAL CSG010'],
      ['error', 'CRITICAL CVE-2023-0286'],
      ['error', 'HIGH CSG001'],
      ['error', 'HIGH CVE-2023-0286'],
      ['warning', 'MEDIUM CVE-2022-48174'],
      ['notice', 'UNKNOWN GHSA-c2qf-rxjj-qqgw'],
    ])
    expect(annotations.some((a) => a.title.includes('CVE-2023-5678'))).toBe(false)
  })

  it('places findings on their Dockerfile lines', () => {
    const annotations = selectAnnotations(gateResult([imageResult({ findings: mixedFindings() })]))
    const secret = annotations.find((a) => a.title.startsWith('CRITICAL CSG010'))
    expect(secret).toMatchObject({ file: 'Dockerfile', startLine: 4, endLine: 5 })
    expect(secret?.message).toContain(
      'CSG010: Secret in an ENV instruction [ENV AWS_SECRET_ACCESS_KEY] — found by builtin',
    )
    const cve = annotations.find((a) => a.title.startsWith('CRITICAL CVE-2023-0286'))
    expect(cve?.file).toBeUndefined()
    expect(cve?.message.split('\n')[0]).toBe(
      'CVE-2023-0286 in libssl3 3.0.7-r0 (apk), fixed in 3.0.8-r0 — found by trivy, grype',
    )
  })

  it.each([
    [1_000, { error: 10, warning: 10, notice: 10 }],
    [25, { error: 10, warning: 5, notice: 10 }],
    [12, { error: 5, warning: 2, notice: 5 }],
  ])(
    'spends at most 10 per level on %i findings, the last notice saying how many more',
    (count, expected) => {
      const annotations = selectAnnotations(
        gateResult([imageResult({ findings: manyFindings(count, { criticalEvery: 5 }) })]),
      )
      expect(countByLevel(annotations)).toEqual(expected)
      const shown = annotations.length - (count > annotations.length ? 1 : 0)
      if (count > shown) {
        const last = annotations[annotations.length - 1]
        expect(last?.level).toBe('notice')
        expect(last?.message).toContain(`${count - shown} more finding(s)`)
        expect(last?.message).toContain('job summary')
      }
    },
  )

  it('keeps the notice budget when only lower levels overflow', () => {
    const lows = Array.from({ length: 15 }, (_, i) =>
      vulnerability({
        severity: 'low',
        score: undefined,
        package: { name: `p${i}`, version: '1', type: 'apk' },
      }),
    )
    const annotations = selectAnnotations(gateResult([imageResult({ findings: lows })]), {
      sarifFile: 'gate.sarif',
    })
    expect(annotations).toHaveLength(ANNOTATIONS_PER_LEVEL)
    expect(annotations.filter((a) => a.title.startsWith('LOW'))).toHaveLength(9)
    expect(annotations[9]?.message).toBe(
      '6 more finding(s) (6 notice) are not annotated here (GitHub shows 10 per level); see the job summary and gate.sarif.',
    )
  })

  it('prefers findings on Dockerfile lines within a level', () => {
    const severity: Severity = 'high'
    const unplaced = Array.from({ length: 12 }, (_, i) =>
      vulnerability({ severity, score: 8.9, package: { name: `lib${i}`, version: '1', type: 'apk' } }),
    )
    const placed = builtinFinding({ severity, location: { path: './Dockerfile', startLine: 7 } })
    const annotations = selectAnnotations(gateResult([imageResult({ findings: [...unplaced, placed] })]))
    expect(annotations[0]).toMatchObject({ level: 'error', file: 'Dockerfile', startLine: 7 })
    expect(annotations.filter((a) => a.level === 'error')).toHaveLength(10)
  })

  it('does not prefer a location in another file than the Dockerfile', () => {
    const other = builtinFinding({ location: { path: 'other/Containerfile', startLine: 2 } })
    const cve = vulnerability({ severity: 'high', score: 8.0 })
    const annotations = selectAnnotations(gateResult([imageResult({ findings: [other, cve] })]), {
      dockerfile: 'Dockerfile',
    })
    expect(annotations.map((a) => a.title.split(':')[0])).toEqual(['HIGH CVE-2023-0286', 'HIGH CSG001'])
  })

  it.each<[string, { startLine: number; endLine?: number }, { startLine: number; endLine?: number }]>([
    ['whole lines', { startLine: 3, endLine: 5 }, { startLine: 3, endLine: 5 }],
    ['fractions cut down', { startLine: 2.9, endLine: 5.5 }, { startLine: 2, endLine: 5 }],
    ['an end before the start dropped', { startLine: 4, endLine: 3 }, { startLine: 4 }],
    ['a start line of 0 raised to 1', { startLine: 0 }, { startLine: 1 }],
    [
      'a start that is not a number as line 1',
      { startLine: Number.NaN, endLine: 2 },
      { startLine: 1, endLine: 2 },
    ],
    ['an infinite end dropped', { startLine: 1, endLine: Number.POSITIVE_INFINITY }, { startLine: 1 }],
  ])('puts a finding on the lines SARIF gives it: %s', (_name, lines, expected) => {
    const placed = builtinFinding({ location: { path: 'Dockerfile', ...lines } })
    const [annotation] = selectAnnotations(gateResult([imageResult({ findings: [placed] })]))
    expect({ startLine: annotation!.startLine, endLine: annotation!.endLine }).toStrictEqual({
      startLine: expected.startLine,
      endLine: expected.endLine,
    })
  })

  it('returns nothing for a clean image', () => {
    expect(selectAnnotations(gateResult([imageResult()]))).toEqual([])
  })

  it('leaves the slots the action already used (the verdict, its own warnings) to them', () => {
    const annotations = selectAnnotations(
      gateResult([imageResult({ findings: manyFindings(1_000, { criticalEvery: 5 }) })]),
      { alreadyWritten: { error: 1, warning: 3 } },
    )
    expect(countByLevel(annotations)).toEqual({ error: 9, warning: 7, notice: 10 })
  })

  it('gives findings of a level none when the action used all its slots', () => {
    const annotations = selectAnnotations(
      gateResult([imageResult({ findings: manyFindings(50, { criticalEvery: 5 }) })]),
      { alreadyWritten: { error: 12, notice: 10 } },
    )
    expect(countByLevel(annotations)).toEqual({ warning: 10 })
  })
})

describe('AnnotationCounter', () => {
  it('counts warnings and errors and passes every line on', () => {
    const inner = new RecordingLogger()
    const counter = new AnnotationCounter(inner)
    counter.warning('upload skipped')
    counter.warning('DB fallback')
    counter.error('oops')
    counter.info('fyi')
    expect([counter.warnings, counter.errors]).toEqual([2, 1])
    expect(inner.lines.map((l) => l.level)).toEqual(['warning', 'warning', 'error', 'info'])
  })
})
