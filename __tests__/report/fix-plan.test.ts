/** The fix plan: findings grouped by the change that clears them, ranked by failing findings cleared. */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { uniformFailOn, type GatePolicy } from '../../src/policy/gate.js'
import { buildFixPlan, compareVersions, fixActionText, neededVersion } from '../../src/report/fix-plan.js'
import { formatConsoleTable } from '../../src/report/console.js'
import { buildSummaryMarkdown } from '../../src/report/summary.js'
import {
  builtinFinding,
  gateResult,
  imageResult,
  mixedFindings,
  secretFinding,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

const BASE_LAYER = { diffId: 'sha256:base' }
const RUN_LAYER = { diffId: 'sha256:run' }
const onFrom = { path: 'Dockerfile', startLine: 6 }

const busybox = (ruleId: string, severity: Finding['severity'], fixed: string[]): Finding =>
  vulnerability({
    ruleId,
    severity,
    package: { name: 'busybox', version: '1.32.1-r6', type: 'apk' },
    fix: { state: 'fixed', versions: fixed },
    layer: BASE_LAYER,
    location: onFrom,
  })

function planOf(findings: Finding[], policy?: GatePolicy): string[] {
  const result = gateResult([imageResult({ findings })], policy)
  result.baseImage = { image: 'alpine:3.10', location: onFrom }
  return buildFixPlan(result).map(fixActionText)
}

describe('buildFixPlan', () => {
  const cases: [string, Finding[], string[]][] = [
    [
      'one upgrade clears every CVE of a package: the highest version needed',
      [
        busybox('CVE-2021-0001', 'high', ['1.32.1-r7']),
        busybox('CVE-2021-0002', 'medium', ['1.34.0-r0']),
        busybox('CVE-2021-0003', 'low', ['1.33.1-r2']),
      ],
      ['upgrade busybox 1.32.1-r6 → 1.34.0-r0: fixes 3 (1 failing)'],
    ],
    [
      'several fixed versions: the lowest above the installed one (stays on its line)',
      [
        vulnerability({
          package: { name: 'libssl3', version: '3.0.7-r0', type: 'apk' },
          fix: { state: 'fixed', versions: ['1.1.1t-r0', '3.0.8-r0', '3.1.0-r0'] },
        }),
      ],
      ['upgrade libssl3 3.0.7-r0 → 3.0.8-r0: fixes 1 (1 failing)'],
    ],
    [
      'a language package names its file; no fixed version known',
      [
        vulnerability({
          severity: 'medium',
          package: { name: 'lodash', version: '4.17.20', type: 'npm', path: '/app/package-lock.json' },
          fix: { state: 'fixed', versions: [] },
        }),
      ],
      ['upgrade lodash 4.17.20 (/app/package-lock.json) to a fixed version: fixes 1'],
    ],
    [
      'unfixed findings of the base image: update the base image',
      [
        vulnerability({
          ruleId: 'CVE-2022-0001',
          fix: { state: 'not-fixed', versions: [] },
          layer: BASE_LAYER,
          location: onFrom,
        }),
        vulnerability({
          ruleId: 'CVE-2022-0002',
          severity: 'low',
          fix: { state: 'not-fixed', versions: [] },
          layer: BASE_LAYER,
          location: onFrom,
        }),
      ],
      ['update the base image (FROM alpine:3.10, Dockerfile:6): 2 findings came with it (1 failing)'],
    ],
    [
      'an unfixed CVE from a RUN layer: no fix yet, ranked after what can be fixed',
      [
        vulnerability({
          ruleId: 'CVE-2022-0003',
          fix: { state: 'not-fixed', versions: [] },
          layer: RUN_LAYER,
          location: { path: 'Dockerfile', startLine: 9 },
        }),
        secretFinding({ location: { path: 'Dockerfile', startLine: 8 }, severity: 'critical' }),
        builtinFinding({ severity: 'medium', location: { path: 'Dockerfile', startLine: 6 } }),
      ],
      [
        'remove the secret added at Dockerfile:8: 1 finding (1 failing)',
        'no fix available yet for libcrypto3 3.0.7-r0: 1 finding (1 failing)',
        'change Dockerfile:6: Image runs as root (CSG001): 1 finding',
      ],
    ],
    [
      'two checks on one line are one change; a check without a line is fixed by its rule',
      [
        builtinFinding({ location: { path: 'Dockerfile', startLine: 3 } }),
        builtinFinding({
          ruleId: 'CSG004',
          title: 'Risky port exposed',
          subject: '22/tcp',
          location: { path: 'Dockerfile', startLine: 3 },
        }),
        builtinFinding({ ruleId: 'CSG002', title: 'No HEALTHCHECK', severity: 'low', location: undefined }),
      ],
      [
        'change Dockerfile:3: Image runs as root (CSG001) and 1 more check: 2 findings (2 failing)',
        'fix: No HEALTHCHECK (CSG002): 1 finding',
      ],
    ],
    [
      'suppressed findings need no change',
      [vulnerability({ suppression: { kind: 'ignore', reason: 'accepted' } })],
      [],
    ],
  ]
  it.each(cases)('%s', (_, findings, expected) => {
    expect(planOf(findings)).toEqual(expected)
  })

  it('ranks by failing findings cleared, then fixable before unfixable, then count', () => {
    const policy: GatePolicy = {
      failOn: uniformFailOn('high'),
      onlyFixed: false,
      gateOn: 'all',
      continueOnScannerError: false,
    }
    const plan = planOf(
      [
        // Three medium CVEs, none failing: most findings, ranked last of the fixable.
        busybox('CVE-2021-0011', 'medium', ['1.34.0-r0']),
        busybox('CVE-2021-0012', 'medium', ['1.34.0-r0']),
        busybox('CVE-2021-0013', 'medium', ['1.34.0-r0']),
        // One failing, unfixed: after the fixable change that clears as many failing.
        vulnerability({
          ruleId: 'CVE-2022-0021',
          package: { name: 'zlib', version: '1.2.11', type: 'apk' },
          fix: { state: 'not-fixed', versions: [] },
        }),
        vulnerability({
          ruleId: 'CVE-2022-0022',
          package: { name: 'curl', version: '7.1', type: 'apk' },
          fix: { state: 'fixed', versions: ['7.2'] },
        }),
        // Two failing: first.
        secretFinding({ location: { path: 'Dockerfile', startLine: 8 } }),
        secretFinding({ subject: 'ENV GITHUB_TOKEN', location: { path: 'Dockerfile', startLine: 8 } }),
      ],
      policy,
    )
    expect(plan).toEqual([
      'remove the secrets added at Dockerfile:8: 2 findings (2 failing)',
      'upgrade curl 7.1 → 7.2: fixes 1 (1 failing)',
      'no fix available yet for zlib 1.2.11: 1 finding (1 failing)',
      'upgrade busybox 1.32.1-r6 → 1.34.0-r0: fixes 3',
    ])
  })
})

describe('versions', () => {
  it.each([
    ['1.10.0-r2', '1.9.1', 1],
    ['1.34.0-r0', '1.34.0-r0', 0],
    ['3.0.7-r0', '3.0.8-r0', -1],
    ['1.2', '1.2.1', -1],
    ['v2.0.0', '1.9', 1],
    ['1:2.3-1ubuntu1', '1:2.3-1ubuntu2', -1],
  ])('compareVersions(%s, %s) = %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected)
  })

  it.each([
    ['3.0.7', ['3.0.8', '3.1.2'], '3.0.8'],
    ['3.1.0', ['3.0.8', '3.1.2'], '3.1.2'],
    ['4.0.0', ['3.0.8', '3.1.2'], '3.1.2'],
    ['1.0', [], undefined],
  ])('neededVersion(%s, %j) = %s', (installed, fixed, expected) => {
    expect(neededVersion(installed, fixed)).toBe(expected)
  })
})

describe('the fix plan leads the CLI output and the job summary', () => {
  const result = () => gateResult([imageResult({ findings: mixedFindings() })])

  it('CLI: the top three changes under the verdict, the rest counted', () => {
    const text = formatConsoleTable(result(), { color: false, columns: 80 })
    expect(text.split('\n').slice(0, 9)).toEqual([
      'FAIL — container security gate',
      '  4 finding(s) at or above the fail-on threshold (2 critical, 2 high)',
      '',
      'Fix first:',
      '  1. remove the secret added at Dockerfile:4: 1 finding (1 failing)',
      '  2. upgrade libssl3 3.0.7-r0 → 3.0.8-r0: fixes 1 (1 failing)',
      '  3. change Dockerfile:1: Image runs as root (CSG001): 1 finding (1 failing)',
      '  … and 3 more change(s)',
      '',
    ])
    expect(formatConsoleTable(result(), { color: false, maxFixes: Infinity })).toContain(
      '  6. no fix available yet for busybox 1.35.0-r29: 1 finding\n',
    )
  })

  it('summary: every change (up to ten) right under the verdict, escaped', () => {
    const markdown = buildSummaryMarkdown(result())
    const section = markdown.slice(
      markdown.indexOf('### Fix first'),
      markdown.indexOf('### Findings by image'),
    )
    expect(section).toBe(
      [
        '### Fix first',
        '',
        '1. remove the secret added at Dockerfile:4: 1 finding (1 failing)',
        '2. upgrade libssl3 3.0.7-r0 → 3.0.8-r0: fixes 1 (1 failing)',
        '3. change Dockerfile:1: Image runs as root (CSG001): 1 finding (1 failing)',
        '4. upgrade libcrypto3 3.0.7-r0 → 3.0.8-r0: fixes 1 (1 failing)',
        '5. upgrade semver 7.3.5 → 7.5.2 (/app/node\\_modules/semver/package.json): fixes 1',
        '6. no fix available yet for busybox 1.35.0-r29: 1 finding',
        '',
        '',
      ].join('\n'),
    )
    expect(markdown.indexOf('### Fix first')).toBeLessThan(markdown.indexOf('### Findings by image'))
  })
})
