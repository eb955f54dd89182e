/**
 * Registry credentials: the `registry-username`/`registry-password` inputs, else the Docker CLI's
 * `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`) as `docker login` and
 * docker/login-action leave it (docker/cli cli/config/configfile/file.go `GetAuthConfig`:
 * `credHelpers[host]`, then `credsStore`, then `auths[host]` with `auth` = base64 `user:pass` and
 * `identitytoken`). A helper is run as `docker-credential-<name> get` with the server URL on stdin and
 * answers `{"ServerURL","Username","Secret"}`; a Username of `<token>` means Secret is an identity token
 * (docker/docker-credential-helpers client/client.go `Get`, credentials/credentials.go).
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ImageError, errorMessage } from '../../util/errors.js'
import type { CommandRunner } from '../../util/exec.js'
import { readConfigFile } from '../../util/read-config-file.js'

export interface RegistryCredentials {
  username?: string
  password?: string
  /** An OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  identityToken?: string
  /** Where they came from, for messages (never the secret). */
  source: string
}

export interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credsStore?: string
  credHelpers?: Record<string, string>
}

const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'
const HELPER_TIMEOUT_MS = 30_000
const HELPER_NAME = /^[A-Za-z0-9._-]+$/

/** The config.json keys that may hold `registry`: `host`, `https://host`, `http://host`, and Docker Hub's legacy key. */
export function configKeys(registry: string): string[] {
  if (registry === 'docker.io')
    return [DOCKER_HUB_KEY, 'docker.io', 'index.docker.io', 'registry-1.docker.io']
  return [registry, `https://${registry}`, `http://${registry}`]
}

/** The entry of `entries` for `registry`: an exact key, else one whose URL names the same host. */
function lookup<T>(entries: Record<string, T> | undefined, registry: string): T | undefined {
  if (entries === undefined) return undefined
  for (const key of configKeys(registry)) if (entries[key] !== undefined) return entries[key]
  // docker/cli ConvertToHostname: `https://host/v1/` keys name `host`.
  for (const [key, value] of Object.entries(entries)) {
    const host = key.replace(/^https?:\/\//, '').split('/')[0]
    if (host !== undefined && configKeys(registry).includes(host)) return value
  }
  return undefined
}

/** The credential helper for `registry`: `credHelpers[host]`, else `credsStore`. Pure. */
export function credentialHelperFor(config: DockerConfigFile, registry: string): string | undefined {
  const helper = lookup(config.credHelpers, registry) ?? config.credsStore
  return helper !== undefined && helper !== '' ? helper : undefined
}

/** Credentials stored in `auths` for `registry`. Pure. */
export function authsCredentials(
  config: DockerConfigFile,
  registry: string,
  path: string,
): RegistryCredentials | undefined {
  const entry = lookup(config.auths, registry)
  if (entry === undefined) return undefined
  const source = `${path} (auths)`
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') {
    return { identityToken: entry.identitytoken, source }
  }
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon <= 0)
      throw new ImageError(`${path}: the auths entry for ${registry} is not base64 of user:password`)
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source }
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string') {
    return { username: entry.username, password: entry.password, source }
  }
  return undefined
}

/** `$DOCKER_CONFIG/config.json`, default `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env['DOCKER_CONFIG']?.trim() ? env['DOCKER_CONFIG'] : join(env['HOME'] ?? homedir(), '.docker')
  return join(dir, 'config.json')
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string
  try {
    text = await readConfigFile(path, 4 * 1024 * 1024)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ImageError(`cannot read the Docker config ${path}: ${errorMessage(error)}`, { cause: error })
  }
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch (error) {
    throw new ImageError(`the Docker config ${path} is not valid JSON: ${errorMessage(error)}`, {
      cause: error,
    })
  }
}

async function runHelper(
  helper: string,
  registry: string,
  run: CommandRunner,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredentials | undefined> {
  if (!HELPER_NAME.test(helper))
    throw new ImageError(`Docker config: "${helper}" is not a credential helper name`)
  const command = `docker-credential-${helper}`
  // The server URL as docker/cli passes it: Docker Hub's legacy key, else the host as written.
  const server = registry === 'docker.io' ? DOCKER_HUB_KEY : registry
  let result
  try {
    result = await run(command, ['get'], { input: server, env, timeoutMs: HELPER_TIMEOUT_MS })
  } catch (error) {
    throw new ImageError(`the Docker credential helper ${command} could not run: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  if (result.exitCode !== 0) {
    // "credentials not found in native keychain": no credentials, not an error.
    if (/credentials not found/i.test(result.stdout + result.stderr)) return undefined
    // The helper's output is not echoed: it may hold a secret.
    throw new ImageError(
      `the Docker credential helper ${command} failed for ${registry} (exit ${String(result.exitCode)})`,
    )
  }
  let answer: { Username?: unknown; Secret?: unknown }
  try {
    answer = JSON.parse(result.stdout) as { Username?: unknown; Secret?: unknown }
  } catch {
    throw new ImageError(`the Docker credential helper ${command} did not answer JSON for ${registry}`)
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '') return undefined
  const source = `credential helper ${command}`
  if (answer.Username === '<token>') return { identityToken: answer.Secret, source }
  return {
    username: typeof answer.Username === 'string' ? answer.Username : '',
    password: answer.Secret,
    source,
  }
}

/**
 * The credentials for `registry`: the inputs when given, else the Docker config (helper, then auths),
 * else undefined (anonymous).
 */
export async function findCredentials(
  registry: string,
  options: { username?: string; password?: string; env: NodeJS.ProcessEnv; run: CommandRunner },
): Promise<RegistryCredentials | undefined> {
  if (options.username !== undefined || options.password !== undefined) {
    return {
      username: options.username ?? '',
      password: options.password ?? '',
      source: 'registry-username/registry-password',
    }
  }
  const path = dockerConfigPath(options.env)
  const config = await readDockerConfig(path)
  if (config === undefined) return undefined
  const helper = credentialHelperFor(config, registry)
  if (helper !== undefined) {
    const fromHelper = await runHelper(helper, registry, options.run, options.env)
    if (fromHelper !== undefined) return fromHelper
  }
  return authsCredentials(config, registry, path)
}
