import { describe, it, expect } from '@jest/globals'
import { join } from 'node:path'
import {
  DOCKLE_WINDOWS_REASON,
  dockle,
  dockleArgs,
  dockleTool,
  maskSecretValues,
  parseDockleReport,
} from '../../src/scanners/dockle.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

/** A `dockle --format json` report as current dockle writes it (summary with skip, details[]). */
function report(): string {
  return JSON.stringify({
    image: 'registry.example/app:1.2',
    summary: { fatal: 2, warn: 1, info: 1, skip: 1, pass: 10 },
    details: [
      {
        code: 'CIS-DI-0001',
        title: 'Create a user for the container',
        level: 'WARN',
        alerts: ['Last user should not be root'],
      },
      {
        code: 'CIS-DI-0010',
        title: 'Do not store credential in environment variables/files',
        level: 'FATAL',
        alerts: [
          'Suspicious ENV key found : DB_PASSWORD on ENV DB_PASSWORD=hunter2 API_TOKEN=abcdef123 (You can suppress it with --accept-key)',
        ],
      },
      {
        code: 'DKL-DI-0005',
        title: 'Clear apt-get caches',
        level: 'FATAL',
        alerts: [
          "Use 'rm -rf /var/lib/apt/lists' after 'apt-get install|update' : /bin/sh -c apt-get update",
        ],
      },
      {
        code: 'CIS-DI-0005',
        title: 'Enable Content trust for Docker',
        level: 'INFO',
        alerts: ['export DOCKER_CONTENT_TRUST=1'],
      },
      {
        code: 'CIS-DI-0006',
        title: 'Add HEALTHCHECK instruction',
        level: 'IGNORE',
        alerts: ['not found HEALTHCHECK statement'],
      },
      { code: 'CIS-DI-0008', title: 'Confirm safety of setuid/setgid files', level: 'SKIP', alerts: [] },
      { code: 'DKL-LI-0003', title: 'Only put necessary files', level: 'PASS', alerts: [] },
    ],
  })
}

describe('dockle tool spec', () => {
  it.each<[Platform, string | undefined]>([
    ['linux-x64', 'dockle_0.4.15_Linux-64bit.tar.gz'],
    ['linux-arm64', 'dockle_0.4.15_Linux-ARM64.tar.gz'],
    ['darwin-x64', 'dockle_0.4.15_macOS-64bit.tar.gz'],
    ['darwin-arm64', 'dockle_0.4.15_macOS-ARM64.tar.gz'],
    ['win32-x64', undefined],
  ])('%s → %s', (platform, name) => {
    const asset = dockleTool.asset('0.4.15', platform)
    expect(asset?.name).toBe(name)
    if (asset !== undefined) expect(asset).toMatchObject({ format: 'tar.gz', executable: 'dockle' })
  })

  it('uses the goreleaser checksums file and v-prefixed tags', () => {
    expect(dockleTool.checksums('v0.4.15')).toEqual({
      kind: 'checksums-file',
      name: 'dockle_0.4.15_checksums.txt',
    })
    expect(dockleTool.tag('0.4.15')).toBe('v0.4.15')
    expect(dockleTool.asset('v0.4.15', 'linux-x64')?.name).toBe('dockle_0.4.15_Linux-64bit.tar.gz')
  })

  it.each<[Platform, string | undefined]>([
    ['win32-x64', DOCKLE_WINDOWS_REASON],
    ['linux-x64', undefined],
    ['darwin-arm64', undefined],
  ])('unavailableReason on %s is %s', (platform, reason) => {
    expect(dockle.unavailableReason?.({ env: {}, platform, dockerAvailable: true })).toBe(reason)
  })
})

describe('dockleArgs', () => {
  it.each<[string, ImageSource]>([
    ['docker-archive', { input: './image.tar', kind: 'docker-archive', path: '/abs/image.tar' }],
    [
      'daemon (the saved tarball)',
      { input: 'app:ci', kind: 'daemon', path: '/tmp/saved.tar', reference: 'app:ci' },
    ],
  ])('%s is read with --input', (_name, source) => {
    expect(dockleArgs({ source, reportFile: '/w/dockle.json', timeoutMs: 600_000 })).toEqual([
      '--format',
      'json',
      '--output',
      '/w/dockle.json',
      '--exit-code',
      '0',
      '--timeout',
      '600s',
      '--input',
      source.path,
    ])
  })

  it('names a daemon image that was not exported by its reference', () => {
    const source: ImageSource = { input: 'app', kind: 'daemon', path: '', reference: 'app:ci' }
    const args = dockleArgs({ source, reportFile: 'r', timeoutMs: 1000 })
    expect(args).not.toContain('--input')
    expect(args.at(-1)).toBe('app:ci')
  })

  it('rounds the timeout up to whole seconds', () => {
    const source: ImageSource = { input: 'x', kind: 'docker-archive', path: '/x.tar' }
    expect(dockleArgs({ source, reportFile: 'r', timeoutMs: 1500 })).toContain('2s')
  })

  it.each<ImageSource['kind']>(['oci-dir', 'oci-archive'])('refuses %s', (kind) => {
    const source: ImageSource = { input: 'oci:x', kind, path: '/x' }
    expect(() => dockleArgs({ source, reportFile: 'r', timeoutMs: 1000 })).toThrow(ScannerError)
    expect(() => dockleArgs({ source, reportFile: 'r', timeoutMs: 1000 })).toThrow(/OCI image layout/)
  })
})

describe('parseDockleReport', () => {
  it('maps FATAL/WARN/INFO and drops PASS, SKIP and IGNORE', () => {
    const findings = parseDockleReport(report(), { target: 'app:ci', origin: 'dockle.json' })
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['CIS-DI-0001', 'medium'],
      ['CIS-DI-0010', 'high'],
      ['DKL-DI-0005', 'high'],
      ['CIS-DI-0005', 'low'],
    ])
    for (const f of findings) {
      expect(f).toMatchObject({ kind: 'compliance', target: 'app:ci', detectedBy: ['dockle'] })
      expect(f.references[0]).toBe(
        `https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#${f.ruleId}`,
      )
    }
    expect(findings[0]?.severityBySource).toEqual({ dockle: { severity: 'medium', original: 'WARN' } })
  })

  it('masks secret values in alerts but keeps the key names, and hints the instruction', () => {
    const secret = parseDockleReport(report(), { origin: 'dockle.json' }).find(
      (f) => f.ruleId === 'CIS-DI-0010',
    )
    const text = `${secret?.description ?? ''}\n${secret?.evidence ?? ''}`
    expect(text).not.toMatch(/hunter2|abcdef123/)
    expect(text).toMatch(/DB_PASSWORD=\*\*\*/)
    expect(text).toMatch(/API_TOKEN=\*\*\*/)
    expect(secret?.instruction).toEqual({ keyword: 'ENV', argument: 'DB_PASSWORD' })
    expect(secret?.target).toBe('registry.example/app:1.2') // the report's own image name without a target
  })

  it('keeps the same code twice with different titles (old dockle) as two findings', () => {
    const text = JSON.stringify({
      summary: { fatal: 2, warn: 0, info: 0, pass: 15 },
      details: [
        {
          code: 'CIS-DI-0010',
          title: 'Do not store secrets in ENVIRONMENT variables',
          level: 'FATAL',
          alerts: ['Suspicious ENV key found : MYSQL_PASSWD'],
        },
        {
          code: 'CIS-DI-0010',
          title: 'Do not store secret files',
          level: 'FATAL',
          alerts: ['Suspicious filename found : app/credentials.json '],
        },
      ],
    })
    const findings = parseDockleReport(text, { origin: 'old.json' })
    expect(findings).toHaveLength(2)
    expect(findings.map((f) => f.subject)).toEqual([
      'Do not store secrets in ENVIRONMENT variables',
      'Do not store secret files',
    ])
    expect(findings[1]?.description).toMatch(/credentials\.json/)
  })

  it('keeps a level it does not know as an unknown-severity finding', () => {
    const text = JSON.stringify({
      details: [{ code: 'DKL-XX-0001', title: 'New check', level: 'NOTICE', alerts: [] }],
    })
    expect(parseDockleReport(text, { origin: 'x' })).toMatchObject([
      { ruleId: 'DKL-XX-0001', severity: 'unknown' },
    ])
  })

  it.each([
    ['not JSON', 'FATAL CIS-DI-0001', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no details', '{"summary": {}}', /no "details" array/],
    ['a detail without code', '{"details": [{"level": "WARN"}]}', /details\[0\] has no "code"/],
    ['a detail without level', '{"details": [{"code": "CIS-DI-0001"}]}', /no "level"/],
  ])('rejects %s with a ScannerError naming dockle', (_name, text, message) => {
    let caught: unknown
    try {
      parseDockleReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('dockle')
    expect((caught as ScannerError).message).toMatch(/dockle report bad\.json/)
    expect((caught as ScannerError).message).toMatch(message)
  })
})

describe('maskSecretValues', () => {
  it.each<[string, string]>([
    ['ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG', 'ENV AWS_SECRET_ACCESS_KEY=***'],
    ['ENV PASSWORD="two words"', 'ENV PASSWORD=***'],
    ['ENV GPG_KEY=******* PATH=/usr/bin', 'ENV GPG_KEY=******* PATH=/usr/bin'],
    ['ENV LANG=C.UTF-8', 'ENV LANG=C.UTF-8'],
    ['curl https://deploy:s3cr3t@example.com/x', 'curl https://deploy:***@example.com/x'],
    ['aws key AKIAIOSFODNN7EXAMPLE in history', 'aws key *** in history'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'token ***'],
  ])('%s → %s', (input, output) => {
    expect(maskSecretValues(input)).toBe(output)
  })
})

describe('dockle.scan', () => {
  async function setup(replay: Parameters<typeof writeReplayScanner>[1], timeoutMs = 30_000) {
    const dir = await tempDir('csg-dockle-')
    const tool = await writeReplayScanner(join(dir, 'bin'), replay)
    const ctx = testScanContext({
      source: { input: './image.tar', kind: 'docker-archive', path: join(dir, 'image.tar') },
      workDir: dir,
      timeoutMs,
      tool: { path: tool.path, version: '0.4.15' },
    })
    return { ctx, tool }
  }

  it('runs dockle --input on the archive and parses the report', async () => {
    const { ctx, tool } = await setup({ name: 'dockle', report: report() })
    const findings = await dockle.scan(ctx)
    expect(findings).toHaveLength(4)
    expect(findings.every((f) => f.target === 'app:ci')).toBe(true)
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv).toContain('--input')
    expect(call?.argv.at(-1)).toBe(ctx.source.path)
  })

  it('turns an error exit into a ScannerError with the stderr tail', async () => {
    const { ctx } = await setup({
      name: 'dockle',
      exitCode: 1,
      stderr: 'FATAL unable to open image.tar: no such file\n',
    })
    const error = await dockle.scan(ctx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('dockle')
    expect((error as Error).message).toMatch(/exited with code 1[\s\S]*unable to open image\.tar/)
  })

  it('fails with a timeout error when dockle hangs', async () => {
    const { ctx } = await setup({ name: 'dockle', report: report(), sleepMs: 10_000 }, 300)
    await expect(dockle.scan(ctx)).rejects.toThrow(/did not finish within the scan timeout/)
  })
})
