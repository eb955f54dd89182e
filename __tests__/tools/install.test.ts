import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { installTool, type InstallOptions } from '../../src/tools/install.js'
import { createActionsToolCache, type ToolCache } from '../../src/tools/tool-cache.js'
import type { ArchiveFormat, ChecksumSource, Platform, ToolSpec } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import {
  checksumsFile,
  fakeExecutable,
  makeTarGz,
  makeZip,
  sha256Hex,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'

const run = promisify(execFile)
const REPO = 'acme/faketool'

interface SpecOptions {
  format?: ArchiveFormat
  checksums?: 'list' | 'per-asset'
  executable?: string
}

function assetName(version: string, format: ArchiveFormat): string {
  if (format === 'raw') return `faketool_${version}_linux_amd64`
  return `faketool_${version}_linux_amd64.${format}`
}

/** A scanner published only for linux-x64, like a small goreleaser project. */
function fakeSpec(options: SpecOptions = {}): ToolSpec {
  const format = options.format ?? 'tar.gz'
  const source: ChecksumSource =
    options.checksums === 'per-asset'
      ? { kind: 'per-asset', suffix: '.sha256' }
      : { kind: 'checksums-file', name: 'checksums.txt' }
  return {
    name: 'faketool',
    repository: REPO,
    tag: (version) => `v${version}`,
    asset: (version, platform: Platform) =>
      platform === 'linux-x64'
        ? { name: assetName(version, format), format, executable: options.executable ?? 'faketool' }
        : undefined,
    checksums: () => source,
  }
}

async function archiveFor(format: ArchiveFormat, script: string): Promise<Buffer> {
  if (format === 'tar.gz')
    return makeTarGz([
      { name: 'faketool', content: script },
      { name: 'README.md', content: 'hi', mode: 0o644 },
    ])
  if (format === 'zip') return makeZip([{ name: 'faketool', content: script }])
  return Buffer.from(script)
}

/** Publishes faketool `version` with a checksum list (or per-asset file); returns the asset bytes. */
async function publish(
  server: ReleaseServer,
  version: string,
  options: {
    format?: ArchiveFormat
    checksums?: 'list' | 'per-asset'
    body?: Buffer
    checksumOf?: Buffer
  } = {},
): Promise<{ body: Buffer; assetPath: string; name: string }> {
  const format = options.format ?? 'tar.gz'
  const name = assetName(version, format)
  const body = options.body ?? (await archiveFor(format, fakeExecutable(`faketool ${version}`)))
  const assetPath = server.addAsset(REPO, `v${version}`, name, body)
  const listed = options.checksumOf ?? body
  if (options.checksums === 'per-asset') {
    server.addAsset(REPO, `v${version}`, `${name}.sha256`, `${sha256Hex(listed).toUpperCase()} *${name}\r\n`)
  } else {
    server.addAsset(
      REPO,
      `v${version}`,
      'checksums.txt',
      checksumsFile({ 'other_file.tar.gz': 'x', [name]: listed }),
    )
  }
  return { body, assetPath, name }
}

describe('installTool', () => {
  let server: ReleaseServer
  let root: string
  let cacheRoot: string
  let tempDir: string
  let logger: RecordingLogger
  const saved = { cache: process.env['RUNNER_TOOL_CACHE'], temp: process.env['RUNNER_TEMP'] }

  beforeEach(async () => {
    server = await startReleaseServer()
    root = await mkdtemp(join(tmpdir(), 'csg-install-'))
    cacheRoot = join(root, 'tool-cache')
    tempDir = join(root, 'temp')
    process.env['RUNNER_TOOL_CACHE'] = cacheRoot
    process.env['RUNNER_TEMP'] = tempDir
    logger = new RecordingLogger()
  })

  afterEach(async () => {
    await server.close()
    await rm(root, { recursive: true, force: true })
    if (saved.cache === undefined) delete process.env['RUNNER_TOOL_CACHE']
    else process.env['RUNNER_TOOL_CACHE'] = saved.cache
    if (saved.temp === undefined) delete process.env['RUNNER_TEMP']
    else process.env['RUNNER_TEMP'] = saved.temp
  })

  function options(overrides: Partial<InstallOptions> = {}): InstallOptions {
    return {
      version: '1.2.3',
      platform: 'linux-x64',
      mirror: server.url,
      apiBaseUrl: server.url,
      tempDir,
      logger,
      retries: 2,
      retryDelayMs: 5,
      timeoutMs: 2000,
      ...overrides,
    }
  }

  /** Nothing of faketool in the tool cache, and no download or staging directory left behind. */
  async function expectNothingInstalled(): Promise<void> {
    expect(existsSync(join(cacheRoot, 'faketool'))).toBe(false)
    const leftovers = existsSync(tempDir) ? await readdir(tempDir) : []
    expect(leftovers).toEqual([])
  }

  async function installError(promise: Promise<unknown>): Promise<ScannerError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    return error as ScannerError
  }

  it.each<[ArchiveFormat, 'list' | 'per-asset']>([
    ['tar.gz', 'list'],
    ['zip', 'list'],
    ['raw', 'per-asset'],
  ])('installs a %s asset verified against its %s checksum file', async (format, checksums) => {
    await publish(server, '1.2.3', { format, checksums })
    const installed = await installTool(fakeSpec({ format, checksums }), options())
    expect(installed.version).toBe('1.2.3')
    expect(installed.path).toBe(join(cacheRoot, 'faketool', '1.2.3', 'x64', 'faketool'))
    expect(existsSync(join(cacheRoot, 'faketool', '1.2.3', 'x64.complete'))).toBe(true)
    expect((await stat(installed.path)).mode & 0o111).not.toBe(0)
    const { stdout } = await run(installed.path)
    expect(stdout.trim()).toBe('faketool 1.2.3')
    const checksumRequests = server.requestsTo(checksums === 'list' ? 'checksums.txt' : '.sha256')
    expect(checksumRequests).toHaveLength(1)
    expect(await readdir(tempDir)).toEqual([])
  })

  it('uses the pinned sha256 and never fetches the checksum file for a pinned version', async () => {
    const { body, name } = await publish(server, '1.2.3')
    const pinned = (tool: string, version: string, asset: string): string | undefined =>
      tool === 'faketool' && version === '1.2.3' && asset === name ? sha256Hex(body).toUpperCase() : undefined
    const installed = await installTool(fakeSpec(), options({ knownSha256: pinned }))
    expect(installed.version).toBe('1.2.3')
    expect(server.requestsTo('checksums.txt')).toHaveLength(0)
    expect(logger.messages('info').join('\n')).toContain('pinned sha256 in the action')
  })

  it('rejects a download that does not match the pinned sha256, deletes it and caches nothing', async () => {
    const { name } = await publish(server, '1.2.3')
    const wrong = 'a'.repeat(64)
    const error = await installError(installTool(fakeSpec(), options({ knownSha256: () => wrong })))
    expect(error.message).toMatch(
      new RegExp(`^checksum mismatch for ${name}: expected ${wrong}, got [0-9a-f]{64}`),
    )
    expect(error.scanner).toBe('faketool')
    await expectNothingInstalled()
  })

  it('rejects a download whose checksum file lists another digest', async () => {
    await publish(server, '1.2.3', { checksumOf: Buffer.from('something else') })
    const error = await installError(installTool(fakeSpec(), options()))
    expect(error.message).toContain('checksum mismatch for faketool_1.2.3_linux_amd64.tar.gz')
    expect(error.message).toContain(`${server.url}/${REPO}/releases/download/v1.2.3/checksums.txt`)
    await expectNothingInstalled()
  })

  it('refuses an asset the checksum file does not list', async () => {
    const { name } = await publish(server, '1.2.3')
    server.addAsset(REPO, 'v1.2.3', 'checksums.txt', checksumsFile({ 'unrelated.tar.gz': 'x' }))
    const error = await installError(installTool(fakeSpec(), options()))
    expect(error.message).toContain(`cannot verify ${name}: ${name} is not listed`)
    await expectNothingInstalled()
  })

  it('names the URL of a 404 and does not retry it', async () => {
    const error = await installError(installTool(fakeSpec(), options()))
    const url = `${server.url}/${REPO}/releases/download/v1.2.3/faketool_1.2.3_linux_amd64.tar.gz`
    expect(error.message).toContain(url)
    expect(error.message).toContain('HTTP 404')
    expect(server.requestsTo('faketool_1.2.3_linux_amd64.tar.gz')).toHaveLength(1)
    await expectNothingInstalled()
  })

  it('retries 500, 500 and then succeeds', async () => {
    const { assetPath } = await publish(server, '1.2.3')
    server.fault(assetPath, { status: 500 }, { status: 502 })
    const installed = await installTool(fakeSpec(), options())
    expect(installed.version).toBe('1.2.3')
    expect(server.requestsTo(assetPath)).toHaveLength(3)
    expect(logger.messages('warning').filter((m) => m.includes('retrying'))).toHaveLength(2)
  })

  it('gives up after the retries when the server keeps failing', async () => {
    const { assetPath } = await publish(server, '1.2.3')
    server.alwaysFault(assetPath, { status: 503 })
    const error = await installError(installTool(fakeSpec(), options({ retries: 2 })))
    expect(error.message).toContain('HTTP 503')
    expect(error.message).toContain('gave up after 3 attempts')
    expect(server.requestsTo(assetPath)).toHaveLength(3)
    await expectNothingInstalled()
  })

  it.each<[string, { truncateAfterBytes: number } | { resetAfterBytes: number }]>([
    ['a body cut short of its Content-Length', { truncateAfterBytes: 40 }],
    ['a connection reset mid-body', { resetAfterBytes: 40 }],
  ])('fails clearly on %s and caches nothing', async (_label, fault) => {
    const { assetPath } = await publish(server, '1.2.3')
    server.alwaysFault(assetPath, fault)
    const error = await installError(installTool(fakeSpec(), options({ retries: 1 })))
    expect(error.message).toMatch(/after 40 of \d+ bytes.*truncated download/)
    expect(error.message).toContain(assetPath)
    expect(server.requestsTo(assetPath)).toHaveLength(2)
    await expectNothingInstalled()
  })

  it('recovers when a connection reset happens once', async () => {
    const { assetPath } = await publish(server, '1.2.3')
    server.fault(assetPath, { resetAfterBytes: 10 })
    const installed = await installTool(fakeSpec(), options())
    expect(installed.version).toBe('1.2.3')
    expect(server.requestsTo(assetPath)).toHaveLength(2)
  })

  it('abandons a stalled response after the timeout', async () => {
    const { assetPath } = await publish(server, '1.2.3')
    server.alwaysFault(assetPath, { stallAfterBytes: 16 })
    // Seconds of slack: the headers and first bytes must arrive within the timeout even under load. The
    // stall is forever, so the install ending at all shows the timeout acted (jest's testTimeout bounds it).
    const error = await installError(installTool(fakeSpec(), options({ retries: 0, timeoutMs: 3000 })))
    expect(error.message).toContain('stalled: no data for 3000 ms after 16 bytes')
    await expectNothingInstalled()
  })

  it('abandons a response whose headers do not arrive in time, then succeeds on the next attempt', async () => {
    const { assetPath } = await publish(server, '1.2.3')
    // The retry must answer within the timeout even under load: seconds of slack on both sides.
    server.fault(assetPath, { delayMs: 30_000 })
    const installed = await installTool(fakeSpec(), options({ timeoutMs: 3000 }))
    expect(installed.version).toBe('1.2.3')
    expect(logger.messages('warning').join('\n')).toContain('no response within 3000 ms')
  })

  it('reports a truncated archive whose digest matches as an extraction failure, caching nothing', async () => {
    const full = await archiveFor('tar.gz', fakeExecutable())
    const truncated = full.subarray(0, Math.floor(full.length / 2))
    await publish(server, '1.2.3', { body: truncated })
    const error = await installError(installTool(fakeSpec(), options()))
    expect(error.message).toContain('could not extract faketool_1.2.3_linux_amd64.tar.gz (tar.gz)')
    await expectNothingInstalled()
  })

  it('reports a full disk while extracting and removes the staging directory', async () => {
    await publish(server, '1.2.3')
    const real = createActionsToolCache()
    let cacheCalls = 0
    const fullDisk: ToolCache = {
      ...real,
      extractTar: () =>
        Promise.reject(
          Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }),
        ),
      cacheDir: (...args) => {
        cacheCalls++
        return real.cacheDir(...args)
      },
    }
    const error = await installError(installTool(fakeSpec(), options({ cache: fullDisk })))
    expect(error.message).toContain(
      'no space left on device while extracting faketool_1.2.3_linux_amd64.tar.gz',
    )
    expect(cacheCalls).toBe(0)
    await expectNothingInstalled()
  })

  it('fails when the archive lacks the executable', async () => {
    await publish(server, '1.2.3')
    const error = await installError(installTool(fakeSpec({ executable: 'bin/faketool' }), options()))
    expect(error.message).toContain('does not contain the executable bin/faketool')
    await expectNothingInstalled()
  })

  it('makes no request at all on the second run (tool-cache hit)', async () => {
    await publish(server, '1.2.3')
    const first = await installTool(fakeSpec(), options())
    const before = server.requests.length
    const second = await installTool(fakeSpec(), options({ version: 'v1.2.3' }))
    expect(second).toEqual(first)
    expect(server.requests.length).toBe(before)
  })

  it('resolves latest through the API without a token and never caches under "latest"', async () => {
    server.setLatest(REPO, 'v1.3.0')
    await publish(server, '1.3.0')
    const installed = await installTool(fakeSpec(), options({ version: 'latest' }))
    expect(installed.version).toBe('1.3.0')
    expect(await readdir(join(cacheRoot, 'faketool'))).toEqual(['1.3.0'])
    const api = server.requestsTo('/releases/latest')
    expect(api).toHaveLength(1)
    expect(api[0]?.path).toBe(`/repos/${REPO}/releases/latest`)
    expect(api[0]?.headers['authorization']).toBeUndefined()

    server.clearRequests()
    const again = await installTool(fakeSpec(), options({ version: 'latest' }))
    expect(again.path).toBe(installed.path)
    expect(server.requests.map((r) => r.path)).toEqual([`/repos/${REPO}/releases/latest`])
  })

  it('sends the token to the API only, never to release downloads', async () => {
    server.setLatest(REPO, 'v1.3.0')
    await publish(server, '1.3.0')
    await installTool(fakeSpec(), options({ version: 'latest', token: 'secret-token' }))
    expect(server.requestsTo('/releases/latest')[0]?.headers['authorization']).toBe('Bearer secret-token')
    const downloads = server.requestsTo('/releases/download/')
    expect(downloads.length).toBeGreaterThan(0)
    for (const request of downloads) expect(request.headers['authorization']).toBeUndefined()
  })

  it('tells the user to pass a token or pin a version when the API rate limit is exhausted', async () => {
    server.alwaysFault(`/repos/${REPO}/releases/latest`, {
      status: 403,
      headers: { 'x-ratelimit-remaining': '0' },
      body: '{"message":"API rate limit exceeded"}',
    })
    const error = await installError(installTool(fakeSpec(), options({ version: 'latest' })))
    expect(error.message).toMatch(/rate limit/)
    expect(error.message).toMatch(/token/)
    expect(error.message).toMatch(/pin a version/)
  })

  it('says the project publishes no build for an unsupported platform', async () => {
    const error = await installError(installTool(fakeSpec(), options({ platform: 'win32-x64' })))
    expect(error.message).toBe('faketool does not publish a win32-x64 build')
    expect(server.requests).toHaveLength(0)
  })

  it('rejects an invalid version before any network access', async () => {
    const error = await installTool(fakeSpec(), options({ version: 'stable' })).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConfigurationError)
    expect((error as Error).message).toContain('faketool-version')
    expect(server.requests).toHaveLength(0)
  })
})
