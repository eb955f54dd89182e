/**
 * The private Docker engine the real-engine tests use (.ci/docker-up.sh starts it; .ci/run exports
 * CSG_DOCKER_HOST). Where there is none, the tests skip with a message; with CSG_REQUIRE_DOCKER=1 (CI as
 * root) its absence is a failure.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { describe } from '@jest/globals'

/**
 * The docker client the tests drive the engine with (builds, tags, push, `ps -a`). Debian's docker.io
 * 20.10 client (/usr/bin/docker) is picked explicitly: it has BuildKit built in (`DOCKER_BUILDKIT=1` opens
 * a BuildKit session in the client itself), whereas a newer client earlier on PATH (here a 28.x one in
 * /usr/local/bin) hands BuildKit builds to the buildx plugin and fails without it. The code under test
 * runs whatever `docker` its PATH holds, as on a runner. Upstream: docker/cli v20.10 builds with its own
 * BuildKit session (cli/command/image/build_buildkit.go); from docker/cli v23.0.0, cmd/docker/builder.go
 * sends BuildKit builds to the buildx plugin ("BuildKit is enabled but the buildx component is missing").
 */
export const DOCKER_CLIENT = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker'

export interface DockerRun {
  exitCode: number | null
  stdout: string
  stderr: string
}

/** The `DOCKER_HOST` of the test engine, or undefined when none is configured. */
export function testDockerHost(): string | undefined {
  const host = process.env['CSG_DOCKER_HOST']
  return host !== undefined && host !== '' ? host : undefined
}

/** Runs the docker CLI against `host`, with `env` added (e.g. DOCKER_BUILDKIT). */
export function dockerCli(
  host: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<DockerRun> {
  const child = spawn(DOCKER_CLIENT, [...args], {
    cwd: options.cwd ?? process.cwd(),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      DOCKER_HOST: host,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  return new Promise((done) => {
    child.on('error', (error) => done({ exitCode: null, stdout, stderr: stderr + String(error) }))
    child.on('close', (exitCode) => done({ exitCode, stdout, stderr }))
  })
}

/** Why the test engine cannot be used, or undefined when it answers. */
export async function dockerUnavailableReason(): Promise<string | undefined> {
  const host = testDockerHost()
  if (host === undefined)
    return 'CSG_DOCKER_HOST is not set (.ci/docker-up.sh starts a private dockerd as root)'
  const version = await dockerCli(host, ['version', '--format', '{{.Server.Version}}'])
  if (version.exitCode !== 0) return `the Docker engine at ${host} does not answer: ${version.stderr.trim()}`
  return undefined
}

/**
 * `describe` when the engine answers, else `describe.skip` with a loud message — and a thrown error when
 * CSG_REQUIRE_DOCKER=1 (CI as root), where the engine must be there.
 */
export async function describeWithEngine(): Promise<typeof describe | typeof describe.skip> {
  const unavailable = await dockerUnavailableReason()
  if (unavailable !== undefined && process.env['CSG_REQUIRE_DOCKER'] === '1') {
    throw new Error(`CSG_REQUIRE_DOCKER=1 but the test Docker engine cannot be used: ${unavailable}`)
  }
  if (unavailable !== undefined) console.warn(`SKIPPED real Docker engine tests: ${unavailable}`)
  return unavailable === undefined ? describe : describe.skip
}

/** Runs `docker` and throws with its stderr when it fails. */
export async function dockerOk(
  host: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const run = await dockerCli(host, args, options)
  if (run.exitCode !== 0)
    throw new Error(`docker ${args.join(' ')} failed (${String(run.exitCode)}): ${run.stderr}`)
  return run.stdout
}

/** The builders the tests build with: `DOCKER_BUILDKIT` for each. */
export const BUILDERS = [
  { builder: 'classic', env: { DOCKER_BUILDKIT: '0' } },
  { builder: 'BuildKit', env: { DOCKER_BUILDKIT: '1' } },
] as const
