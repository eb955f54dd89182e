/**
 * Issue 17 through the built action and CLI: every finding's gate status (findings JSON `gate`, SARIF
 * `properties.gate`), annotation levels that follow the gate (only-fixed with fail-on: medium: the fixable
 * medium fails and is the error; unfixed critical/high are exempt warnings), the fix plan leading the
 * summary, the step log and the CLI output, and an expired ignore rule as a warning at the top.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from 'sarif'
import { CLEAN_DOCKERFILE, cleanImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { runAction, shownAnnotations, type ActionRun } from '../helpers/action-runner.js'
import { runCli } from '../helpers/cli-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
let workspace: string
let image: string
let report: string

/** Trivy's JSON (pkg/types/report.go): `Status` `affected` with no `FixedVersion` is a CVE without a fix. */
function vuln(id: string, pkg: string, version: string, severity: string, fixed?: string): object {
  return {
    VulnerabilityID: id,
    PkgName: pkg,
    InstalledVersion: version,
    ...(fixed !== undefined ? { FixedVersion: fixed, Status: 'fixed' } : { Status: 'affected' }),
    Title: `${pkg}: a problem`,
    Description: `A vulnerability in ${pkg}.`,
    Severity: severity,
    References: [`https://nvd.nist.gov/vuln/detail/${id}`],
  }
}

beforeAll(async () => {
  workspace = await tempDir('csg-e2e-gate-')
  await writeFile(join(workspace, 'Dockerfile'), CLEAN_DOCKERFILE)
  image = join(workspace, 'clean.tar')
  await writeImage(cleanImage(), { format: 'oci-archive', out: image, repoTag: 'ghcr.io/acme/clean:1.0' })
  report = join(workspace, 'trivy.json')
  await writeFile(
    report,
    JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'ghcr.io/acme/clean:1.0',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'ghcr.io/acme/clean:1.0 (alpine 3.10.9)',
          Class: 'os-pkgs',
          Type: 'alpine',
          Vulnerabilities: [
            vuln('CVE-2024-1001', 'zlib', '1.2.11-r1', 'CRITICAL'),
            vuln('CVE-2024-1002', 'zlib', '1.2.11-r1', 'HIGH'),
            vuln('CVE-2024-1003', 'musl', '1.1.22-r3', 'HIGH'),
            vuln('CVE-2024-2001', 'busybox', '1.32.1-r6', 'MEDIUM', '1.33.1-r2'),
            vuln('CVE-2024-2002', 'busybox', '1.32.1-r6', 'LOW', '1.34.0-r0'),
          ],
        },
      ],
    }),
  )
})

describe('the action with only-fixed and fail-on: medium', () => {
  let run: ActionRun
  beforeAll(async () => {
    await mkdir(join(workspace, '.github'), { recursive: true })
    await writeFile(
      join(workspace, '.github', 'container-security.yml'),
      'ignore:\n  - id: CVE-2024-1003\n    reason: accepted until the musl update\n    expires: 2020-01-01\n',
    )
    run = await runAction({
      inputs: {
        image,
        scanners: 'builtin',
        reports: `trivy:${report}`,
        'fail-on': 'medium',
        'only-fixed': 'true',
        upload: 'never',
        // No KEV catalog here: its "unavailable" warning would come before the verdict's own warnings.
        kev: 'off',
      },
      cwd: workspace,
    })
  })

  it('fails on the fixable medium alone', () => {
    expect(run.outputs['result']).toBe('fail')
    expect(run.exitCode).toBe(1)
  })

  it('annotates the failing finding as an error and the exempt critical/high as warnings', () => {
    const errors = shownAnnotations(run, 'error').filter((m) => !m.startsWith('Security gate failed'))
    expect(errors).toEqual([expect.stringMatching(/^CVE-2024-2001 in busybox 1\.32\.1-r6/)])
    const findingWarnings = run.commands
      .filter((c) => c.kind === 'warning' && c.properties.includes('title='))
      // Workflow command properties escape `:` as %3A (@actions/core escapeProperty).
      .map((c) => decodeURIComponent(c.properties))
    expect(findingWarnings).toEqual([
      expect.stringContaining('CRITICAL CVE-2024-1001: zlib: a problem (exempt: only-fixed)'),
      expect.stringContaining('HIGH CVE-2024-1002: zlib: a problem (exempt: only-fixed)'),
      expect.stringContaining('HIGH CVE-2024-1003: musl: a problem (exempt: only-fixed)'),
    ])
  })

  it('writes the expired ignore rule as the first warning, before the findings', () => {
    const first = run.commands.find((c) => c.kind === 'warning')
    expect(first?.message).toMatch(/CVE-2024-1003.*expired on 2020-01-01.*no longer suppresses anything/)
    expect(run.summary).toMatch(/^> ⚠️ .*CVE-2024-1003.*expired/m)
  })

  it('prints the verdict, the fix plan and the table in the step log', () => {
    const log = run.stdout
    const verdict = log.indexOf('FAIL — container security gate')
    expect(verdict).toBeGreaterThanOrEqual(0)
    expect(log).toContain('  3 at or above medium exempted: no fix available (only-fixed)\n')
    expect(log).toContain(
      [
        'Fix first:',
        '  1. upgrade busybox 1.32.1-r6 → 1.34.0-r0: fixes 2 (1 failing)',
        '  2. no fix available yet for zlib 1.2.11-r1: 2 findings',
        '  3. no fix available yet for musl 1.1.22-r3: 1 finding',
      ].join('\n'),
    )
    expect(log).toMatch(/^GATE +SEVERITY +ID +PACKAGE/m)
    expect(log).toMatch(/^FAIL +MEDIUM +CVE-2024-2001 +busybox/m)
    expect(log).toMatch(/^- +CRITICAL +CVE-2024-1001 +zlib/m)
  })

  it('leads the job summary with the fix plan and marks each finding', () => {
    expect(run.summary).toContain('- 3 at or above medium exempted: no fix available (only-fixed)')
    expect(run.summary).toContain(
      '### Fix first\n\n1. upgrade busybox 1.32.1-r6 → 1.34.0-r0: fixes 2 (1 failing)\n',
    )
    expect(run.summary.indexOf('### Fix first')).toBeLessThan(run.summary.indexOf('### Findings ('))
    expect(run.summary).toMatch(/^\| ❌ \*\*fails\*\* \| 🟨 medium \| \[CVE-2024-2001\]/m)
    expect(run.summary).toMatch(/^\| exempt: only-fixed \| 🟥 critical \| \[CVE-2024-1001\]/m)
  })

  it('puts the gate status in the SARIF results and the findings JSON', async () => {
    const log = JSON.parse(await readFile(run.outputs['sarif-file']!, 'utf8')) as Log
    const gates = (log.runs[0]?.results ?? [])
      .filter((r) => r.ruleId?.startsWith('CVE-2024-'))
      .map((r) => [r.ruleId, r.properties?.['gate']])
    expect(gates).toEqual([
      ['CVE-2024-2001', { status: 'fail' }],
      ['CVE-2024-1001', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-1002', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-1003', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-2002', { status: 'exempt', reason: 'below-threshold' }],
    ])
    const doc = JSON.parse(await readFile(run.outputs['findings-file']!, 'utf8')) as {
      findings: { ruleId: string; gate: unknown }[]
    }
    expect(doc.findings.find((f) => f.ruleId === 'CVE-2024-1001')?.gate).toEqual({
      status: 'exempt',
      reason: 'only-fixed',
    })
    expect(doc.findings[0]).toMatchObject({ ruleId: 'CVE-2024-2001', gate: { status: 'fail' } })
  })
})

describe('the CLI', () => {
  it('prints the fix plan under the verdict and a GATE column; --format json has the gate field', async () => {
    const run = await runCli(['scan', '--report', `trivy:${report}`, '--fail-on', 'medium', '--only-fixed'], {
      cwd: workspace,
      env: { COLUMNS: '120' },
    })
    expect(run.exitCode).toBe(1)
    const lines = run.stdout.split('\n')
    expect(lines.slice(0, 11)).toEqual([
      'FAIL — container security gate',
      '  warning: ignore rule for CVE-2024-1003 in .github/container-security.yml ignore[0] expired on 2020-01-01: accepted until the musl update — it no longer suppresses anything.',
      '  1 finding(s) at or above the fail-on threshold (1 medium)',
      '  3 at or above medium exempted: no fix available (only-fixed)',
      '',
      'Fix first:',
      '  1. upgrade busybox 1.32.1-r6 → 1.34.0-r0: fixes 2 (1 failing)',
      '  2. no fix available yet for zlib 1.2.11-r1: 2 findings',
      '  3. no fix available yet for musl 1.1.22-r3: 1 finding',
      '',
      expect.stringMatching(/^ghcr\.io\/acme\/clean:1\.0: 5 finding\(s\)/),
    ])
    expect(run.stdout).toMatch(/^FAIL +MEDIUM +CVE-2024-2001 +busybox/m)

    const json = await runCli(
      ['scan', '--report', `trivy:${report}`, '--fail-on', 'medium', '--only-fixed', '--format', 'json'],
      { cwd: workspace },
    )
    const doc = JSON.parse(json.stdout) as { findings: { ruleId: string; gate: unknown }[] }
    expect(doc.findings.map((f) => [f.ruleId, f.gate])).toEqual([
      ['CVE-2024-2001', { status: 'fail' }],
      ['CVE-2024-1001', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-1002', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-1003', { status: 'exempt', reason: 'only-fixed' }],
      ['CVE-2024-2002', { status: 'exempt', reason: 'below-threshold' }],
    ])
  })
})
