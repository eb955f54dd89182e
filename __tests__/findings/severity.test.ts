import { describe, expect, it } from '@jest/globals'
import {
  bySeverityDesc,
  countBySeverity,
  DEFAULT_SECURITY_SEVERITY,
  isSeverity,
  isThreshold,
  maxSeverity,
  meetsThreshold,
  normalizeSeverity,
  severityFromScore,
  severityRank,
  type Severity,
  type Threshold,
} from '../../src/findings/severity.js'

describe('normalizeSeverity maps scanner vocabularies onto ours', () => {
  it.each<[string | undefined | null, Severity]>([
    ['CRITICAL', 'critical'],
    [' Critical ', 'critical'],
    ['High', 'high'],
    ['important', 'high'], // Red Hat
    ['error', 'high'], // SARIF level
    ['MEDIUM', 'medium'],
    ['moderate', 'medium'], // GitHub advisories
    ['warning', 'medium'],
    ['low', 'low'],
    ['Negligible', 'low'], // Grype
    ['minor', 'low'],
    ['info', 'low'],
    ['INFORMATIONAL', 'low'],
    ['note', 'low'],
    ['none', 'unknown'],
    ['severe', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    [null, 'unknown'],
  ])('%p → %s', (word, expected) => {
    expect(normalizeSeverity(word)).toBe(expected)
  })
})

describe('severityFromScore: the CVSS v3 qualitative rating', () => {
  it.each<[number, Severity]>([
    [10, 'critical'],
    [9, 'critical'],
    [8.9, 'high'],
    [7, 'high'],
    [6.9, 'medium'],
    [4, 'medium'],
    [3.9, 'low'],
    [0.1, 'low'],
    [0, 'unknown'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
    [Number.POSITIVE_INFINITY, 'unknown'],
  ])('%p → %s', (score, expected) => {
    expect(severityFromScore(score)).toBe(expected)
  })
})

describe('order and thresholds', () => {
  it('ranks critical highest and unknown lowest', () => {
    expect((['critical', 'high', 'medium', 'low', 'unknown'] as const).map(severityRank)).toEqual([
      4, 3, 2, 1, 0,
    ])
  })

  it('sorts most severe first', () => {
    const sorted = (['low', 'unknown', 'critical', 'medium', 'high'] as Severity[]).sort(bySeverityDesc)
    expect(sorted).toEqual(['critical', 'high', 'medium', 'low', 'unknown'])
  })

  it.each<[Severity[], Severity]>([
    [['low', 'high', 'medium'], 'high'],
    [['unknown', 'low'], 'low'],
    [['critical', 'unknown'], 'critical'],
    [[], 'unknown'],
  ])('maxSeverity(%p) is %s', (severities, expected) => {
    expect(maxSeverity(severities)).toBe(expected)
  })

  it.each<[Severity, Threshold, boolean]>([
    ['critical', 'critical', true],
    ['high', 'critical', false],
    ['high', 'high', true],
    ['critical', 'high', true],
    ['medium', 'high', false],
    ['medium', 'medium', true],
    ['low', 'medium', false],
    ['low', 'low', true],
    ['critical', 'none', false],
    ['unknown', 'low', false],
  ])('a %s finding meets fail-on %s: %s', (severity, threshold, expected) => {
    expect(meetsThreshold(severity, threshold)).toBe(expected)
  })

  it.each([
    ['critical', true, true],
    ['unknown', true, false],
    ['none', false, true],
    ['HIGH', false, false],
    ['moderate', false, false],
  ])('%s is a severity: %s, a threshold: %s', (word, severity, threshold) => {
    expect(isSeverity(word)).toBe(severity)
    expect(isThreshold(word)).toBe(threshold)
  })
})

describe('counts and defaults', () => {
  it('counts findings by severity with a total', () => {
    const items = (['high', 'high', 'low', 'unknown', 'critical'] as const).map((severity) => ({ severity }))
    expect(countBySeverity(items)).toEqual({ critical: 1, high: 2, medium: 0, low: 1, unknown: 1, total: 5 })
  })

  it('gives GitHub a security-severity per severity when no CVSS score is known', () => {
    expect(DEFAULT_SECURITY_SEVERITY).toEqual({
      critical: 9.5,
      high: 8,
      medium: 5.5,
      low: 2,
      unknown: undefined,
    })
  })
})
