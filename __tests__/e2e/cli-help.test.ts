/**
 * The built CLI (dist/cli.js) as a new user meets it: help for each command, a mistyped flag, errors that
 * name the flags typed, `--report PATH` whose format the file itself says, `-V`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cleanImage, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import { bundlePath } from '../helpers/bundle.js'
import { runCli } from '../helpers/cli-runner.js'
import { grypeReport, trivyReport, type ReportVulnerability } from '../helpers/scanner-reports.js'

let work: string
let image: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'csg-e2e-cli-help-'))
  image = join(work, 'clean.tar')
  await writeImage(cleanImage(), { format: 'docker-archive', out: image, repoTag: 'acme/clean:1.0' })
})

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('CLI help', () => {
  it('scan --help: placeholders, defaults from the input table, examples, versions last; exit 0', async () => {
    const run = await runCli(['scan', '--help'])
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe('')
    const help = run.stdout
    expect(help.startsWith('Usage: container-security-gate scan IMAGE... [options]\n')).toBe(true)
    expect(help).toContain(
      '  --scanners <list>               Scanners to run, comma or newline separated: builtin, trivy,\n' +
        '                                  grype, osv-scanner, dockle, hadolint, snyk, docker-bench,\n' +
        '                                  cinc-auditor, cosign. [default: builtin,trivy]\n',
    )
    expect(help).toContain(
      '  --fail-on <severity>            Fail when a finding is at or above this severity: critical, high,\n' +
        '                                  medium, low or none. [default: high]\n',
    )
    expect(help).toContain('  --report <[format:]path>        An existing report to import')
    expect(help).toContain(
      '  --scan-timeout <duration>       Time limit for each scanner run, e.g. 90s, 10m, 1h. [default: 10m]\n',
    )
    expect(help).toContain('  --only-fixed                    Vulnerabilities without a fixed version')
    expect(help).toContain(
      'Examples:\n' +
        '  container-security-gate scan app:ci\n' +
        '  container-security-gate scan app.tar --scanners builtin,trivy,grype --fail-on critical --sarif app.sarif\n' +
        '  container-security-gate scan app:ci --scanners builtin --report trivy.json --format json\n',
    )
    // Scanner versions come after every other option, as a group.
    const group = help.indexOf('Scanner versions (default: the pinned, checksum-verified version):\n')
    expect(group).toBeGreaterThan(help.indexOf('  -h, --help'))
    expect(help).toContain(
      '  --trivy-version <version>       Trivy version to install: latest or a version number.\n',
    )
    for (const flag of ['--trivy-version', '--grype-version', '--cosign-version']) {
      expect(help.indexOf(`  ${flag} <version>`)).toBeGreaterThan(group)
    }
  })

  it.each([
    [['install', '--help'], 'Usage: container-security-gate install --scanners <list> [--dry-run]'],
    [['--help'], 'container-security-gate — gate CI on the security of a container image\n'],
    [['help', 'scan'], 'Usage: container-security-gate scan IMAGE... [options]\n'],
    [['scan', 'app:ci', '--fial-on', 'x', '-h'], 'Usage: container-security-gate scan IMAGE... [options]\n'],
  ])('%j prints its help and exits 0', async (args, start) => {
    const run = await runCli(args)
    expect(run.exitCode).toBe(0)
    expect(run.stdout.startsWith(start)).toBe(true)
  })

  it.each([['-V'], ['--version']])('%s prints the version', async (flag) => {
    const run = await runCli([flag])
    expect(run.exitCode).toBe(0)
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
    expect(run.stdout).toBe(`${pkg.version}\n`)
  })
})

describe('CLI errors name what the user typed', () => {
  it.each([
    [
      'a mistyped flag',
      () => ['scan', image, '--fial-on', 'high'],
      'container-security-gate: unknown flag --fial-on: did you mean --fail-on? (see container-security-gate scan --help)\n',
    ],
    [
      'a bad severity',
      () => ['scan', image, '--fail-on', 'severe'],
      'container-security-gate: --fail-on: unknown severity "severe" (accepted: critical, high, medium, low, none)\n',
    ],
    [
      'a bad duration',
      () => ['scan', image, '--scan-timeout', 'soon'],
      'container-security-gate: --scan-timeout: "soon" is not a duration (e.g. 90s, 10m, 1h, 1h30m)\n',
    ],
    [
      'an unknown report format',
      () => ['scan', image, '--report', 'clair:x.json'],
      'container-security-gate: --report: unknown report format "clair" in "clair:x.json" (accepted FORMAT: prefixes: trivy, grype, osv-scanner, dockle, hadolint, snyk, docker-bench, cinc-auditor, sarif, defender, findings)\n',
    ],
    [
      'a missing report',
      () => ['scan', image, '--report', 'nope.json'],
      'container-security-gate: --report: nope.json: file not found\n',
    ],
  ])('%s → exit 2', async (_name, args, stderr) => {
    const run = await runCli(args())
    expect(run.stderr).toBe(stderr)
    expect(run.exitCode).toBe(2)
  })
})

const VULN: ReportVulnerability = {
  cve: 'CVE-2026-1111',
  ghsa: 'GHSA-aaaa-bbbb-cccc',
  pkg: 'busybox',
  version: '1.36.1-r0',
  fixed: '1.36.1-r1',
  diffId: `sha256:${'1'.repeat(64)}`,
  trivySeverity: 'HIGH',
  grypeSeverity: 'High',
}

describe('--report PATH: the format from the file', () => {
  it.each([
    ['trivy', () => trivyReport('acme/clean:1.0', [VULN])],
    ['grype', () => grypeReport('acme/clean:1.0', [VULN])],
  ])('a %s report without a prefix is imported as one', async (scanner, report) => {
    const path = join(work, `${scanner}-report.json`)
    await writeFile(path, report())
    const run = await runCli(['scan', image, '--scanners', 'builtin', '--report', path, '--format', 'json'])
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(1)
    const doc = JSON.parse(run.stdout) as { findings: { ruleId: string; detectedBy: string[] }[] }
    const imported = doc.findings.find((f) => f.ruleId === 'CVE-2026-1111')
    expect(imported?.detectedBy).toEqual([scanner])
  })

  it('a file that does not say its format → exit 2 naming the FORMAT: prefixes', async () => {
    const path = join(work, 'hadolint.json')
    await writeFile(
      path,
      '[{"code":"DL3007","level":"warning","line":1,"file":"Dockerfile","message":"latest"}]',
    )
    const run = await runCli(['scan', image, '--scanners', 'builtin', '--report', path])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toBe(
      `container-security-gate: --report: cannot tell the format of ${path} from its content; name it with a FORMAT: prefix (accepted FORMAT: prefixes: trivy, grype, osv-scanner, dockle, hadolint, snyk, docker-bench, cinc-auditor, sarif, defender, findings), e.g. --report trivy:${path}\n`,
    )
  })
})

/**
 * The CLI bundled from the current sources in a pseudo-terminal of `columns` columns (util-linux
 * `script`), its output without colours.
 */
function runInTerminal(args: readonly string[], columns: number): string {
  const command = `stty cols ${columns} rows 60; NO_COLOR=1 ${process.execPath} ${bundlePath('cli.js')} ${args.join(' ')}`
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' })
  // eslint-disable-next-line no-control-regex
  return run.stdout.replace(/\r/g, '').replace(/\u001b\[[0-9;?]*[a-zA-Z]/g, '')
}

describe('the table in a terminal', () => {
  it.each([
    [
      80,
      'GATE  SEVERITY  ID                PACKAGE            SCANNERS  LOCATION',
      '-     CRITICAL  csg/secret-in-h…  npm access token…  builtin   …y: ARG NPM_TOKEN',
    ],
    [
      120,
      'GATE  SEVERITY  ID                     PACKAGE                           SCANNERS  LOCATION',
      '-     MEDIUM    csg/remote-add         ADD of a remote URL: https://ex…  builtin   https://example.com/tools/tool.tar.gz',
    ],
  ])(
    'fits %i columns: whole titles, empty columns dropped, the fix plan first',
    async (columns, header, row) => {
      const planted = join(work, `planted-${columns}.tar`)
      await writeImage(plantedImage(), { format: 'docker-archive', out: planted, repoTag: 'acme/bad:1.0' })
      const lines = runInTerminal(
        ['scan', planted, '--scanners', 'builtin', '--fail-on', 'none'],
        columns,
      ).split('\n')
      expect(lines.slice(0, 8)).toEqual([
        'PASS — container security gate',
        '  no finding at or above the fail-on threshold',
        '',
        'Fix first:',
        '  1. fix csg/risky-port: 22/tcp, 2375/tcp: 2 findings',
        '  2. remove the secret in /app/.npmrc: 1 finding',
        '  3. remove the secret in /root/.ssh/id_rsa: 1 finding',
        '  … and 8 more change(s)',
      ])
      const table = lines.slice(lines.indexOf(header))
      expect(table[0]).toBe(header)
      expect(table).toContain(row)
      for (const line of table) expect(Array.from(line).length).toBeLessThanOrEqual(columns)
    },
  )
})
