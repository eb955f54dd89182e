import { describe, it, expect } from '@jest/globals'
import type { Severity } from '../../src/findings/severity.js'
import { impactSeverity, parseInspecReport } from '../../src/scanners/inspec-report.js'
import { runNoteOf } from '../../src/scanners/run-notes.js'
import { ScannerError } from '../../src/util/errors.js'
import { inspecJson, inspecMinReport, inspecReport, type ControlSpec } from './inspec-fixtures.js'

const ctx = { target: 'app:ci', origin: 'cinc-auditor.json' }
const failed = (code_desc: string, message?: string) =>
  ({ status: 'failed', code_desc, ...(message !== undefined ? { message } : {}) }) as const

describe('impactSeverity', () => {
  it.each<[number, Severity]>([
    [1, 'critical'],
    [0.9, 'critical'],
    [0.89, 'high'],
    [0.7, 'high'],
    [0.69, 'medium'],
    [0.5, 'medium'],
    [0.4, 'medium'],
    [0.39, 'low'],
    [0.01, 'low'],
    [0, 'unknown'],
    [-1, 'unknown'],
    [Number.NaN, 'unknown'],
  ])('impact %d → %s', (impact, severity) => {
    expect(impactSeverity(impact)).toBe(severity)
  })
})

describe('parseInspecReport (json)', () => {
  it('makes a finding of each control with a failed result; passed and skipped controls are not findings', () => {
    const findings = parseInspecReport(inspecJson(), ctx)
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['cis-docker-benchmark-4.1', 'critical'],
      ['os-02', 'medium'],
    ])
    const [user] = findings
    expect(user).toMatchObject({
      kind: 'compliance',
      title: 'Create a user for the container',
      detectedBy: ['cinc-auditor'],
      target: 'app:ci',
      references: ['https://www.cisecurity.org/benchmark/docker'],
      severityBySource: { 'cinc-auditor': { severity: 'critical', original: 'impact 1' } },
      evidence: 'expected "root" not to eq "root"',
    })
    expect(user?.description).toMatch(/Description of cis-docker-benchmark-4\.1/)
    expect(user?.description).toMatch(
      /- Docker Container app should not be running as root: expected "root" not to eq "root"/,
    )
    expect(user?.description).not.toMatch(/should have a user/) // passed results are not listed
  })

  it('gives a control without an impact InSpec default (0.5, medium) and keeps impact 0 as unknown', () => {
    const text = inspecReport([
      {
        name: 'p',
        controls: [
          { id: 'no-impact', results: [failed('x')] },
          { id: 'informational', impact: 0, results: [failed('y')] },
          { id: 'untitled', title: null, impact: 0.3, results: [{ status: 'error', code_desc: 'boom' }] },
        ],
      },
    ])
    expect(parseInspecReport(text, ctx).map((f) => [f.ruleId, f.severity, f.title])).toEqual([
      ['no-impact', 'medium', 'Title of no-impact'],
      ['informational', 'unknown', 'Title of informational'],
      ['untitled', 'low', 'untitled'],
    ])
  })

  it('bounds huge code_desc strings (docker.object dumps) and the number of listed results', () => {
    const huge = `Docker Container ${'x'.repeat(2_000_000)} should be running`
    const many: ControlSpec = {
      id: 'cis-docker-benchmark-5.2',
      impact: 0.7,
      results: Array.from({ length: 40 }, (_, i) =>
        failed(i === 0 ? huge : `result ${i}`, 'm'.repeat(10_000)),
      ),
    }
    const [finding] = parseInspecReport(inspecReport([{ name: 'p', controls: [many] }]), ctx)
    expect(finding?.description.length).toBeLessThanOrEqual(4000)
    expect(finding?.description).toMatch(/and 30 more failed results/)
    expect(finding?.evidence?.length).toBeLessThanOrEqual(200)
  })

  it('keeps a waived failure as a finding and names the waiver', () => {
    const text = inspecReport([
      {
        name: 'p',
        controls: [{ id: 'c1', impact: 0.7, waiver: 'accepted until Q3', results: [failed('z')] }],
      },
    ])
    expect(parseInspecReport(text, ctx)[0]?.description).toMatch(/Waiver: accepted until Q3/)
  })

  it('reports a control repeated by a wrapper and its dependencies once, with the wrapper definition', () => {
    const dependency: ControlSpec[] = [
      {
        id: 'os-01',
        title: 'Dependency title',
        impact: 1.0,
        results: [failed('File /etc/passwd should be owned by root')],
      },
      { id: 'os-02', impact: 1.0, results: [failed('File /etc/shadow mode')] },
      { id: 'os-03', impact: 1.0, results: [{ status: 'passed', code_desc: 'ok' }] },
    ]
    const text = inspecReport([
      {
        name: 'wrapper',
        controls: [
          {
            id: 'os-01',
            title: 'Wrapper title',
            impact: 0.3,
            results: [failed('File /etc/passwd should be owned by root')],
          },
        ],
      },
      { name: 'linux-baseline', parent: 'wrapper', controls: dependency },
      {
        name: 'deeper',
        parent: 'linux-baseline',
        controls: [{ id: 'os-02', impact: 1.0, results: [failed('File /etc/shadow mode')] }],
      },
    ])
    const findings = parseInspecReport(text, ctx)
    expect(findings.map((f) => [f.ruleId, f.title, f.severity])).toEqual([
      ['os-01', 'Wrapper title', 'low'],
      ['os-02', 'Title of os-02', 'critical'],
    ])
    expect(findings.every((f) => f.subject === undefined)).toBe(true)
    expect(findings[0]?.description.match(/owned by root/g)).toHaveLength(1)
  })

  it('reads json-automate (dependencies merged into the wrapper, a skipped control)', () => {
    const text = inspecReport(
      [
        {
          name: 'wrapper-override',
          controls: [
            {
              id: 'pro1-con1',
              impact: 0.8,
              results: [{ status: 'passed', code_desc: 'File /etc/hosts mode should eq 420' }],
            },
            {
              id: 'pro1-con2',
              impact: 0.999,
              results: [failed('File /etc/passwd should exist', 'expected File /etc/passwd to exist')],
            },
            {
              id: 'pro1-con4',
              impact: 1,
              results: [
                {
                  status: 'skipped',
                  code_desc: 'Operating System Detection',
                  skip_message: 'Skipped control due to only_if condition',
                },
              ],
            },
          ],
        },
      ],
      '2.2.26',
    )
    expect(parseInspecReport(text, ctx).map((f) => [f.ruleId, f.severity])).toEqual([
      ['pro1-con2', 'critical'],
    ])
  })

  it('keeps the same control id of two unrelated profiles apart', () => {
    const text = inspecReport([
      { name: 'a', controls: [{ id: '1.1', impact: 0.5, results: [failed('x')] }] },
      { name: 'b', controls: [{ id: '1.1', impact: 0.5, results: [failed('y')] }] },
    ])
    expect(parseInspecReport(text, ctx).map((f) => f.subject)).toEqual(['profile a', 'profile b'])
  })

  it('a profile skipped on this platform checked nothing: a ScannerError, not a clean pass', () => {
    const text = inspecReport([
      { name: 'p', status: 'skipped', statusMessage: 'Skipping profile: unsupported platform', controls: [] },
    ])
    expect(() => parseInspecReport(text, ctx)).toThrow(
      new ScannerError(
        'cinc-auditor',
        'cinc-auditor report cinc-auditor.json checked nothing: profile p was skipped ("Skipping profile: unsupported platform")',
      ),
    )
  })

  it('every control skipped (cis-docker-benchmark in a container) checked nothing: a ScannerError', () => {
    const skip = {
      status: 'skipped' as const,
      code_desc: 'x',
      skip_message: 'Skipped control due to only_if condition: docker not found',
    }
    const text = inspecReport([
      {
        name: 'cis-docker-benchmark',
        controls: [
          { id: 'docker-1.1', impact: 1, results: [skip] },
          { id: 'docker-2.1', impact: 1, results: [skip] },
        ],
      },
    ])
    expect(() => parseInspecReport(text, ctx)).toThrow(
      /checked nothing: every control was skipped \(2 of 2\) \(e\.g\. "Skipped control due to only_if condition: docker not found"\)/,
    )
  })

  it('counts skipped controls in the run note when some ran', () => {
    const text = inspecReport([
      {
        name: 'linux-baseline',
        controls: [
          { id: 'os-01', impact: 1, results: [failed('/etc/shadow')] },
          { id: 'os-02', impact: 1, results: [{ status: 'passed', code_desc: 'ok' }] },
          { id: 'sysctl-01', impact: 1, results: [{ status: 'skipped', code_desc: 'x' }] },
        ],
      },
    ])
    const findings = parseInspecReport(text, ctx)
    expect(findings.map((f) => f.ruleId)).toEqual(['os-01'])
    expect(runNoteOf(findings)).toBe('1 of 3 controls skipped')
  })

  it('uses the report origin as the target when none is given', () => {
    expect(parseInspecReport(inspecJson(), { origin: 'r.json' })[0]?.target).toBe('r.json')
  })
})

describe('parseInspecReport (json-min)', () => {
  it('groups the rows of a control; a control with any failed row is one medium finding', () => {
    const text = inspecMinReport([
      { id: 'tmp-1.0', profile_id: 'p', status: 'passed', code_desc: 'File /tmp should be directory' },
      { id: 'gem-1', profile_id: 'p', status: 'passed', code_desc: 'a' },
      {
        id: 'gem-1',
        profile_id: 'p',
        status: 'failed',
        code_desc: 'gem package rubocop should be installed',
        message: 'rubocop is not installed',
      },
      { id: 'skip-1', profile_id: 'p', status: 'skipped', code_desc: 'b', skip_message: 'no' },
    ])
    const findings = parseInspecReport(text, ctx)
    expect(findings.map((f) => [f.ruleId, f.severity, f.title])).toEqual([['gem-1', 'medium', 'gem-1']])
    expect(findings[0]?.description).toMatch(/rubocop should be installed: rubocop is not installed/)
  })
})

describe('parseInspecReport (malformed)', () => {
  it.each<[string, string, RegExp]>([
    ['empty', '', /empty/],
    ['not JSON', 'Profile: CIS Docker Benchmark', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['neither layout', '{"version": "6.8.24"}', /neither "profiles"/],
    ['a profile that is not an object', '{"profiles": [1]}', /profiles\[0\] is not an object/],
    [
      'controls that are not an array',
      '{"profiles": [{"name": "p", "controls": {}}]}',
      /controls is not an array/,
    ],
    ['a control without id', '{"profiles": [{"name": "p", "controls": [{"results": []}]}]}', /has no "id"/],
    [
      'results that are not an array',
      '{"profiles": [{"name": "p", "controls": [{"id": "c", "results": 3}]}]}',
      /"results" that is not an array/,
    ],
    ['a json-min row without status', '{"controls": [{"id": "c", "profile_id": "p"}]}', /has no "status"/],
    [
      'a profile that failed to load',
      inspecReport([
        {
          name: 'cis',
          status: 'failed',
          statusMessage: 'Cannot fetch https://github.com/x: 404',
          controls: [],
        },
      ]),
      /profile cis failed to run: Cannot fetch/,
    ],
  ])('refuses %s with a ScannerError naming cinc-auditor', (_name, text, message) => {
    let caught: unknown
    try {
      parseInspecReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('cinc-auditor')
    expect((caught as Error).message).toMatch(message)
  })
})
