/**
 * `registry:HOST/REPO:TAG` and `registry:HOST/REPO@sha256:…`: an image to pull from its registry. The
 * name follows the Docker reference grammar (../reference.ts); Docker Hub names are served by
 * `registry-1.docker.io` (docker/cli registry.DefaultV2Registry) and keyed `https://index.docker.io/v1/`
 * in config.json (docker/cli cli/config/configfile/file.go, registry.IndexServer).
 */
import { isIP } from 'node:net'
import { ConfigurationError } from '../../util/errors.js'
import { parseReference } from '../reference.js'

export const REGISTRY_PREFIX = 'registry:'

export interface RegistryReference {
  /** The registry as written (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
  registry: string
  /** The host (and port) the API is served from (`registry-1.docker.io` for `docker.io`). */
  apiHost: string
  repository: string
  tag?: string
  digest?: string
  /** `tag` or `digest`: what the manifest is fetched by. */
  ref: string
}

/** Parses the text after `registry:`. ConfigurationError when it is no valid reference. */
export function parseRegistryReference(value: string): RegistryReference {
  const parsed = parseReference(value)
  if (parsed === undefined || parsed.registry === undefined) {
    throw new ConfigurationError(
      `image "${REGISTRY_PREFIX}${value}": "${value}" is not a valid image reference (expected registry:HOST/REPO:TAG or registry:HOST/REPO@sha256:…)`,
    )
  }
  if (parsed.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(parsed.digest)) {
    throw new ConfigurationError(`image "${REGISTRY_PREFIX}${value}": only sha256 digests are supported`)
  }
  const tag = parsed.tag ?? (parsed.digest === undefined ? 'latest' : undefined)
  const reference: RegistryReference = {
    registry: parsed.registry,
    apiHost: parsed.registry === 'docker.io' ? 'registry-1.docker.io' : parsed.registry,
    repository: parsed.repository,
    ref: parsed.digest ?? tag!,
  }
  if (tag !== undefined) reference.tag = tag
  if (parsed.digest !== undefined) reference.digest = parsed.digest
  return reference
}

/** `HOST/REPO` as cosign and the ref.name annotation name it (`docker.io/library/alpine`). */
export function repositoryReference(reference: RegistryReference): string {
  return `${reference.registry}/${reference.repository}`
}

/** The host without its port (`[::1]:5000` → `::1`). */
export function hostName(registry: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(registry)
  if (bracketed) return bracketed[1]!.toLowerCase()
  return registry.replace(/:\d+$/, '').toLowerCase()
}

/**
 * Loopback hosts, where Docker allows plain HTTP (moby registry/config.go: 127.0.0.0/8 is an insecure
 * registry CIDR by default, and `localhost` resolves into it); `::1` is its IPv6 twin.
 */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostName(registry)
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}

/** `http` for loopback registries and those listed in `insecure-registries` (host or host:port), else `https`. */
export function registryScheme(registry: string, insecure: readonly string[]): 'http' | 'https' {
  if (isLoopbackRegistry(registry)) return 'http'
  const wanted = registry.toLowerCase()
  const host = hostName(registry)
  return insecure.some((i) => {
    const entry = i
      .trim()
      .toLowerCase()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '')
    return entry === wanted || entry === host
  })
    ? 'http'
    : 'https'
}
