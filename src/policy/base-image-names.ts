/**
 * Base image names as the allow-list compares them: `registry/repository`, Docker Hub spelled out
 * (`alpine` = `docker.io/library/alpine`, `index.docker.io/x/y` = `docker.io/x/y`), and the policy's
 * glob patterns normalised the same way. Matching is the policy's linear wildcard matcher (no regular
 * expression, no backtracking; issue 13.7). Pure.
 */
import { parseReference } from '../target/reference.js'
import { wildcardMatches } from './suppress.js'

export interface BaseImageName {
  /** `docker.io/library/alpine`, `ghcr.io/acme/base`, `localhost:5000/app`. */
  name: string
  tag?: string
  /** `sha256:…` when the reference pins one. */
  digest?: string
}

/** A `FROM` argument or base-name annotation → its normalised name; undefined when it is no reference. */
export function normaliseBaseImage(reference: string): BaseImageName | undefined {
  const parsed = parseReference(reference.trim())
  if (parsed === undefined) return undefined
  const registry = (parsed.registry ?? 'docker.io').toLowerCase()
  const out: BaseImageName = { name: `${registry}/${parsed.repository}` }
  if (parsed.tag !== undefined) out.tag = parsed.tag
  if (parsed.digest !== undefined) out.digest = parsed.digest
  return out
}

/**
 * An allow pattern (`alpine`, `library/*`, `ghcr.io/acme/*`, `*.dkr.ecr.*.amazonaws.com/base/*`) in the
 * form `normaliseBaseImage` gives names, or a problem: patterns name repositories, never a tag or digest.
 */
export function normaliseAllowPattern(pattern: string): { pattern: string } | { problem: string } {
  const text = pattern.trim().toLowerCase().replace(/\/+$/, '')
  if (text === '') return { problem: 'is empty' }
  const lastSlash = text.lastIndexOf('/')
  if (text.includes('@') || text.slice(lastSlash + 1).includes(':')) {
    return {
      problem: `"${pattern}" names a tag or digest; patterns name registry/repository only (require-digest checks pinning)`,
    }
  }
  if (/\s/.test(text)) return { problem: `"${pattern}" contains white space` }
  if (/^\*+$/.test(text)) return { pattern: '*' }
  const slash = text.indexOf('/')
  if (slash === -1) return { pattern: `docker.io/library/${text}` }
  const first = text.slice(0, slash)
  const rest = text.slice(slash + 1)
  if (first === 'index.docker.io' || first === 'docker.io') {
    return { pattern: `docker.io/${rest.includes('/') ? rest : `library/${rest}`}` }
  }
  // A first component with `.`, `:` or `*`, `localhost`, or upper-case letters as written is a registry
  // (or a pattern over registries): distribution/reference's splitDockerDomain (normalize.go), which
  // parseReference follows for the names compared against these patterns.
  const written = pattern.trim().slice(0, slash)
  if (first === 'localhost' || /[.:*]/.test(first) || written !== written.toLowerCase())
    return { pattern: text }
  return { pattern: `docker.io/${text}` }
}

/** True when `name` (normalised) matches one of the normalised `patterns`; `*` matches any characters. */
export function isAllowedBase(name: string, patterns: readonly string[]): boolean {
  const text = name.toLowerCase()
  return patterns.some((pattern) => wildcardMatches(pattern.split('*'), text))
}
