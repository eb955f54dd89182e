/**
 * The private Docker engine the real-engine tests use (.ci/docker-up.sh starts it; .ci/run exports
 * CSG_DOCKER_HOST). Where there is none, the tests skip with a message; with CSG_REQUIRE_DOCKER=1 (CI as
 * root) its absence is a failure.
 */
import { spawn } from 'node:child_process'

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
  const child = spawn('docker', [...args], {
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
