/**
 * Issue 16.3, 16.5, 16.6 through the CLI bundled from the current sources: `--ignore-base` on an image
 * whose base layer carries a private key, the policy file's trusted base images on the Dockerfile's FROM
 * lines, and the collect step (`--report findings:PATH`) of two matrix legs into one verdict and one
 * SARIF log with a run per image.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from 'sarif'
import { CLEAN_DOCKERFILE, cleanImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { privateKeyBlock } from '../../scripts/lib/planted-secrets.js'
import { runCli } from '../helpers/cli-runner.js'
import { validateSarifSchema } from '../helpers/sarif-check.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

interface JsonFinding {
  ruleId: string
  severity: string
  subject?: string
  base?: boolean
  target: string
  location?: { path: string; startLine: number }
  suppression?: { kind: string }
}
interface JsonDoc {
  verdict: { result: string; failing: number; baseExempt?: number; reasons: string[] }
  baseImage?: { image: string; location: { path: string; startLine: number } }
  images: { target: string; scanners: { scanner: string; status: string }[] }[]
  findings: JsonFinding[]
}

/** The clean demo image, with a private key left in its base image's layer (`FROM busybox:1.36`). */
function imageWithBaseKey(): ImageSpec {
  const spec = cleanImage()
  const [baseLayer, ...rest] = spec.steps
  return {
    ...spec,
    steps: [
      {
        ...baseLayer!,
        entries: [
          ...(baseLayer!.entries ?? []),
          { path: 'root/.ssh/id_rsa', content: privateKeyBlock(), mode: 0o600 },
        ],
      },
      ...rest,
    ],
  }
}

let work: string
let image: string
let clean: string
let dockerfile: string

beforeAll(async () => {
  work = await tempDir('csg-e2e-base-')
  image = join(work, 'app.tar')
  dockerfile = join(work, 'Dockerfile')
  await writeImage(imageWithBaseKey(), { format: 'docker-archive', out: image, repoTag: 'acme/app:1.0' })
  clean = join(work, 'clean.tar')
  await writeImage(cleanImage(), { format: 'docker-archive', out: clean, repoTag: 'acme/clean:1.0' })
  await writeFile(dockerfile, CLEAN_DOCKERFILE)
})

async function scan(
  args: string[],
  name: string,
): Promise<{ exitCode: number | null; doc: JsonDoc; sarif: Log; stdout: string; stderr: string }> {
  const json = join(work, `${name}.json`)
  const sarif = join(work, `${name}.sarif`)
  const run = await runCli(['scan', ...args, '--json', json, '--sarif', sarif], { cwd: work })
  const doc = JSON.parse(await readFile(json, 'utf8')) as JsonDoc
  const log = JSON.parse(await readFile(sarif, 'utf8')) as Log
  return { exitCode: run.exitCode, doc, sarif: log, stdout: run.stdout, stderr: run.stderr }
}

describe('--ignore-base', () => {
  const args = () => [image, '--dockerfile', dockerfile, '--scanners', 'builtin', '--fail-on', 'critical']

  it('without it, the base image key fails the gate', async () => {
    const run = await scan(args(), 'base-gated')
    expect(run.exitCode).toBe(1)
    const key = run.doc.findings.find((f) => f.subject === '/root/.ssh/id_rsa')
    expect(key).toMatchObject({
      ruleId: 'csg/secret-file',
      severity: 'critical',
      base: true,
      location: { path: 'Dockerfile', startLine: 1 },
    })
    expect(run.doc.verdict.failing).toBe(1)
    expect(run.doc.verdict.baseExempt).toBeUndefined()
  })

  it('with it, the key is reported and marked base but the gate passes; the table names the FROM line', async () => {
    const run = await scan([...args(), '--ignore-base'], 'base-ignored')
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    expect(run.doc.verdict).toMatchObject({ result: 'pass', failing: 0, baseExempt: 1 })
    expect(run.doc.baseImage).toEqual({
      image: 'busybox:1.36',
      location: { path: 'Dockerfile', startLine: 1, endLine: 1 },
    })
    expect(run.doc.findings.filter((f) => f.base === true).map((f) => f.subject)).toEqual([
      '/root/.ssh/id_rsa',
    ])
    const results = run.sarif.runs[0]!.results ?? []
    const key = results.find((r) => r.properties?.['subject'] === '/root/.ssh/id_rsa')
    expect(key?.properties?.['base']).toBe(true)
    expect(results.filter((r) => r.properties?.['base'] === true)).toHaveLength(1)
    expect(validateSarifSchema(run.sarif)).toEqual([])
    expect(run.stdout).toContain(
      'base image: 1 finding(s) came with the base image busybox:1.36 (FROM at Dockerfile:1): update that FROM line to a patched base image to fix them. With ignore-base they do not fail the gate (1 would have).',
    )
  })

  it("findings from the image's own layers still gate with it", async () => {
    // The same key, now copied by this Dockerfile's own COPY layer rather than brought by the base.
    const spec = cleanImage()
    spec.steps.splice(3, 0, {
      createdBy: 'COPY server /app/server # buildkit',
      entries: [{ path: 'app/key', content: privateKeyBlock() }],
    })
    const own = join(work, 'own.tar')
    await writeImage(spec, { format: 'docker-archive', out: own, repoTag: 'acme/own:1.0' })
    const run = await scan(
      [own, '--dockerfile', dockerfile, '--scanners', 'builtin', '--fail-on', 'critical', '--ignore-base'],
      'own-layer',
    )
    expect(run.exitCode).toBe(1)
    expect(run.doc.findings.find((f) => f.subject === '/app/key')).toMatchObject({ severity: 'critical' })
    expect(run.doc.findings.find((f) => f.subject === '/app/key')?.base).toBeUndefined()
  })

  it('a policy file can turn it on (ignore-base: true)', async () => {
    const dir = join(work, 'policy-ignore-base')
    await mkdir(dir, { recursive: true })
    const policy = join(dir, 'policy.yml')
    await writeFile(policy, 'ignore-base: true\n')
    const run = await scan([...args(), '--policy-file', policy], 'policy-ignore-base')
    expect(run.exitCode).toBe(0)
    expect(run.doc.verdict.baseExempt).toBe(1)
  })
})

describe('trusted base images (policy file base-images)', () => {
  it.each([
    [
      'a base outside the allow list',
      'base-images:\n  allow: [ghcr.io/acme/*]\n',
      CLEAN_DOCKERFILE,
      1,
      [['csg/untrusted-base-image', 'high', 1, 'FROM docker.io/library/busybox']],
    ],
    [
      'an allowed base (Docker Hub name normalised)',
      'base-images:\n  allow: [docker.io/library/busybox]\n',
      CLEAN_DOCKERFILE,
      0,
      [],
    ],
    [
      'an allowed base not pinned by digest, through an ARG default, at medium',
      'base-images:\n  allow: [busybox]\n  require-digest: true\n  severity: medium\n',
      `ARG BASE=busybox:1.36\n${CLEAN_DOCKERFILE.replace('FROM busybox:1.36', 'FROM ${BASE}')}`,
      0,
      [['csg/base-image-not-pinned', 'medium', 2, 'FROM docker.io/library/busybox']],
    ],
  ])('%s', async (name, policyText, dockerfileText, exitCode, expected) => {
    const dir = join(work, name.replace(/\W+/g, '-'))
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'policy.yml'), policyText)
    await writeFile(join(dir, 'Dockerfile'), dockerfileText)
    const json = join(dir, 'out.json')
    const run = await runCli(
      [
        'scan',
        clean,
        '--dockerfile',
        join(dir, 'Dockerfile'),
        '--scanners',
        'builtin',
        '--fail-on',
        'high',
        '--policy-file',
        join(dir, 'policy.yml'),
        '--json',
        json,
      ],
      { cwd: work },
    )
    expect(run.exitCode).toBe(exitCode)
    const doc = JSON.parse(await readFile(json, 'utf8')) as JsonDoc
    expect(
      doc.findings
        .filter((f) => f.ruleId.startsWith('csg/') && f.ruleId.includes('base-image'))
        .map((f) => [f.ruleId, f.severity, f.location?.startLine, f.subject]),
    ).toEqual(expected)
  })

  it('a pattern with a tag is a configuration error naming the key and line (exit 2)', async () => {
    const policy = join(work, 'bad-policy.yml')
    await writeFile(policy, 'base-images:\n  allow:\n    - alpine:3.19\n')
    const run = await runCli(['scan', image, '--scanners', 'builtin', '--policy-file', policy])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('base-images.allow[0] "alpine:3.19" names a tag or digest')
    expect(run.stderr).toContain('(line 3)')
  })
})

describe('collect: findings files of two matrix legs', () => {
  let legA: string
  let legB: string

  beforeAll(async () => {
    const other = join(work, 'web.tar')
    await writeImage(cleanImage(), { format: 'docker-archive', out: other, repoTag: 'acme/web:2.0' })
    legA = join(work, 'leg-app.json')
    legB = join(work, 'leg-web.json')
    // Leg A: the app image, its base-image key marked base; leg B: the clean web image.
    const a = await runCli(
      [
        'scan',
        image,
        '--dockerfile',
        dockerfile,
        '--scanners',
        'builtin',
        '--fail-on',
        'critical',
        '--ignore-base',
        '--json',
        legA,
      ],
      { cwd: work },
    )
    expect(a.exitCode).toBe(0)
    const b = await runCli(
      [
        'scan',
        other,
        '--dockerfile',
        dockerfile,
        '--scanners',
        'builtin',
        '--fail-on',
        'critical',
        '--json',
        legB,
      ],
      { cwd: work },
    )
    expect(b.exitCode).toBe(0)
  })

  it('one verdict, one findings file and one SARIF with a run per image (findings: prefix and auto-detection)', async () => {
    const run = await scan(
      ['--report', `findings:${legA}`, '--report', legB, '--fail-on', 'critical'],
      'collected',
    )
    // Without ignore-base in the collect step, the base-image key marked by leg A gates.
    expect(run.exitCode).toBe(1)
    expect(run.doc.images.map((i) => i.target)).toEqual(['app.tar', 'web.tar'])
    expect(run.doc.images.map((i) => i.scanners.map((s) => `${s.scanner}:${s.status}`))).toEqual([
      ['builtin:ok'],
      ['builtin:ok'],
    ])
    const key = run.doc.findings.find((f) => f.subject === '/root/.ssh/id_rsa')
    expect(key).toMatchObject({
      target: 'app.tar',
      base: true,
      location: { path: 'Dockerfile', startLine: 1 },
    })
    expect(run.sarif.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/acme/app/',
      'container-security-gate/acme/web/',
    ])
    expect(run.sarif.runs.map((r) => r.properties?.['image'])).toEqual(['app.tar', 'web.tar'])
    expect(validateSarifSchema(run.sarif)).toEqual([])

    const lenient = await scan(
      [
        '--report',
        `findings:${legA}`,
        '--report',
        `findings:${legB}`,
        '--fail-on',
        'critical',
        '--ignore-base',
      ],
      'collected-ignore-base',
    )
    expect(lenient.exitCode).toBe(0)
    expect(lenient.doc.verdict.baseExempt).toBe(1)
  })

  it("keeps a leg's suppressions", async () => {
    const dir = join(work, 'suppressing-leg')
    await mkdir(dir, { recursive: true })
    const policy = join(dir, 'policy.yml')
    await writeFile(policy, 'ignore:\n  - id: csg/secret-file\n    reason: test key, rotated\n')
    const leg = join(dir, 'leg.json')
    const a = await runCli([
      'scan',
      image,
      '--dockerfile',
      dockerfile,
      '--scanners',
      'builtin',
      '--fail-on',
      'critical',
      '--policy-file',
      policy,
      '--json',
      leg,
    ])
    expect(a.exitCode).toBe(0)
    const run = await scan(['--report', `findings:${leg}`, '--fail-on', 'critical'], 'collected-suppressed')
    expect(run.exitCode).toBe(0)
    expect(run.doc.findings.find((f) => f.subject === '/root/.ssh/id_rsa')?.suppression).toEqual({
      kind: 'ignore',
      reason: 'test key, rotated',
    })
  })

  it('a findings file of a newer format version is a clear error naming the file (exit 3)', async () => {
    const doc = JSON.parse(await readFile(legA, 'utf8')) as Record<string, unknown>
    const newer = join(work, 'leg-newer.json')
    await writeFile(newer, JSON.stringify({ ...doc, version: 2 }))
    const run = await runCli(['scan', '--report', newer, '--fail-on', 'critical'])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(`findings file findings:${newer} is format version 2`)
    expect(run.stderr).toContain('this gate reads version 1')
  })
})
