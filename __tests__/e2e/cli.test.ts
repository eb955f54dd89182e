/**
 * The CLI bundled from the current sources by the jest global setup: exit codes for every kind of bad input, and the scan of generated images
 * in every layout.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { lstat, mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PLANTED_PROBLEMS, cleanImage, plantedImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type ImageFormat } from '../../scripts/lib/image-builder.js'
import { runCli } from '../helpers/cli-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

let work: string
let bad: string
let clean: string

beforeAll(async () => {
  work = await tempDir('csg-e2e-cli-')
  bad = join(work, 'bad.tar')
  clean = join(work, 'clean.tar')
  await writeImage(plantedImage(), {
    format: 'docker-archive',
    out: bad,
    repoTag: 'acme/bad:1.0',
    gzipLayers: true,
  })
  await writeImage(cleanImage(), { format: 'docker-archive', out: clean, repoTag: 'acme/clean:1.0' })
})

describe('CLI usage and exit codes', () => {
  it('prints help and version', async () => {
    const help = await runCli(['--help'])
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toContain('container-security-gate scan IMAGE')
    const version = await runCli(['--version'])
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })

  it.each([
    ['unknown scanner', () => ['scan', bad, '--scanners', 'builtin,nope'], 2, /unknown scanner "nope"/],
    ['unknown severity', () => ['scan', bad, '--fail-on', 'severe'], 2, /fail-on: unknown severity "severe"/],
    ['missing image path', () => ['scan', join(work, 'nope.tar')], 2, /does not exist/],
    [
      'missing dockerfile',
      () => ['scan', bad, '--dockerfile', join(work, 'Nope')],
      2,
      /dockerfile: .* does not exist/,
    ],
    ['no image', () => ['scan'], 2, /no image given/],
    ['unknown flag', () => ['scan', bad, '--frobnicate'], 2, /frobnicate/],
    ['unknown command', () => ['frob'], 2, /unknown command "frob"/],
    ['bad --format', () => ['scan', bad, '--format', 'xml'], 2, /--format/],
  ])('%s → exit %i with one clear line', async (_name, args, code, message) => {
    const run = await runCli(args())
    expect(run.exitCode).toBe(code)
    expect(run.stderr).toMatch(message)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 or 3 for a file or directory that is not an image', async () => {
    const notImage = join(work, 'notes.txt')
    await writeFile(notImage, 'hello')
    const dir = join(work, 'plain-dir')
    await mkdir(dir, { recursive: true })
    for (const path of [notImage, dir]) {
      const run = await runCli(['scan', path, '--scanners', 'builtin'])
      expect([2, 3]).toContain(run.exitCode)
      expect(run.stderr).toMatch(/not a container image/)
    }
  })

  it('exits 3 for a truncated tarball and writes no SARIF', async () => {
    const truncated = join(work, 'truncated.tar')
    const bytes = await readFile(bad)
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const sarif = join(work, 'truncated.sarif')
    const run = await runCli(['scan', truncated, '--scanners', 'builtin', '--sarif', sarif])
    expect(run.exitCode).toBe(3)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(existsSync(sarif)).toBe(false)
  })
})

describe('CLI configuration paths that are not regular files', () => {
  it.each([
    [
      '--policy-file',
      '/dev/zero',
      /^container-security-gate: --policy-file: cannot read \/dev\/zero: it is a character device, not a regular file/,
    ],
    [
      '--ignore-file',
      'DIR',
      /^container-security-gate: --ignore-file: cannot read .*: it is a directory, not a regular file/,
    ],
    [
      '--baseline-sarif',
      '/dev/zero',
      /^container-security-gate: --baseline-sarif: cannot read \/dev\/zero: it is a character device/,
    ],
    [
      '--dockerfile',
      'FIFO',
      /^container-security-gate: --dockerfile: .* could not be read: it is a FIFO, not a regular file/,
    ],
  ])(
    '%s %s → exit 2 with one clear line',
    async (flag, what, message) => {
      const dir = await mkdtemp(join(work, 'config-'))
      const fifo = join(dir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const path = what === 'DIR' ? dir : what === 'FIFO' ? fifo : what
      const run = await runCli(['scan', clean, '--scanners', 'builtin', flag, path])
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toMatch(message)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    },
    30_000,
  )
})

describe('CLI outputs at a symlinked path', () => {
  it('replaces a symlink and a dangling symlink at --sarif/--json, never writing through them', async () => {
    const dir = await mkdtemp(join(work, 'links-'))
    const victim = join(dir, 'victim.txt')
    await writeFile(victim, 'precious\n')
    await symlink(victim, join(dir, 'out.sarif'))
    await symlink(join(dir, 'created-through-link.json'), join(dir, 'out.json'))
    const run = await runCli([
      'scan',
      clean,
      '--scanners',
      'builtin',
      '--sarif',
      join(dir, 'out.sarif'),
      '--json',
      join(dir, 'out.json'),
    ])
    expect(run.stderr).toBe('')
    expect(await readFile(victim, 'utf8')).toBe('precious\n')
    expect((await readdir(dir)).sort()).toEqual(['out.json', 'out.sarif', 'victim.txt'])
    expect((await lstat(join(dir, 'out.sarif'))).isFile()).toBe(true)
    expect((await lstat(join(dir, 'out.json'))).isFile()).toBe(true)
    expect(JSON.parse(await readFile(join(dir, 'out.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' })
  })
})

describe('CLI scans of generated images in every layout', () => {
  const formats: ImageFormat[] = ['docker-archive', 'docker-archive-oci', 'oci-dir', 'oci-archive']

  it.each(formats)('%s: reports every planted problem and exits 1 with --fail-on high', async (format) => {
    const out = join(work, `planted-${format}${format === 'oci-dir' ? '' : '.tar'}`)
    await writeImage(plantedImage(), { format, out, repoTag: 'acme/bad:1.0' })
    const json = join(work, `planted-${format}.json`)
    const run = await runCli(['scan', out, '--scanners', 'builtin', '--fail-on', 'high', '--json', json])
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(1)
    const doc = JSON.parse(await readFile(json, 'utf8'))
    expect(doc.version).toBe(1)
    expect(doc.verdict.result).toBe('fail')
    // An absolute path outside the working directory is reported by its base name, not the runner's path.
    const shown = format === 'oci-dir' ? 'planted-oci-dir' : `planted-${format}.tar`
    expect(doc.images.map((i: { target: string }) => i.target)).toEqual([shown])
    expect([...new Set(doc.findings.map((f: { target: string }) => f.target))]).toEqual([shown])
    const rank = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 } as const
    for (const problem of PLANTED_PROBLEMS) {
      const match = doc.findings.find(
        (f: { ruleId: string; subject?: string }) =>
          f.ruleId === problem.ruleId && (!('subject' in problem) || f.subject === problem.subject),
      )
      expect({ problem, found: match !== undefined }).toEqual({ problem, found: true })
      expect(match.kind).toBe(problem.kind)
      expect(rank[match.severity as keyof typeof rank]).toBeGreaterThanOrEqual(rank[problem.minSeverity])
    }
    // The key deleted by a whiteout is not in the final filesystem.
    expect(doc.findings.some((f: { subject?: string }) => f.subject === '/tmp/build-key')).toBe(false)
  })

  it('passes the clean image with --fail-on medium and nothing at medium or above', async () => {
    const run = await runCli([
      'scan',
      clean,
      '--scanners',
      'builtin',
      '--fail-on',
      'medium',
      '--format',
      'json',
    ])
    expect(run.exitCode).toBe(0)
    const doc = JSON.parse(run.stdout)
    expect(
      doc.findings.filter((f: { severity: string }) => ['critical', 'high', 'medium'].includes(f.severity)),
    ).toEqual([])
  })
})
