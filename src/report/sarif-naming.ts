/**
 * The stable names GitHub code scanning keys alerts on: the category (`automationDetails.id`) of each run
 * and the artifact URI of each result. Neither may contain a tag, digest or version of the image, or
 * alerts churn on every build. Pure.
 */
import { TOOL_NAME } from '../version.js'
import type { ImageResult } from './gate-result.js'

/**
 * What the categories are built from besides the images: the `category` input, or else the job's matrix
 * (`toJson(matrix)`), as github/codeql-action takes both (v4.36.2 analyze/action.yml and
 * upload-sarif/action.yml: `matrix: default: ${{ toJson(matrix) }}`; src/upload-lib.ts getAutomationID:
 * a given category is used as is, with a `/` appended; src/api-client.ts computeAutomationID: otherwise
 * `key:value/` per matrix entry, sorted by key, so legs differ and builds of one leg do not).
 */
export interface CategoryOptions {
  category?: string
  matrix?: Readonly<Record<string, unknown>>
}

/** The identity of an image with no repository name inside it (see `imageIdentity`). */
export const UNNAMED_IMAGE = 'image'

/**
 * The name code scanning files an image's results under, in categories, locations and fingerprints.
 *
 * A repository name read from the image or its reference always has a `/` (`library/alpine`,
 * `ghcr.io/acme/app`: src/target/reference.ts repositoryName); one without is a file name
 * (`image-3f2a.tar` → `image-3f2a`), used when the image carries no name (`docker save <id>`, an OCI
 * layout tagged only `t`). A file name can change every run and would open new alerts each time, so such
 * images are all filed under the constant `image` (told apart by position when there are several; see
 * `imageCategoryBases`) and the summary says so.
 */
export function imageIdentity(repository: string): string {
  return repository.includes('/') ? repository : UNNAMED_IMAGE
}

/**
 * `<category>/` when the `category` input is set, else `container-security-gate/` followed by one
 * `key:value/` per matrix entry sorted by key. codeql-action turns non-string matrix values into an empty
 * value; here numbers and booleans keep their JSON text and objects their JSON with sorted keys, so legs
 * that differ only in `node: [20, 22]` still get categories of their own.
 */
export function categoryPrefix(options: CategoryOptions = {}): string {
  const category = options.category?.trim().replace(/^\/+|\/+$/g, '') ?? ''
  if (category !== '') return `${categorySegment(category)}/`
  let prefix = `${TOOL_NAME}/`
  const entries = Object.entries(options.matrix ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, value] of entries) {
    prefix += `${categorySegment(`${key}:${matrixValueText(value)}`)}/`
  }
  return prefix
}

/**
 * The category of each image's run(s), in the order of `images`, all different:
 * `container-security-gate/library/alpine/`, `container-security-gate/os:alpine/library/alpine/` in a
 * matrix leg, `<category>/library/alpine/` with the `category` input.
 *
 * Never a tag or digest: `app:${{ github.sha }}` would make a new category every build whose alerts never
 * close. Two images of one repository in one step (`alpine:3.18` and `alpine:3.19`) are told apart by
 * their order among the images of that repository: `library/alpine/`, then `library/alpine~2/`. That is
 * stable as long as the order of the `image` input is; matrix legs (one image each) avoid the question.
 */
export function imageCategoryBases(images: readonly ImageResult[], options: CategoryOptions = {}): string[] {
  const prefix = categoryPrefix(options)
  const seen = new Map<string, number>()
  return images.map((image) => {
    const name = categorySegment(imageIdentity(image.repository))
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    const unique = count === 1 ? name : `${name}~${count}`
    return `${prefix}${unique}/`
  })
}

/** Lines for the summary: which images had no name of their own, and which share a repository. */
export function categoryNotes(images: readonly ImageResult[], bases: readonly string[]): string[] {
  const notes: string[] = []
  images.forEach((image, i) => {
    if (imageIdentity(image.repository) === UNNAMED_IMAGE) {
      notes.push(
        `${image.target} carries no repository name (no RepoTags, no OCI ref.name with a repository), so code scanning files its results under "${UNNAMED_IMAGE}" (category ${bases[i] ?? ''}), not under its file name, which may change every build. ` +
          'Name the image when saving it (docker save app:1.0, or an OCI ref.name like example.com/app:1.0) to file them under its repository.',
      )
    } else if ((bases[i] ?? '').includes('~')) {
      notes.push(
        `${image.target} is the second or later image of ${image.repository} in this step; its category is ${bases[i] ?? ''}, by its position in the image input. Keep that order stable, or scan one image per matrix leg.`,
      )
    }
  })
  return notes
}

function matrixValueText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return JSON.stringify(sortKeys(value))
  return JSON.stringify(value)
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortKeys(v)]),
  )
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
