/**
 * `--ignore-base` on images built by real buildah (no daemon, no network): a base image built first
 * carries a private key in its layer, and an application image is built `FROM` it in the same storage.
 * The key must come out marked `base` on the FROM line, failing without `--ignore-base` and not with it,
 * while a key the application's own layer adds still fails. Skipped where buildah cannot run, unless
 * CSG_REQUIRE_REAL_TOOLS=1 (CI), where that is a failure.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  buildWithBuildah,
  buildahUnavailableReason,
  type BuiltWithBuildah,
} from '../../scripts/lib/buildah.js'
import { privateKeyBlock } from '../../scripts/lib/planted-secrets.js'
import { runCli } from '../helpers/cli-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const BUSYBOX = '/bin/busybox'
const unavailable = await buildahUnavailableReason().then(async (reason) => {
  if (reason !== undefined) return reason
  try {
    await readFile(BUSYBOX)
    return undefined
  } catch {
    return `${BUSYBOX} (Debian's busybox-static) is needed as the base of the test images`
  }
})
if (unavailable !== undefined && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but real-tool images cannot be built: ${unavailable}`)
}
const describeReal = unavailable === undefined ? describe : describe.skip
if (unavailable !== undefined) console.warn(`skipping real-tool base-image tests: ${unavailable}`)

const BASE_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY id_rsa /root/.ssh/id_rsa
`

const APP_DOCKERFILE = `FROM localhost/acme/base:1.0
RUN mkdir -p /app && echo ok > /app/ok
USER 10001
HEALTHCHECK --interval=30s CMD ["/bin/true"]
CMD ["/bin/sh"]
`

/** The same application, but its own COPY adds a key too. */
const OWN_KEY_DOCKERFILE = `FROM localhost/acme/base:1.0
RUN mkdir -p /app && echo ok > /app/ok
COPY id_rsa /app/deploy_key
USER 10001
HEALTHCHECK --interval=30s CMD ["/bin/true"]
CMD ["/bin/sh"]
`

interface JsonDoc {
  verdict: { result: string; failing: number; baseExempt?: number }
  baseImage?: { image: string; location: { path: string; startLine: number } }
  findings: { ruleId: string; subject?: string; base?: boolean; location?: { startLine: number } }[]
}

const tempDir = tempDirs()

describeReal('ignore-base on images built by buildah FROM a real base image', () => {
  let work: string
  let app: BuiltWithBuildah
  let ownKey: BuiltWithBuildah

  beforeAll(async () => {
    work = await tempDir('csg-buildah-base-')
    const storage = join(work, 'storage')
    const context = async (name: string, dockerfile: string): Promise<string> => {
      const dir = join(work, name)
      await mkdir(dir)
      await copyFile(BUSYBOX, join(dir, 'busybox'))
      await writeFile(join(dir, 'id_rsa'), privateKeyBlock())
      await writeFile(join(dir, 'Dockerfile'), dockerfile)
      return dir
    }
    await buildWithBuildah({
      context: await context('base', BASE_DOCKERFILE),
      tag: 'localhost/acme/base:1.0',
      outDir: join(work, 'base-out'),
      storage,
    })
    app = await buildWithBuildah({
      context: await context('app', APP_DOCKERFILE),
      tag: 'localhost/acme/app:1.0',
      outDir: join(work, 'app-out'),
      storage,
      // OCI format: buildah then writes org.opencontainers.image.base.name into the manifest.
      format: 'oci',
    })
    ownKey = await buildWithBuildah({
      context: await context('own', OWN_KEY_DOCKERFILE),
      tag: 'localhost/acme/own:1.0',
      outDir: join(work, 'own-out'),
      storage,
    })
  }, 300_000)

  async function scan(
    image: string,
    contextName: string,
    extra: string[],
  ): Promise<{ exitCode: number | null; doc: JsonDoc; stderr: string }> {
    const json = join(
      work,
      `${contextName}-${extra.join('_') || 'plain'}-${Math.random().toString(36).slice(2)}.json`,
    )
    const run = await runCli(
      [
        'scan',
        image,
        '--dockerfile',
        join(work, contextName, 'Dockerfile'),
        '--scanners',
        'builtin',
        '--fail-on',
        'critical',
        '--json',
        json,
        ...extra,
      ],
      { cwd: join(work, contextName) },
    )
    return {
      exitCode: run.exitCode,
      doc: JSON.parse(await readFile(json, 'utf8')) as JsonDoc,
      stderr: run.stderr,
    }
  }

  it.each(['dockerArchive', 'ociDir'] as const)(
    '%s: the base image key is marked base on the FROM line; it fails without --ignore-base and not with it',
    async (form) => {
      const gated = await scan(app[form], 'app', [])
      expect(gated.stderr).toBe('')
      const key = gated.doc.findings.find((f) => f.subject === '/root/.ssh/id_rsa')
      expect(key).toMatchObject({ ruleId: 'csg/secret-file', base: true, location: { startLine: 1 } })
      expect(gated.exitCode).toBe(1)
      expect(gated.doc.baseImage).toEqual({
        image: 'localhost/acme/base:1.0',
        location: { path: 'Dockerfile', startLine: 1, endLine: 1 },
      })

      const ignored = await scan(app[form], 'app', ['--ignore-base'])
      expect(ignored.exitCode).toBe(0)
      expect(ignored.doc.verdict).toMatchObject({ result: 'pass', failing: 0, baseExempt: 1 })
      expect(ignored.doc.findings.find((f) => f.subject === '/root/.ssh/id_rsa')?.base).toBe(true)
    },
    120_000,
  )

  it("a key the image's own COPY adds still fails with --ignore-base", async () => {
    const run = await scan(ownKey.dockerArchive, 'own', ['--ignore-base'])
    expect(run.exitCode).toBe(1)
    const own = run.doc.findings.find((f) => f.subject === '/app/deploy_key')
    expect(own).toMatchObject({ ruleId: 'csg/secret-file', location: { startLine: 3 } })
    expect(own?.base).toBeUndefined()
    expect(run.doc.verdict).toMatchObject({ result: 'fail', failing: 1, baseExempt: 1 })
  }, 120_000)

  it('the trusted base-images policy on the real FROM line (localhost registry normalised, digest required)', async () => {
    const policy = join(work, 'app', 'policy.yml')
    await writeFile(policy, 'base-images:\n  allow: [localhost/acme/*]\n  require-digest: true\n')
    const run = await scan(app.ociDir, 'app', ['--ignore-base', '--policy-file', policy])
    expect(
      run.doc.findings
        .filter((f) => f.ruleId.includes('base-image'))
        .map((f) => [f.ruleId, f.location?.startLine]),
    ).toEqual([['csg/base-image-not-pinned', 1]])
  }, 120_000)

  it('without a Dockerfile, the base-name annotation buildah writes into the OCI manifest is checked', async () => {
    const dir = join(work, 'no-dockerfile')
    await mkdir(dir)
    const policy = join(dir, 'policy.yml')
    await writeFile(policy, 'base-images:\n  allow: [ghcr.io/acme/*]\n')
    const json = join(dir, 'out.json')
    const run = await runCli(
      [
        'scan',
        app.ociDir,
        '--scanners',
        'builtin',
        '--fail-on',
        'critical',
        '--policy-file',
        policy,
        '--json',
        json,
      ],
      { cwd: dir },
    )
    expect(run.stderr).toBe('')
    const doc = JSON.parse(await readFile(json, 'utf8')) as JsonDoc
    expect(
      doc.findings
        .filter((f) => f.ruleId.includes('base-image'))
        .map((f) => [f.ruleId, f.subject, f.location]),
    ).toEqual([['csg/untrusted-base-image', 'FROM localhost/acme/base', undefined]])
  }, 120_000)
})
