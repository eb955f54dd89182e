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
import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runAction } from '../helpers/action-runner.js'
import { runCli } from '../helpers/cli-runner.js'
import {
  BUILDERS,
  describeWithEngine,
  dockerCli,
  dockerOk,
  testDockerHost,
} from '../helpers/docker-engine.js'

const describeEngine = await describeWithEngine()
const execFileAsync = promisify(execFile)

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

/**
 * A base that also sets a user, a working directory and a health check (with the passwd and group files
 * BuildKit needs to resolve the user), and a multi-stage app that copies from its build stage, passes a
 * secret build arg to a RUN, switches back to root and disables the base's health check.
 */
const USER_BASE_DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -m 1777 /tmp && mkdir -p /etc && printf 'root:x:0:0::/:/bin/sh\\nnobody:x:65534:65534::/:/bin/sh\\n' >/etc/passwd && printf 'root:x:0:\\nnogroup:x:65534:\\n' >/etc/group
ENV AWS_ACCESS_KEY_ID=AKIAZ7QW3RT5YU8IOP2X
EXPOSE 22 2375
USER nobody
HEALTHCHECK CMD true
WORKDIR /srv
`

const MULTI_STAGE_DOCKERFILE = `# the app, built in two stages
FROM csg-e2e-user-base:ci AS build
ARG VERSION=1.0
RUN echo "built $VERSION" > /tmp/artifact

FROM csg-e2e-user-base:ci
WORKDIR /app
COPY --from=build /tmp/artifact /app/artifact
ARG GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
RUN echo "fetching" > /tmp/log
ENV API_TOKEN=ghp_bBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789
COPY app.env /app/.env
USER root
HEALTHCHECK NONE
EXPOSE 6379 8080/udp
`

/**
 * A SHELL in force (the classic builder writes `/bin/sh -ec #(nop) …`), a build arg in RUN and EXPOSE, an
 * ENV of several pairs, a local tar ADDed (classic: `ADD file:<hash> in /`; BuildKit: `ADD bundle.tar /`)
 * and a COPY --chown (BuildKit v0.8 records no flags). Built with `--build-arg PORT=5900`.
 */
const SHELL_DOCKERFILE = `# shells and archives
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
SHELL ["/bin/sh", "-ec"]
ARG PORT
ENV A=1 API_KEY=ghp_cBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 \\
    B=2
LABEL org.example.team=web
ADD bundle.tar /
COPY --chown=0:0 app.env /srv/.env
RUN mkdir -p /tmp && echo "port $PORT" > /tmp/port
EXPOSE 23
EXPOSE \${PORT:-8080}
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
    const userBaseTag = `csg-e2e-user-base-${suffix}:ci`
    const multiStageTag = `csg-e2e-multi-stage-${suffix}:ci`
    // The classic builder keeps the image of every stage: tagging the build stage (built first, so the
    // full build reuses it) leaves no untagged image behind.
    const buildStageTag = `csg-e2e-multi-stage-build-${suffix}:ci`
    const shellTag = `csg-e2e-shell-${suffix}:ci`
    const tags = [baseTag, appTag, userBaseTag, buildStageTag, multiStageTag, shellTag]

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'csg-docker-e2e-'))
      await copyFile('/bin/busybox', join(dir, 'busybox'))
      await writeFile(join(dir, 'base.Dockerfile'), BASE_DOCKERFILE)
      await writeFile(join(dir, 'Dockerfile'), APP_DOCKERFILE.replace('csg-e2e-base:ci', baseTag))
      await writeFile(join(dir, 'app.env'), 'DB_PASSWORD=hunter2-Secret-Value\n')
      await writeFile(join(dir, 'user-base.Dockerfile'), USER_BASE_DOCKERFILE)
      await writeFile(
        join(dir, 'multi-stage.Dockerfile'),
        MULTI_STAGE_DOCKERFILE.replaceAll('csg-e2e-user-base:ci', userBaseTag),
      )
      await writeFile(join(dir, 'shell.Dockerfile'), SHELL_DOCKERFILE)
      await mkdir(join(dir, 'bundle', 'etc', 'app'), { recursive: true })
      await writeFile(join(dir, 'bundle', 'etc', 'app', '.env'), 'SMTP_PASSWORD=hunter3-Secret-Value\n')
      await execFileAsync('tar', ['-C', join(dir, 'bundle'), '-cf', join(dir, 'bundle.tar'), 'etc'])
      for (const [tag, file, target] of [
        [baseTag, 'base.Dockerfile', []],
        [appTag, 'Dockerfile', []],
        [userBaseTag, 'user-base.Dockerfile', []],
        [buildStageTag, 'multi-stage.Dockerfile', ['--target', 'build']],
        [multiStageTag, 'multi-stage.Dockerfile', []],
        [shellTag, 'shell.Dockerfile', ['--build-arg', 'PORT=5900']],
      ] as const) {
        const args = ['build', '--network', 'none', '-q', '-t', tag, '-f', file, ...target, '.']
        await dockerOk(host, args, { cwd: dir, env })
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

    /** `rule [subject] @line` of each result of a SARIF log. */
    async function placedIn(sarif: string): Promise<string[]> {
      const log = JSON.parse(await readFile(sarif, 'utf8')) as SarifLog
      return log.runs
        .flatMap((r) => r.results)
        .map(
          (r) =>
            `${r.ruleId} ${/\[([^\]]+)\]/.exec(r.message.text)?.[1] ?? ''} @${r.locations?.[0]?.physicalLocation?.region?.startLine ?? '-'}`,
        )
        .sort()
    }

    /** Scans `tag` by name through the CLI with the Dockerfile `file`. */
    async function placedFindings(tag: string, file: string): Promise<string[]> {
      const sarif = join(dir, `${file}.sarif`)
      const run = await runCli(
        ['scan', tag, '--scanners', 'builtin', '--dockerfile', file, '--fail-on', 'none', '--sarif', sarif],
        { cwd: dir, env: { DOCKER_HOST: host, RUNNER_TEMP: dir } },
      )
      expect(run.stderr).not.toContain('Error')
      expect(run.exitCode).toBe(0)
      return placedIn(sarif)
    }

    it(`scans ${appTag} by name and puts every finding on the line that caused it`, async () => {
      expect(await placedFindings(appTag, 'Dockerfile')).toEqual([
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

    it(`scans ${shellTag}: SHELL, build args, several ENV pairs, ADD of a tar and COPY --chown on their lines`, async () => {
      expect(await placedFindings(shellTag, 'shell.Dockerfile')).toEqual([
        'csg/no-healthcheck  @2',
        'csg/risky-port 23/tcp @13',
        'csg/risky-port 5900/tcp @14', // EXPOSE ${PORT:-8080} with PORT=5900
        'csg/root-user  @2',
        'csg/secret-file /etc/app/.env @10', // from the ADDed tar
        'csg/secret-file /srv/.env @11',
        'csg/secret-in-env ENV API_KEY @7',
      ])
    }, 600_000)

    it(`the action, as the README's first workflow uses it, scans ${appTag} with the same placements`, async () => {
      const run = await runAction({
        inputs: { image: appTag, scanners: 'builtin', 'fail-on': 'high', upload: 'never' },
        cwd: dir,
        env: { DOCKER_HOST: host },
      })
      expect(run.exitCode).toBe(1) // the secrets fail the gate
      expect(run.outputs['result']).toBe('fail')
      expect(await placedIn(run.outputs['sarif-file']!)).toEqual(await placedFindings(appTag, 'Dockerfile'))
    }, 600_000)

    it(`scans the multi-stage ${multiStageTag}: USER, HEALTHCHECK NONE and a secret build arg on their lines`, async () => {
      expect(await placedFindings(multiStageTag, 'multi-stage.Dockerfile')).toEqual([
        'csg/no-healthcheck  @14', // HEALTHCHECK NONE, not the final FROM
        'csg/risky-port 22/tcp @6',
        'csg/risky-port 2375/tcp @6',
        'csg/risky-port 6379/tcp @15',
        'csg/root-user  @13',
        'csg/secret-file /app/.env @12',
        'csg/secret-in-env ENV API_TOKEN @11',
        'csg/secret-in-env ENV AWS_ACCESS_KEY_ID @6',
        'csg/secret-in-history history: ARG GITHUB_TOKEN @9', // the ARG, not the RUN that recorded it
      ])
    }, 600_000)
  },
)
