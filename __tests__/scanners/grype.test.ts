import { describe, it, expect } from '@jest/globals'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  grypeArgs,
  grypeEnv,
  grypeScanner,
  grypeSourceArg,
  grypeTool,
  isGrypeDbDownloadFailure,
  scanGrypeWithDb,
} from '../../src/scanners/grype.js'
import type { ScanContext } from '../../src/scanners/scanner.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { runCommand, type CommandRunner } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const archive: ImageSource = { input: './image.tar', kind: 'docker-archive', path: '/tmp/in/image.tar' }

describe('grype tool spec', () => {
  it.each([
    ['linux-x64', 'grype_0.87.0_linux_amd64.tar.gz', 'tar.gz', 'grype'],
    ['linux-arm64', 'grype_0.87.0_linux_arm64.tar.gz', 'tar.gz', 'grype'],
    ['darwin-x64', 'grype_0.87.0_darwin_amd64.tar.gz', 'tar.gz', 'grype'],
    ['darwin-arm64', 'grype_0.87.0_darwin_arm64.tar.gz', 'tar.gz', 'grype'],
    ['win32-x64', 'grype_0.87.0_windows_amd64.zip', 'zip', 'grype.exe'],
  ] as const)('%s → %s', (platform: Platform, name, format, executable) => {
    expect(grypeTool.asset('0.87.0', platform)).toEqual({ name, format, executable })
  })

  it('names the release tag and the checksum file', () => {
    expect(grypeTool.repository).toBe('anchore/grype')
    expect(grypeTool.tag('0.87.0')).toBe('v0.87.0')
    expect(grypeTool.tag('v0.87.0')).toBe('v0.87.0')
    expect(grypeTool.checksums('0.87.0')).toEqual({
      kind: 'checksums-file',
      name: 'grype_0.87.0_checksums.txt',
    })
  })
})

describe('grype arguments and environment', () => {
  it.each<[string, ImageSource, string]>([
    ['a docker-archive', archive, 'docker-archive:/tmp/in/image.tar'],
    [
      'an exported daemon image',
      { input: 'app:ci', kind: 'daemon', path: '/w/app.tar', reference: 'app:ci' },
      'docker-archive:/w/app.tar',
    ],
    [
      'a daemon image without archive',
      { input: 'app:ci', kind: 'daemon', path: '', reference: 'app:ci' },
      'docker:app:ci',
    ],
    ['an OCI directory', { input: 'oci:build', kind: 'oci-dir', path: '/b/oci' }, 'oci-dir:/b/oci'],
    ['an OCI archive', { input: 'x.tar', kind: 'oci-archive', path: '/b/x.tar' }, 'oci-archive:/b/x.tar'],
  ])('%s → %s', (_name, source, expected) => {
    expect(grypeSourceArg(source)).toBe(expected)
    expect(grypeArgs({ source, reportFile: '/w/r.json' })).toEqual([
      expected,
      '-o',
      'json',
      '--file',
      '/w/r.json',
    ])
  })

  it('never sets its own fail switch', () => {
    const args = grypeArgs({ source: archive, reportFile: '/w/r.json' })
    expect(args.some((a) => a === '--fail-on' || a === '-f')).toBe(false)
  })

  it('points grype at the DB cache, and the fallback at the cached DB as it is', () => {
    expect(grypeEnv({ cacheDir: '/c' })).toEqual({
      GRYPE_DB_CACHE_DIR: '/c',
      GRYPE_CHECK_FOR_APP_UPDATE: 'false',
    })
    expect(grypeEnv({ cacheDir: '/c', useCachedDbOnly: true })).toMatchObject({
      GRYPE_DB_AUTO_UPDATE: 'false',
      GRYPE_DB_VALIDATE_AGE: 'false',
    })
  })

  it.each([
    [
      '[0010] ERROR unable to update vulnerability database: unable to download listing: Get "https://grype.anchore.io/databases/v6/latest.json": net/http: TLS handshake timeout',
      true,
    ],
    [
      '[0070]  WARN error updating db error=unable to update vulnerability database\n[0070] ERROR failed to load vulnerability db: database does not exist',
      true,
    ],
    [
      'db could not be loaded: the vulnerability database was built 6 days ago (max allowed age is 5 days)',
      true,
    ],
    [
      '[0001] ERROR could not determine source: an image reference was given but no daemon is available',
      false,
    ],
    ['[0002] ERROR unable to open archive: no such file or directory', false],
  ])('%s → %s', (stderr, expected) => {
    expect(isGrypeDbDownloadFailure(stderr)).toBe(expected)
  })
})

const report = JSON.stringify({
  matches: [
    {
      vulnerability: {
        id: 'CVE-2024-0001',
        severity: 'Negligible',
        fix: { versions: [], state: 'not-fixed' },
      },
      relatedVulnerabilities: [],
      artifact: {
        name: 'libfoo',
        version: '1.0',
        type: 'deb',
        locations: [{ path: '/var/lib/dpkg/status', layerID: 'sha256:l1' }],
      },
    },
  ],
  source: { type: 'image', target: { userInput: '/tmp/in/image.tar' } },
  descriptor: { name: 'grype', version: '0.87.0' },
})

function scanContext(dir: string, toolPath: string, overrides: Partial<ScanContext> = {}): ScanContext {
  return testScanContext({
    source: archive,
    workDir: join(dir, 'work'),
    tool: { path: toolPath, version: '0.87.0' },
    ...overrides,
  })
}

async function replay(dir: string, options: Omit<ReplayScannerOptions, 'name'>) {
  return writeReplayScanner(dir, { name: 'grype', outputFlags: ['--file'], ...options })
}

async function scanError(promise: Promise<unknown>): Promise<ScannerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScannerError)
  expect((error as ScannerError).scanner).toBe('grype')
  return error as ScannerError
}

describe('grype scan with a replayed executable', () => {
  it('runs grype on the archive and reads its findings', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), { report })
    const ctx = scanContext(dir, tool.path)
    const findings = await grypeScanner.scan(ctx)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      ruleId: 'CVE-2024-0001',
      target: 'app:ci',
      severity: 'low',
      severityBySource: { grype: { severity: 'low', original: 'Negligible' } },
    })
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv).toEqual([
      'docker-archive:/tmp/in/image.tar',
      '-o',
      'json',
      '--file',
      join(ctx.workDir, 'grype-report.json'),
    ])
    expect(call?.envKeys).toEqual(
      expect.arrayContaining(['GRYPE_DB_CACHE_DIR', 'GRYPE_CHECK_FOR_APP_UPDATE']),
    )
    expect(call?.envKeys).not.toContain('GRYPE_DB_AUTO_UPDATE')
  })

  it('turns exit code 1 into a ScannerError with the stderr tail', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), {
      report,
      exitCode: 1,
      stderr: '[0001] ERROR unable to open archive: bad tar header\n',
    })
    const error = await scanError(grypeScanner.scan(scanContext(dir, tool.path)))
    expect(error.message).toMatch(/exited with code 1/)
    expect(error.message).toContain('bad tar header')
  })

  it('treats exit code 2 as a failure too (we never set --fail-on)', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), { report, exitCode: 2 })
    const error = await scanError(grypeScanner.scan(scanContext(dir, tool.path)))
    expect(error.message).toMatch(/exited with code 2/)
  })

  it('kills a scan that outlives the timeout', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), { report, sleepMs: 10_000 })
    const error = await scanError(grypeScanner.scan(scanContext(dir, tool.path, { timeoutMs: 400 })))
    expect(error.message).toMatch(/did not finish within the scan timeout/)
  })

  it('fails when grype exits 0 without writing its report', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), {})
    const error = await scanError(grypeScanner.scan(scanContext(dir, tool.path)))
    expect(error.message).toMatch(/without writing its report/)
  })

  it('re-runs against the cached DB, with auto-update and the age check off, when the update fails', async () => {
    const dir = await tempDir('csg-grype-')
    const failing = await replay(join(dir, 'failing'), {
      exitCode: 1,
      stderr:
        '[0003] ERROR unable to update vulnerability database: unable to download listing: 429 Too Many Requests\n',
    })
    const working = await replay(join(dir, 'working'), { report })
    let calls = 0
    const run: CommandRunner = (_command, args, options) =>
      runCommand(calls++ === 0 ? failing.path : working.path, args, options)
    const cacheDir = join(dir, 'grype-db')
    await mkdir(join(cacheDir, '6'), { recursive: true })
    await writeFile(join(cacheDir, '6', 'vulnerability.db'), 'sqlite')
    const logger = new RecordingLogger()
    const findings = await scanGrypeWithDb(scanContext(dir, failing.path, { run, logger }), { cacheDir })
    expect(findings).toHaveLength(1)
    const [second] = await readCalls(working.callLog)
    expect(second?.envKeys).toEqual(expect.arrayContaining(['GRYPE_DB_AUTO_UPDATE', 'GRYPE_DB_VALIDATE_AGE']))
    expect(logger.messages('warning').join('\n')).toMatch(/^grype: .*cached database/)
  })

  it('does not retry when no DB was cached', async () => {
    const dir = await tempDir('csg-grype-')
    const tool = await replay(join(dir, 'bin'), {
      exitCode: 1,
      stderr: '[0003] ERROR unable to update vulnerability database\n',
    })
    const error = await scanError(
      scanGrypeWithDb(scanContext(dir, tool.path), { cacheDir: join(dir, 'empty-cache') }),
    )
    expect(error.message).toContain('unable to update vulnerability database')
    expect(await readCalls(tool.callLog)).toHaveLength(1)
  })
})
