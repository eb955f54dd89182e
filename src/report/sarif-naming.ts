/**
 * The stable names GitHub code scanning keys alerts on: the category (`automationDetails.id`) of each run
 * and the artifact URI of each result. Neither may contain a tag, digest or version of the image, or
 * alerts churn on every build. Pure.
 */
import { TOOL_NAME } from '../version.js'
import type { ImageResult } from './gate-result.js'

/**
 * The category of each image's run(s), in the order of `images`, all different:
 * `container-security-gate/library/alpine/`.
 *
 * Two images of the same repository (say `alpine:3.18` and `alpine:3.19` in one matrix leg) would share
 * a category, which GitHub rejects. Every image of such a repository then gets its tag appended,
 * sanitised: `container-security-gate/library/alpine:3.18/`. That is deterministic and independent of
 * the order the images were named in. Images still equal after that (no tag, the same tag twice, or
 * digest-only references — a digest is never used) are told apart by `~2`, `~3`, ... in order of
 * appearance.
 */
export function imageCategoryBases(images: readonly ImageResult[]): string[] {
  const repositories = images.map((image) => categorySegment(image.repository))
  const perRepository = new Map<string, number>()
  for (const repository of repositories)
    perRepository.set(repository, (perRepository.get(repository) ?? 0) + 1)

  const names = images.map((image, i) => {
    const repository = repositories[i] ?? 'image'
    if ((perRepository.get(repository) ?? 0) < 2) return repository
    const tag = tagOf(image.target)
    return tag === undefined ? repository : `${repository}:${tag}`
  })

  const seen = new Map<string, number>()
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    const unique = count === 1 ? name : `${name}~${count}`
    return `${TOOL_NAME}/${unique}/`
  })
}

/** The run category for one scanner of an image: `container-security-gate/library/alpine/trivy/`. */
export function scannerCategory(imageCategoryBase: string, scanner: string): string {
  return `${imageCategoryBase}${categorySegment(scanner)}/`
}

/** Printable, no whitespace, no leading/trailing `/`; never empty. */
function categorySegment(text: string): string {
  const cleaned = text
    .replace(/[^\x21-\x7e]+/g, '-')
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '')
  return cleaned === '' ? 'image' : cleaned
}

/**
 * The tag of an image reference (`3.18` of `alpine:3.18`, `v1` of `localhost:5000/app:v1@sha256:…`),
 * sanitised to `[A-Za-z0-9._-]`; undefined when it has none (a digest is deliberately not a tag).
 */
export function tagOf(reference: string): string | undefined {
  const withoutDigest = reference.split('@')[0] ?? ''
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1)
  const colon = lastSegment.lastIndexOf(':')
  if (colon < 0) return undefined
  const tag = lastSegment
    .slice(colon + 1)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 128)
  return tag === '' ? undefined : tag
}

/**
 * A relative, colon-free URI reference for a repository path (`docker/Dockerfile`) or an image repository
 * (`library/alpine`, `localhost:5000/app` → `localhost%3A5000/app`): backslashes become `/`, a leading
 * `/`, `.` segments and empty segments go, `..` cannot climb above the root, and each segment is
 * percent-encoded.
 */
export function artifactUri(path: string): string {
  const segments: string[] = []
  for (const segment of path.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') {
      segments.pop()
      continue
    }
    segments.push(segment)
  }
  if (segments.length === 0) return 'image'
  // A lone surrogate (from a corrupt report) would make encodeURIComponent throw a URIError.
  return segments
    .map((s) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\uFFFD')).replace(/[!'()*]/g, percentEncode))
    .join('/')
}

function percentEncode(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase()}`
}
