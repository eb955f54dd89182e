import { describe, it, expect } from '@jest/globals'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  HADOLINT_NO_DOCKERFILE,
  hadolint,
  hadolintArgs,
  hadolintRuleUrl,
  hadolintTool,
  parseHadolintReport,
} from '../../src/scanners/hadolint.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

/** `hadolint --format json` output: one line, keys as aeson writes them. */
function report(file = 'Dockerfile'): string {
  return JSON.stringify([
    {
      code: 'DL3008',
      column: 1,
      file,
      level: 'warning',
      line: 9,
      message: 'Pin versions in apt get install.',
    },
    {
      code: 'SC2086',
      column: 14,
      file,
      level: 'info',
      line: 12,
      message: 'Double quote to prevent globbing.',
    },
    { code: 'DL3000', column: 1, file, level: 'error', line: 3, message: 'Use absolute WORKDIR' },
    {
      code: 'DL3059',
      column: 1,
      file,
      level: 'style',
      line: 5,
      message: 'Multiple consecutive `RUN` instructions.',
    },
  ])
}

describe('hadolint tool spec', () => {
  it.each<[string, Platform, string | undefined]>([
    ['2.14.0', 'linux-x64', 'hadolint-linux-x86_64'],
    ['2.14.0', 'linux-arm64', 'hadolint-linux-arm64'],
    ['2.14.0', 'darwin-x64', 'hadolint-macos-x86_64'],
    ['2.14.0', 'darwin-arm64', 'hadolint-macos-arm64'],
    ['2.14.0', 'win32-x64', 'hadolint-windows-x86_64.exe'],
    ['2.12.0', 'linux-x64', 'hadolint-Linux-x86_64'],
    ['2.12.0', 'linux-arm64', 'hadolint-Linux-arm64'],
    ['2.12.0', 'darwin-x64', 'hadolint-Darwin-x86_64'],
    ['2.12.0', 'darwin-arm64', undefined],
    ['v2.12.0', 'win32-x64', 'hadolint-Windows-x86_64.exe'],
    ['3.0.0', 'darwin-arm64', 'hadolint-macos-arm64'],
  ])('%s on %s → %s', (version, platform, name) => {
    expect(hadolintTool.asset(version, platform)?.name).toBe(name)
  })

  it('publishes raw binaries with a .sha256 file per asset', () => {
    expect(hadolintTool.asset('2.14.0', 'linux-x64')).toEqual({
      name: 'hadolint-linux-x86_64',
      format: 'raw',
      executable: 'hadolint',
    })
    expect(hadolintTool.asset('2.14.0', 'win32-x64')?.executable).toBe('hadolint.exe')
    expect(hadolintTool.checksums('2.14.0')).toEqual({ kind: 'per-asset', suffix: '.sha256' })
    expect(hadolintTool.checksums('v2.12.0')).toEqual({ kind: 'per-asset', suffix: '.sha256' })
    // release.yml at v2.15.0 / v2.15.1: `sha256sum -b hadolint* > checksums.sha256`, no per-asset files.
    expect(hadolintTool.checksums('2.15.0')).toEqual({ kind: 'checksums-file', name: 'checksums.sha256' })
    expect(hadolintTool.checksums('v2.15.1')).toEqual({ kind: 'checksums-file', name: 'checksums.sha256' })
    expect(hadolintTool.checksums('3.0.0')).toEqual({ kind: 'checksums-file', name: 'checksums.sha256' })
    expect(hadolintTool.tag('2.14.0')).toBe('v2.14.0')
  })

  it('is unavailable without a Dockerfile', () => {
    const base = { env: {}, platform: 'linux-x64' as const, dockerAvailable: false }
    const reason = hadolint.unavailableReason!
    expect(reason({ ...base, dockerfile: '' })).toBe(HADOLINT_NO_DOCKERFILE)
    expect(reason(base)).toBe(HADOLINT_NO_DOCKERFILE)
    expect(reason({ ...base, dockerfile: '/repo/Dockerfile' })).toBeUndefined()
  })
})

describe('hadolintArgs', () => {
  it('asks for JSON without failing on findings', () => {
    expect(hadolintArgs({ dockerfile: '/repo/build/Dockerfile' })).toEqual([
      '--format',
      'json',
      '--no-fail',
      '/repo/build/Dockerfile',
    ])
  })
})

describe('parseHadolintReport', () => {
  it('maps levels (error → high, warning → medium, info/style → low) and locates the line', () => {
    const findings = parseHadolintReport(report(), { target: 'app:ci', origin: 'hadolint' })
    expect(findings.map((f) => [f.ruleId, f.severity, f.location?.startLine])).toEqual([
      ['DL3008', 'medium', 9],
      ['SC2086', 'low', 12],
      ['DL3000', 'high', 3],
      ['DL3059', 'low', 5],
    ])
    expect(findings[0]).toMatchObject({
      kind: 'misconfiguration',
      target: 'app:ci',
      subject: 'Dockerfile',
      location: { path: 'Dockerfile', startLine: 9 },
      references: ['https://github.com/hadolint/hadolint/wiki/DL3008'],
      severityBySource: { hadolint: { severity: 'medium', original: 'warning' } },
    })
    expect(findings[1]?.references).toEqual(['https://www.shellcheck.net/wiki/SC2086'])
    expect(findings[1]?.help?.markdown).toMatch(/\[SC2086\]\(https:\/\/www\.shellcheck\.net\/wiki\/SC2086\)/)
  })

  it('parses Windows paths with backslashes', () => {
    const text =
      '[{"line":9,"code":"DL3008","message":"Pin versions","column":1,"file":"django-DefectDojo\\\\Dockerfile.django","level":"warning"}]'
    const [finding] = parseHadolintReport(text, { origin: 'dojo.json' })
    expect(finding?.location?.path).toBe('django-DefectDojo/Dockerfile.django')
    expect(finding?.subject).toBe('django-DefectDojo/Dockerfile.django')
    expect(finding?.target).toBe('django-DefectDojo/Dockerfile.django')
  })

  it('reads an empty report as a clean Dockerfile', () => {
    expect(parseHadolintReport('[]', { origin: 'x' })).toEqual([])
  })

  it.each([
    ['not JSON', 'Dockerfile:9 DL3008 warning', /not valid JSON/],
    ['an object', '{"results": []}', /not a JSON array/],
    ['an entry that is not an object', '["DL3008"]', /\[0\] is not an object/],
    ['an entry without code', '[{"line": 1, "level": "error"}]', /\[0\] has no "code"/],
  ])('rejects %s with a ScannerError naming hadolint', (_name, text, message) => {
    let caught: unknown
    try {
      parseHadolintReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('hadolint')
    expect((caught as ScannerError).message).toMatch(/hadolint report bad\.json/)
    expect((caught as ScannerError).message).toMatch(message)
  })

  it('links DL rules to the hadolint wiki and SC rules to ShellCheck', () => {
    expect(hadolintRuleUrl('DL3008')).toBe('https://github.com/hadolint/hadolint/wiki/DL3008')
    expect(hadolintRuleUrl('SC2086')).toBe('https://www.shellcheck.net/wiki/SC2086')
  })

  // Found by __tests__/fuzz: the level `__proto__` made the severity Object.prototype itself.
  it.each(['__proto__', 'constructor'])('reads the level %s as an unknown severity', (level) => {
    const text = JSON.stringify([{ code: 'DL3008', file: 'Dockerfile', level, line: 9, message: 'x' }])
    const [finding] = parseHadolintReport(text, { origin: 'fuzz.json' })
    expect(finding?.severity).toBe('unknown')
    expect(finding?.severityBySource).toEqual({
      hadolint: { severity: 'unknown', original: level.toLowerCase() },
    })
  })

  // Found by __tests__/fuzz: encodeURIComponent threw a URIError on a lone surrogate in "code".
  it('reads a rule code with a lone surrogate instead of throwing a URIError', () => {
    const text = JSON.stringify([
      { code: '\ud800', file: 'Dockerfile', level: 'warning', line: 9, message: 'x' },
    ])
    const [finding] = parseHadolintReport(text, { origin: 'fuzz.json' })
    expect(finding?.ruleId).toBe('\ud800')
    expect(finding?.references).toEqual(['https://github.com/hadolint/hadolint/wiki/%EF%BF%BD'])
  })
})

describe('hadolint.scan', () => {
  async function setup(
    replay: Parameters<typeof writeReplayScanner>[1],
    options: { timeoutMs?: number; dockerfile?: string } = {},
  ) {
    const dir = await tempDir('csg-hadolint-')
    const tool = await writeReplayScanner(join(dir, 'bin'), { reportToStdout: true, ...replay })
    const ctx = testScanContext({
      source: { input: './image.tar', kind: 'docker-archive', path: join(dir, 'image.tar') },
      workDir: dir,
      timeoutMs: options.timeoutMs ?? 30_000,
      tool: { path: tool.path, version: '2.14.0' },
      ...('dockerfile' in options ? {} : { dockerfile: '/repo/Dockerfile' }),
      ...(options.dockerfile !== undefined ? { dockerfile: options.dockerfile } : {}),
    })
    return { ctx, tool }
  }

  it('lints the Dockerfile and reads the report from stdout', async () => {
    const { ctx, tool } = await setup({ name: 'hadolint', report: report('/repo/Dockerfile') })
    const findings = await hadolint.scan(ctx)
    expect(findings).toHaveLength(4)
    expect(findings[0]?.location).toEqual({ path: '/repo/Dockerfile', startLine: 9 })
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv).toEqual(['--format', 'json', '--no-fail', '/repo/Dockerfile'])
  })

  it('reads the whole of a report larger than the stdout tail runScanner keeps', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({
      code: 'DL3008',
      column: 1,
      file: 'Dockerfile',
      level: 'warning',
      line: i + 1,
      message: `Pin versions in apt get install. Instead of apt-get install <package> use <package>=<version> (${i})`,
    }))
    const { ctx } = await setup({ name: 'hadolint' })
    // The replay helper exits right after writing, which can cut a large stdout short; this stand-in
    // lets node flush stdout before it exits.
    const reportFile = join(ctx.workDir, 'big-report.json')
    await writeFile(reportFile, JSON.stringify(many))
    const script = join(ctx.workDir, 'hadolint-big')
    await writeFile(
      script,
      `#!/usr/bin/env node\nprocess.stdout.write(require('node:fs').readFileSync(${JSON.stringify(reportFile)}))\n`,
    )
    await chmod(script, 0o755)
    await expect(hadolint.scan({ ...ctx, tool: { path: script, version: '2.14.0' } })).resolves.toHaveLength(
      2000,
    )
  })

  it('accepts exit 1 when it still printed findings', async () => {
    const { ctx } = await setup({ name: 'hadolint', report: report(), exitCode: 1 })
    await expect(hadolint.scan(ctx)).resolves.toHaveLength(4)
  })

  it('fails on exit 1 with an empty report, with the stderr tail', async () => {
    const { ctx } = await setup({
      name: 'hadolint',
      report: '[]',
      exitCode: 1,
      stderr: 'Error: config file .hadolint.yaml: invalid\n',
    })
    await expect(hadolint.scan(ctx)).rejects.toThrow(/exited with code 1[\s\S]*invalid/)
  })

  it('fails on other exit codes with the stderr tail', async () => {
    const { ctx } = await setup({
      name: 'hadolint',
      exitCode: 2,
      stderr: 'hadolint: /repo/Dockerfile: openFile: does not exist\n',
    })
    const error = await hadolint.scan(ctx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(/exited with code 2[\s\S]*does not exist/)
  })

  it('fails when hadolint prints nothing', async () => {
    const { ctx } = await setup({ name: 'hadolint', exitCode: 0 })
    await expect(hadolint.scan(ctx)).rejects.toThrow(/printed no report/)
  })

  it('refuses to run without a Dockerfile', async () => {
    const { ctx } = await setup({ name: 'hadolint', report: '[]' }, { dockerfile: undefined })
    await expect(hadolint.scan(ctx)).rejects.toThrow(HADOLINT_NO_DOCKERFILE)
  })

  it('fails with a timeout error when hadolint hangs', async () => {
    const { ctx } = await setup({ name: 'hadolint', report: report(), sleepMs: 10_000 }, { timeoutMs: 300 })
    await expect(hadolint.scan(ctx)).rejects.toThrow(/did not finish within the scan timeout/)
  })
})
