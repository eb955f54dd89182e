/**
 * The README's first workflow against a real Docker engine, minus the network: `docker build -t app:ci .`
 * then a scan of `app:ci` by name. The base image is built offline (busybox from Debian's busybox-static)
 * and sets `ENV AWS_ACCESS_KEY_ID`, `EXPOSE 22 2375` and ships a setuid file; the app's Dockerfile adds
 * `ENV API_TOKEN`, `COPY app.env /app/.env` and `EXPOSE 6379`. Every finding must land on the line that
 * caused it, the base image's on the final FROM.
 *
 * Skipped (with a message) without the private engine .ci/docker-up.sh starts; CSG_REQUIRE_DOCKER=1 (CI
 * as root) makes its absence a failure. BuildKit is not exercised here: Debian's docker CLI needs the
 * buildx plugin for it, which Debian does not package.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../helpers/cli-runner.js'
import { dockerCli, dockerUnavailableReason, testDockerHost } from '../helpers/docker-engine.js'

const unavailable = await dockerUnavailableReason()
if (unavailable !== undefined && process.env['CSG_REQUIRE_DOCKER'] === '1') {
  throw new Error(`CSG_REQUIRE_DOCKER=1 but the test Docker engine cannot be used: ${unavailable}`)
}
if (unavailable !== undefined) console.warn(`SKIPPED real Docker engine tests: ${unavailable}`)
const describeEngine = unavailable === undefined ? describe : describe.skip

const BASE_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN cp /bin/busybox /bin/helper && chmod 4755 /bin/helper
ENV AWS_ACCESS_KEY_ID=AKIAZ7QW3RT5YU8IOP2X
EXPOSE 22 2375
`

// The comment keeps FROM off line 1, where a finding with no location would also show in the SARIF.
const APP_DOCKERFILE = `# the app
FROM csg-e2e-base:ci
ENV API_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
COPY app.env /app/.env
EXPOSE 6379
`

interface SarifLog {
  runs: {
    results: {
      ruleId: string
      message: { text: string }
      locations?: { physicalLocation?: { region?: { startLine?: number } } }[]
    }[]
  }[]
}

describeEngine('the README workflow on a real Docker engine (classic builder)', () => {
  const host = testDockerHost() ?? ''
  let dir = ''
  const tags = ['csg-e2e-base:ci', 'csg-e2e-app:ci']

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-docker-e2e-'))
    await copyFile('/bin/busybox', join(dir, 'busybox'))
    await writeFile(join(dir, 'base.Dockerfile'), BASE_DOCKERFILE)
    await writeFile(join(dir, 'Dockerfile'), APP_DOCKERFILE)
    await writeFile(join(dir, 'app.env'), 'DB_PASSWORD=hunter2-Secret-Value\n')
    const env = { DOCKER_BUILDKIT: '0' }
    for (const [tag, file] of [
      ['csg-e2e-base:ci', 'base.Dockerfile'],
      ['csg-e2e-app:ci', 'Dockerfile'],
    ] as const) {
      const built = await dockerCli(host, ['build', '--network', 'none', '-q', '-t', tag, '-f', file, '.'], {
        cwd: dir,
        env,
      })
      if (built.exitCode !== 0) throw new Error(`docker build ${tag} failed: ${built.stderr}`)
    }
  }, 600_000)

  afterAll(async () => {
    await dockerCli(host, ['rmi', '-f', ...tags])
    if (dir !== '') await rm(dir, { recursive: true, force: true })
  }, 120_000)

  it('scans csg-e2e-app:ci by name and puts every finding on the line that caused it', async () => {
    const sarif = join(dir, 'out.sarif')
    const run = await runCli(
      ['scan', 'csg-e2e-app:ci', '--scanners', 'builtin', '--fail-on', 'none', '--sarif', sarif],
      { cwd: dir, env: { DOCKER_HOST: host, RUNNER_TEMP: dir } },
    )
    expect(run.stderr).not.toContain('Error')
    expect(run.exitCode).toBe(0)
    const log = JSON.parse(await readFile(sarif, 'utf8')) as SarifLog
    const placed = log.runs
      .flatMap((r) => r.results)
      .map(
        (r) =>
          `${r.ruleId} ${/\[([^\]]+)\]/.exec(r.message.text)?.[1] ?? ''} @${r.locations?.[0]?.physicalLocation?.region?.startLine ?? '-'}`,
      )
      .sort()
    expect(placed).toEqual([
      'csg/no-healthcheck  @2',
      'csg/risky-port 22/tcp @2', // the base image's EXPOSE, not this Dockerfile's EXPOSE 6379
      'csg/risky-port 2375/tcp @2',
      'csg/risky-port 6379/tcp @5',
      'csg/root-user  @2',
      'csg/secret-file /app/.env @4',
      'csg/secret-in-env ENV API_TOKEN @3',
      'csg/secret-in-env ENV AWS_ACCESS_KEY_ID @2', // the base image's ENV, not ENV API_TOKEN
      'csg/setuid-files setuid/setgid executables @2', // the base image's layer
    ])
  }, 600_000)
})
