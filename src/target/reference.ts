/**
 * Docker image references (the grammar of github.com/distribution/reference, normalised the way the Docker
 * CLI does it) and the stable repository name this project derives from an image for SARIF categories,
 * locations and fingerprints.
 */
import { basename } from 'node:path'
import type { ImageSource } from './image-types.js'

export interface ParsedReference {
  /** `docker.io` for Docker Hub names, else the registry host (and port) as written. */
  registry?: string
  /** The path on the registry: `library/alpine`, `acme/app`. */
  repository: string
  tag?: string
  /** `sha256:…` */
  digest?: string
}

const DEFAULT_REGISTRY = 'docker.io'
const LEGACY_DEFAULT_REGISTRY = 'index.docker.io'
const NAME_TOTAL_LENGTH_MAX = 255

const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]'
const domainAndPort = `(?:${domainName}|${ipv6Address})(?::[0-9]+)?`
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
const remoteName = `${pathComponent}(?:/${pathComponent})*`
const tagPattern = '[\\w][\\w.-]{0,127}'
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'

const DOMAIN_RE = new RegExp(`^${domainAndPort}$`)
const REMOTE_NAME_RE = new RegExp(`^${remoteName}$`)
const TAG_RE = new RegExp(`^${tagPattern}$`)
const DIGEST_RE = new RegExp(`^${digestPattern}$`)
const IDENTIFIER_RE = /^[a-f0-9]{64}$/

/**
 * Parses a Docker reference (`alpine`, `alpine:3.19`, `ghcr.io/acme/app:1.2@sha256:…`,
 * `localhost:5000/app`). Returns undefined when the text is not a valid reference (uppercase repository,
 * empty components, a bare 64-hex image id, ...).
 */
export function parseReference(ref: string): ParsedReference | undefined {
  if (ref === '' || ref !== ref.trim() || IDENTIFIER_RE.test(ref)) return undefined

  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST_RE.test(digest)) return undefined
  }

  // A tag is after the last colon, unless that colon belongs to a registry port (`localhost:5000/app`).
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon !== -1 && !rest.slice(colon + 1).includes('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG_RE.test(tag)) return undefined
  }
  if (rest === '' || rest.length > NAME_TOTAL_LENGTH_MAX) return undefined

  const { registry, repository } = splitRegistry(rest)
  if (!DOMAIN_RE.test(registry)) return undefined
  if (!REMOTE_NAME_RE.test(repository)) return undefined

  const parsed: ParsedReference = { registry, repository }
  if (tag !== undefined) parsed.tag = tag
  if (digest !== undefined) parsed.digest = digest
  return parsed
}

/** Same rules as `splitDockerDomain`: a first component is a registry if it has `.`/`:`, is `localhost`, or has uppercase. */
function splitRegistry(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/')
  if (slash === -1) return { registry: DEFAULT_REGISTRY, repository: `library/${name}` }
  const first = name.slice(0, slash)
  const remainder = name.slice(slash + 1)
  let registry: string
  let repository: string
  if (first === LEGACY_DEFAULT_REGISTRY) {
    registry = DEFAULT_REGISTRY
    repository = remainder
  } else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    registry = first
    repository = remainder
  } else {
    registry = DEFAULT_REGISTRY
    repository = name
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`
  return { registry, repository }
}

/** True when `ref` names a repository *and* a tag or digest, i.e. it is more than a bare tag like `latest`. */
export function isFullReference(ref: string): boolean {
  const parsed = parseReference(ref)
  return parsed !== undefined && (parsed.tag !== undefined || parsed.digest !== undefined)
}

/** `registry/repository` without tag or digest; Docker Hub's registry is dropped; `:` becomes `-`. */
function repositoryName(parsed: ParsedReference): string {
  const registry =
    parsed.registry === undefined || parsed.registry === DEFAULT_REGISTRY ? '' : parsed.registry
  // IPv6 registries lose their brackets: `[::1]:5000` → `--1-5000`.
  const host = registry.toLowerCase().replace(/[[\]]/g, '')
  const full = host === '' ? parsed.repository : `${host}/${parsed.repository}`
  return sanitiseRepository(full.replace(/:/g, '-'))
}

/** Keeps `[a-z0-9._/-]`, lowercases, and never returns an empty, absolute or dot-dot path. */
function sanitiseRepository(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9._/-]/g, '-')
    .split('/')
    .filter((part) => part !== '' && part !== '.' && part !== '..')
    .join('/')
  return cleaned === '' ? 'image' : cleaned
}

/** The base name of an archive or directory without `.tar`, `.tar.gz`, `.tgz`, `.oci`, ... */
function archiveBaseName(path: string): string {
  let name = basename(path.replace(/[\\/]+$/, ''))
  for (;;) {
    const stripped = name.replace(/\.(tar|tgz|gz|zst|oci|docker|image)$/i, '')
    if (stripped === name || stripped === '') break
    name = stripped
  }
  return sanitiseRepository(name.replace(/\//g, '-'))
}

/**
 * The stable, colon-free, tag- and digest-free repository name of an image: `library/alpine`,
 * `ghcr.io/acme/app`, `localhost-5000/app`. Daemon images use their reference; archives their first
 * parseable RepoTag (or full OCI ref name, which the reader puts in `repoTags`), else the file name.
 */
export function repositoryOf(source: ImageSource, metadata?: { repoTags: string[] }): string {
  if (source.kind === 'daemon' && source.reference !== undefined) {
    const parsed = parseReference(source.reference)
    if (parsed) return repositoryName(parsed)
  }
  for (const tag of metadata?.repoTags ?? []) {
    const parsed = parseReference(tag)
    if (parsed) return repositoryName(parsed)
  }
  return archiveBaseName(source.path === '' ? source.input : source.path)
}

/**
 * The repository name of an image known only by name (a report's target, no image opened): a Docker
 * reference as `repositoryOf` names it, else the file's base name without its extensions.
 */
export function repositoryOfName(name: string): string {
  // `reports/trivy.json` and `out/app.tar` parse as references too; a file name's extension says which.
  const looksLikeFile = name.includes('\\') || /\.(json|sarif|tar|tgz|gz|zst|oci)$/i.test(name)
  const parsed = looksLikeFile ? undefined : parseReference(name)
  if (parsed) return repositoryName(parsed)
  return archiveBaseName(name.replace(/^.*[\\/]/, '').replace(/\.(json|sarif)$/i, ''))
}
