import { describe, it, expect } from '@jest/globals'
import { existsSync } from 'node:fs'
import { lstat, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage } from '../../scripts/lib/image-builder.js'
import type { ScanContext } from '../../src/scanners/scanner.js'
import {
  TRIVY_DEFAULT_DB_REPOSITORIES,
  isTrivyDbDownloadFailure,
  scanTrivyWithDb,
  trivyArgs,
  trivyInputLink,
  trivyScanner,
  trivyTool,
} from '../../src/scanners/trivy.js'
import { openImage } from '../../src/target/image-reader.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { runCommand, type CommandRunner } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { testScanContext } from '../helpers/scan-context.js'
import { TRIVY_INPUT } from '../helpers/replay-image-input.js'
import { readCalls, writeReplayScanner, type ReplayScannerOptions } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const archive: ImageSource = { input: './image.tar', kind: 'docker-archive', path: '/tmp/in/image.tar' }

describe('trivy tool spec', () => {
  it.each([
    ['linux-x64', 'trivy_0.58.1_Linux-64bit.tar.gz', 'tar.gz', 'trivy'],
    ['linux-arm64', 'trivy_0.58.1_Linux-ARM64.tar.gz', 'tar.gz', 'trivy'],
    ['darwin-x64', 'trivy_0.58.1_macOS-64bit.tar.gz', 'tar.gz', 'trivy'],
    ['darwin-arm64', 'trivy_0.58.1_macOS-ARM64.tar.gz', 'tar.gz', 'trivy'],
    ['win32-x64', 'trivy_0.58.1_windows-64bit.zip', 'zip', 'trivy.exe'],
  ] as const)('%s → %s', (platform: Platform, name, format, executable) => {
    expect(trivyTool.asset('0.58.1', platform)).toEqual({ name, format, executable })
  })

  it('names the release tag and the checksum file, with or without a leading v', () => {
    expect(trivyTool.repository).toBe('aquasecurity/trivy')
    expect(trivyTool.tag('0.58.1')).toBe('v0.58.1')
    expect(trivyTool.tag('v0.58.1')).toBe('v0.58.1')
    expect(trivyTool.checksums('v0.58.1')).toEqual({
      kind: 'checksums-file',
      name: 'trivy_0.58.1_checksums.txt',
    })
  })
})

describe('trivyArgs', () => {
  const base = { reportFile: '/w/report.json', cacheDir: '/c/trivy' }

  it('writes JSON to the report file with its own fail switch off and the DBs mirror-first', () => {
    const args = trivyArgs({ ...base, source: archive })
    expect(args[0]).toBe('image')
    const pairs = new Map(
      args.slice(1, -2).flatMap((a, i, all) => (a.startsWith('--') ? [[a, all[i + 1]]] : [])),
    )
    expect(pairs.get('--format')).toBe('json')
    expect(pairs.get('--output')).toBe('/w/report.json')
    expect(pairs.get('--exit-code')).toBe('0')
    expect(pairs.get('--scanners')).toBe('vuln,secret')
    expect(pairs.get('--image-config-scanners')).toBe('misconfig,secret')
    expect(pairs.get('--cache-dir')).toBe('/c/trivy')
    expect(pairs.get('--db-repository')).toBe(
      'mirror.gcr.io/aquasec/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2',
    )
    expect(pairs.get('--java-db-repository')).toBe(
      'mirror.gcr.io/aquasec/trivy-java-db:1,ghcr.io/aquasecurity/trivy-java-db:1',
    )
    expect(args).toContain('--no-progress')
    expect(args).not.toContain('--skip-db-update')
    expect(args).not.toContain('--quiet')
  })

  it.each<[string, ImageSource, string[], string[]]>([
    ['a docker-archive', archive, ['--input', '/tmp/in/image.tar'], []],
    [
      'a daemon image already exported',
      { input: 'app:ci', kind: 'daemon', path: '/w/app.tar', reference: 'app:ci' },
      ['--input', '/w/app.tar'],
      ['--image-src'],
    ],
    [
      'a daemon image with no archive',
      { input: 'app:ci', kind: 'daemon', path: '', reference: 'docker.io/library/app:ci' },
      ['--image-src', 'docker,containerd,podman', 'docker.io/library/app:ci'],
      ['--input'],
    ],
    [
      'an OCI layout directory',
      { input: 'oci:build/oci', kind: 'oci-dir', path: '/b/oci' },
      ['--input', '/b/oci'],
      [],
    ],
  ])('%s: the input comes last', (_name, source, tail, absent) => {
    const args = trivyArgs({ ...base, source })
    expect(args.slice(-tail.length)).toEqual(tail)
    for (const flag of absent) expect(args).not.toContain(flag)
  })

  it('uses a linked input path when given', () => {
    const source: ImageSource = { input: 'x', kind: 'oci-dir', path: '/b/app:1/oci' }
    expect(trivyArgs({ ...base, source, inputPath: 'trivy-input/image' }).slice(-2)).toEqual([
      '--input',
      'trivy-input/image',
    ])
  })

  it('refuses an OCI archive: Trivy 0.70 --input reads a docker-archive or an OCI layout directory', () => {
    const source: ImageSource = { input: 'oci-archive:img.tar', kind: 'oci-archive', path: '/b/img.tar' }
    expect(() => trivyArgs({ ...base, source })).toThrow(/cannot read an OCI archive/)
  })

  it('takes configured DB repositories in order, sets its timeout past ours, and can skip DB updates', () => {
    const args = trivyArgs({
      ...base,
      source: archive,
      dbRepositories: ['registry.internal/trivy-db:2', ' ', 'ghcr.io/aquasecurity/trivy-db:2'],
      timeoutMs: 120_000,
      skipDbUpdate: true,
    })
    expect(args[args.indexOf('--db-repository') + 1]).toBe(
      'registry.internal/trivy-db:2,ghcr.io/aquasecurity/trivy-db:2',
    )
    expect(args[args.indexOf('--timeout') + 1]).toBe('180s')
    expect(args).toContain('--skip-db-update')
    expect(args).not.toContain('--skip-java-db-update')
    expect(trivyArgs({ ...base, source: archive, skipJavaDbUpdate: true })).toContain('--skip-java-db-update')
  })

  it('falls back to the default repositories for an empty list', () => {
    const args = trivyArgs({ ...base, source: archive, dbRepositories: [] })
    expect(args[args.indexOf('--db-repository') + 1]).toBe(TRIVY_DEFAULT_DB_REPOSITORIES.join(','))
  })
})

describe('trivyInputLink', () => {
  it.each<[ImageSource, string | undefined]>([
    [{ input: 'a', kind: 'oci-archive', path: '/b/x@1/image.tar' }, undefined],
    [{ input: 'a', kind: 'oci-dir', path: '/b/oci' }, undefined],
    [{ input: 'a', kind: 'oci-dir', path: '/b/app:1/oci' }, 'trivy-input/image'],
    [{ input: 'a', kind: 'docker-archive', path: '/b/app:1.tar' }, undefined],
  ])('%j → %s', (source, expected) => {
    expect(trivyInputLink(source)).toBe(expected)
  })
})

describe('isTrivyDbDownloadFailure', () => {
  it.each([
    [
      'FATAL\tinit error: DB error: failed to download vulnerability DB: database download error: OCI repository error: 1 error occurred:\n\t* GET https://ghcr.io/v2/aquasecurity/trivy-db/manifests/2: TOOMANYREQUESTS: retry-after: 35µs',
      true,
    ],
    [
      'ERROR\t[vulndb] Failed to download artifact\trepo="mirror.gcr.io/aquasec/trivy-db:2" err="TOOMANYREQUESTS"',
      true,
    ],
    [
      'FATAL\tFatal error\tinit error: DB error: failed to download vulnerability DB: failed to download artifact from any source',
      true,
    ],
    [
      'post analysis error: Unable to initialize the Java DB: Java DB update failed: OCI artifact error',
      true,
    ],
    ['FATAL\tFatal error\timage scan error: unable to inspect the image (app:ci): no such image', false],
    ['FATAL\tFatal error\trun error: invalid input: archive not found', false],
  ])('%s → %s', (stderr, expected) => {
    expect(isTrivyDbDownloadFailure(stderr)).toBe(expected)
  })
})

/** The smallest clean Trivy report. */
const cleanReport = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: '/tmp/in/image.tar',
  ArtifactType: 'container_image',
})
const oneVulnReport = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: '/tmp/in/image.tar',
  ArtifactType: 'container_image',
  Results: [
    {
      Target: 'image.tar (alpine 3.20.1)',
      Class: 'os-pkgs',
      Type: 'alpine',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2024-5535',
          PkgName: 'libssl3',
          InstalledVersion: '3.3.1-r0',
          FixedVersion: '3.3.1-r1',
          Status: 'fixed',
          Severity: 'LOW',
        },
      ],
    },
  ],
})

async function workspace(): Promise<string> {
  return tempDir('csg-trivy-')
}

/** A scan context around a replay executable; an opened image is not read by Trivy, so a stub does. */
function scanContext(dir: string, toolPath: string, overrides: Partial<ScanContext> = {}): ScanContext {
  return testScanContext({
    source: archive,
    workDir: join(dir, 'work'),
    tool: { path: toolPath, version: '0.58.1' },
    ...overrides,
  })
}

async function replay(dir: string, options: Omit<ReplayScannerOptions, 'name'>) {
  return writeReplayScanner(dir, { name: 'trivy', outputFlags: ['--output'], ...options })
}

async function scanError(promise: Promise<unknown>): Promise<ScannerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ScannerError)
  expect((error as ScannerError).scanner).toBe('trivy')
  return error as ScannerError
}

const DB_FAILURE =
  '2026-01-01T00:00:00Z\tFATAL\tFatal error\tinit error: DB error: failed to download vulnerability DB: OCI repository error: GET https://mirror.gcr.io/v2/aquasec/trivy-db/manifests/2: TOOMANYREQUESTS: rate limited\n'

describe('trivy scan with a replayed executable', () => {
  it('runs trivy on the archive and reads its findings', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), { report: oneVulnReport })
    const ctx = scanContext(dir, tool.path)
    await mkdir(ctx.workDir, { recursive: true })
    const findings = await trivyScanner.scan(ctx)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      ruleId: 'CVE-2024-5535',
      target: 'app:ci',
      severity: 'low',
      detectedBy: ['trivy'],
    })
    const calls = await readCalls(tool.callLog)
    expect(calls).toHaveLength(1)
    const argv = calls[0]!.argv
    expect(argv.slice(-2)).toEqual(['--input', '/tmp/in/image.tar'])
    expect(argv[argv.indexOf('--cache-dir') + 1]).toBe(join(ctx.workDir, 'trivy-cache'))
    expect(argv[argv.indexOf('--timeout') + 1]).toBe('90s')
    expect(calls[0]!.envKeys).toContain('TRIVY_CACHE_DIR')
  })

  it('returns no findings for a clean report', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), { report: cleanReport })
    const ctx = scanContext(dir, tool.path)
    await mkdir(ctx.workDir, { recursive: true })
    expect(await trivyScanner.scan(ctx)).toEqual([])
  })

  it('turns a non-zero exit into a ScannerError with the stderr tail', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), {
      report: cleanReport,
      exitCode: 1,
      stderr: 'INFO\tstarting\nFATAL\tFatal error\trun error: image scan error: unable to open archive\n',
    })
    const ctx = scanContext(dir, tool.path)
    await mkdir(ctx.workDir, { recursive: true })
    const error = await scanError(trivyScanner.scan(ctx))
    expect(error.message).toMatch(/exited with code 1/)
    expect(error.message).toContain('unable to open archive')
    expect(await readCalls(tool.callLog)).toHaveLength(1)
  })

  it('kills a scan that outlives the timeout', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), { report: cleanReport, sleepMs: 10_000 })
    const ctx = scanContext(dir, tool.path, { timeoutMs: 400 })
    await mkdir(ctx.workDir, { recursive: true })
    const error = await scanError(trivyScanner.scan(ctx))
    expect(error.message).toMatch(/did not finish within the scan timeout/)
  })

  it('fails when trivy exits 0 without writing its report', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), { stderr: 'WARN\tsomething odd\n' })
    const ctx = scanContext(dir, tool.path)
    await mkdir(ctx.workDir, { recursive: true })
    const error = await scanError(trivyScanner.scan(ctx))
    expect(error.message).toMatch(/without writing its report/)
  })

  it('fails on a report it cannot read instead of passing', async () => {
    const dir = await workspace()
    const tool = await replay(join(dir, 'bin'), { report: '{"SchemaVersion": 2, "Results": [' })
    const ctx = scanContext(dir, tool.path)
    await mkdir(ctx.workDir, { recursive: true })
    const error = await scanError(trivyScanner.scan(ctx))
    expect(error.message).toMatch(/not valid JSON/)
  })

  /** First call: the DB download fails; second call: a normal scan. Two real executables, one per call. */
  async function failingThenWorking(dir: string) {
    const failing = await replay(join(dir, 'failing'), { exitCode: 1, stderr: DB_FAILURE })
    const working = await replay(join(dir, 'working'), { report: oneVulnReport, trivyJavaDb: true })
    let calls = 0
    const run: CommandRunner = (_command, args, options) =>
      runCommand(calls++ === 0 ? failing.path : working.path, args, options)
    return { failing, working, run }
  }

  it('re-runs with --skip-db-update and warns when the DB download fails and a cached DB exists', async () => {
    const dir = await workspace()
    const { failing, working, run } = await failingThenWorking(dir)
    const logger = new RecordingLogger()
    const ctx = scanContext(dir, failing.path, { run, logger })
    await mkdir(ctx.workDir, { recursive: true })
    const findings = await scanTrivyWithDb(ctx, { cachedDbAvailable: true })
    expect(findings.map((f) => f.ruleId)).toEqual(['CVE-2024-5535'])
    const [first] = await readCalls(failing.callLog)
    const [second] = await readCalls(working.callLog)
    expect(first?.argv).not.toContain('--skip-db-update')
    // No Java DB in the cache: Trivy would refuse --skip-java-db-update (pkg/javadb/client.go).
    expect(second?.argv).toContain('--skip-db-update')
    expect(second?.argv).not.toContain('--skip-java-db-update')
    expect(logger.messages('warning').join('\n')).toMatch(/cached database/)
  })

  it('skips the Java DB update too when a Java DB is cached', async () => {
    const dir = await workspace()
    const { failing, working, run } = await failingThenWorking(dir)
    const cacheDir = join(dir, 'cache')
    await mkdir(join(cacheDir, 'java-db'), { recursive: true })
    await writeFile(join(cacheDir, 'java-db', 'metadata.json'), '{"Version":1}')
    const ctx = scanContext(dir, failing.path, { run })
    await mkdir(ctx.workDir, { recursive: true })
    await scanTrivyWithDb(ctx, { cacheDir, cachedDbAvailable: true })
    const [second] = await readCalls(working.callLog)
    expect(second?.argv).toEqual(expect.arrayContaining(['--skip-db-update', '--skip-java-db-update']))
  })

  it('finds the cached DB in the cache directory on its own', async () => {
    const dir = await workspace()
    const { working, run, failing } = await failingThenWorking(dir)
    const cacheDir = join(dir, 'cache')
    await mkdir(join(cacheDir, 'db'), { recursive: true })
    await writeFile(join(cacheDir, 'db', 'metadata.json'), '{"Version":2}')
    const ctx = scanContext(dir, failing.path, { run })
    await mkdir(ctx.workDir, { recursive: true })
    await scanTrivyWithDb(ctx, { cacheDir })
    const [second] = await readCalls(working.callLog)
    expect(second?.argv[second.argv.indexOf('--cache-dir') + 1]).toBe(cacheDir)
    expect(second?.argv).toContain('--skip-db-update')
  })

  it('does not retry a DB failure when there is no cached DB', async () => {
    const dir = await workspace()
    const { failing, working, run } = await failingThenWorking(dir)
    const ctx = scanContext(dir, failing.path, { run })
    await mkdir(ctx.workDir, { recursive: true })
    const error = await scanError(scanTrivyWithDb(ctx, { cachedDbAvailable: false }))
    expect(error.message).toContain('TOOMANYREQUESTS')
    expect(await readCalls(working.callLog)).toHaveLength(0)
  })

  it('unpacks an OCI archive once to a layout Trivy reads, and runs in the scan directory', async () => {
    const dir = await workspace()
    try {
      // The stand-in opens --input as Trivy 0.70 does (replay-image-input.ts): an OCI archive tar is refused.
      const tool = await replay(join(dir, 'bin'), {
        report: '{"SchemaVersion":2,"ArtifactName":"x","Metadata":{"ImageID":"__IMAGE_ID__"},"Results":[]}',
        imageInput: TRIVY_INPUT,
      })
      const archivePath = join(dir, 'app:1.tar')
      await writeImage(plantedImage(), { format: 'oci-archive', out: archivePath, repoTag: 'acme/app:1.0' })
      const source: ImageSource = {
        input: `oci-archive:${archivePath}`,
        kind: 'oci-archive',
        path: archivePath,
      }
      const image = await openImage(source, { tempDir: join(dir, 'temp'), logger: new RecordingLogger() })
      let cwd: string | undefined
      const run: CommandRunner = (command, args, options) => {
        cwd = options?.cwd
        return runCommand(command, args, options)
      }
      const ctx = scanContext(dir, tool.path, { source, image, run })
      try {
        await trivyScanner.scan(ctx)
        await trivyScanner.scan(ctx)
        const calls = await readCalls(tool.callLog)
        const inputs = calls.map((c) => c.argv[c.argv.indexOf('--input') + 1]!)
        expect(inputs[0]).toBe(inputs[1]) // written once
        expect(inputs[0]).not.toBe(archivePath)
        expect((await lstat(join(inputs[0]!, 'index.json'))).isFile()).toBe(true)
        expect(cwd).toBe(ctx.workDir)
        const report = JSON.parse(await readFile(join(ctx.workDir, 'trivy-report.json'), 'utf8'))
        expect(report.Metadata.ImageID).toBe(image.imageId)
        // The archive as given is what the real Trivy refuses.
        const refused = await runCommand(tool.path, ['image', '--input', archivePath])
        expect([refused.exitCode, refused.stderr]).toEqual([
          1,
          expect.stringMatching(/unable to open .* as an OCI Image/),
        ])
      } finally {
        await image.close()
      }
      expect(existsSync(join(dir, 'temp'))).toBe(true)
      expect(await readdir(join(dir, 'temp'))).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
