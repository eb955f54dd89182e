/**
 * The README's first workflow against a real Docker engine, minus the network: `docker build -t app:ci .`
 * then a scan of `app:ci` by name. The base image is built offline (busybox from Debian's busybox-static)
 * and sets `ENV AWS_ACCESS_KEY_ID`, `EXPOSE 22 2375` and ships a setuid file; the app's Dockerfile adds
 * `ENV API_TOKEN`, `COPY app.env /app/.env` and `EXPOSE 6379`. Every finding must land on the line that
 * caused it, the base image's on the final FROM.
 *
 * Skipped (with a message) without the private engine .ci/docker-up.sh starts; CSG_REQUIRE_DOCKER=1 (CI
 * as root) makes its absence a failure. Both builders: the classic one and BuildKit (`DOCKER_BUILDKIT=1`
 * with the 20.10 client, see DOCKER_CLIENT), whose history reads differently (`COPY app.env /app/.env #
 * buildkit`, `EXPOSE map[22/tcp:{} 2375/tcp:{}]`, `ENV A=1` without `#(nop)`).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../helpers/cli-runner.js'
import {
  BUILDERS,
  describeWithEngine,
  dockerCli,
  dockerOk,
  testDockerHost,
} from '../helpers/docker-engine.js'

const describeEngine = await describeWithEngine()

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

/** The app's own history entries (newest first) as each builder records them: proof of the builder used. */
const APP_HISTORY: Record<string, RegExp[]> = {
  classic: [
    /^\/bin\/sh -c #\(nop\) {2}EXPOSE 6379$/,
    /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app\/\.env $/,
    /^\/bin\/sh -c #\(nop\) {2}ENV API_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789$/,
    /^\/bin\/sh -c #\(nop\) {2}EXPOSE 22 2375$/,
  ],
  BuildKit: [
    /^EXPOSE map\[6379\/tcp:\{\}\]$/,
    /^COPY app\.env \/app\/\.env # buildkit$/,
    /^ENV API_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789$/,
    /^EXPOSE map\[22\/tcp:\{\} 2375\/tcp:\{\}\]$/,
  ],
}

describeEngine.each(BUILDERS)(
  'the README workflow on a real Docker engine ($builder builder)',
  ({ builder, env }) => {
    const host = testDockerHost() ?? ''
    let dir = ''
    const suffix = builder === 'classic' ? 'classic' : 'buildkit'
    const baseTag = `csg-e2e-base-${suffix}:ci`
    const appTag = `csg-e2e-app-${suffix}:ci`
    const tags = [baseTag, appTag]

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'csg-docker-e2e-'))
      await copyFile('/bin/busybox', join(dir, 'busybox'))
      await writeFile(join(dir, 'base.Dockerfile'), BASE_DOCKERFILE)
      await writeFile(join(dir, 'Dockerfile'), APP_DOCKERFILE.replace('csg-e2e-base:ci', baseTag))
      await writeFile(join(dir, 'app.env'), 'DB_PASSWORD=hunter2-Secret-Value\n')
      for (const [tag, file] of [
        [baseTag, 'base.Dockerfile'],
        [appTag, 'Dockerfile'],
      ] as const) {
        await dockerOk(host, ['build', '--network', 'none', '-q', '-t', tag, '-f', file, '.'], {
          cwd: dir,
          env,
        })
      }
    }, 600_000)

    afterAll(async () => {
      await dockerCli(host, ['rmi', '-f', ...tags])
      if (dir !== '') await rm(dir, { recursive: true, force: true })
    }, 120_000)

    it(`records the ${builder} builder's history`, async () => {
      const history = await dockerOk(host, [
        'history',
        '--no-trunc',
        '--format',
        '{{json .CreatedBy}}',
        appTag,
      ])
      const lines = history
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string)
      const expected = APP_HISTORY[builder] ?? []
      expect(lines.slice(0, expected.length)).toEqual(expected.map((re) => expect.stringMatching(re)))
    })

    it(`scans ${appTag} by name and puts every finding on the line that caused it`, async () => {
      const sarif = join(dir, 'out.sarif')
      const run = await runCli(
        ['scan', appTag, '--scanners', 'builtin', '--fail-on', 'none', '--sarif', sarif],
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
  },
)
