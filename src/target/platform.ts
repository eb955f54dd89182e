/**
 * Image platforms (`linux/amd64`, `linux/arm/v7`) as the `platform` input names them, and which image of a
 * multi-platform index matches one. Pure.
 *
 * Matching follows containerd's platform normalisation (github.com/containerd/platforms, database.go
 * `Normalize`): `arm64` without a variant is `arm64/v8`, `arm` without a variant is `arm/v7`, and
 * `amd64/v1` is plain `amd64`; the OS defaults to `linux`.
 */
import { ConfigurationError, ImageError } from '../util/errors.js'

export interface ImagePlatform {
  os: string
  architecture: string
  variant?: string
}

/** What the `platform` input asks for: the runner's platform (default), some platforms, or every one. */
export type PlatformRequest =
  { kind: 'default' } | { kind: 'all' } | { kind: 'list'; platforms: readonly ImagePlatform[] }

const COMPONENT = /^[a-z0-9_.-]+$/

/** `process.arch` in the GOARCH spelling image platforms use. */
export function runnerPlatform(arch: string = process.arch): ImagePlatform {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
  }
  return { os: 'linux', architecture: map[arch] ?? arch }
}

/** `linux/arm64`, `linux/arm/v7`, `arm64` (OS linux). Throws ConfigurationError naming the input. */
export function parsePlatform(text: string): ImagePlatform {
  const parts = text.trim().toLowerCase().split('/')
  if (parts.length === 1) parts.unshift('linux')
  if (parts.length > 3 || parts.some((p) => !COMPONENT.test(p))) {
    throw new ConfigurationError(
      `input platform: "${text}" is not a platform (expected os/architecture[/variant], e.g. linux/arm64, linux/arm/v7, or all)`,
    )
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return variant === undefined ? { os, architecture } : { os, architecture, variant }
}

/** The `platform` input: empty = the runner's, `all`, or a comma/space separated list. */
export function parsePlatformRequest(text: string | undefined): PlatformRequest {
  const items = (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (items.length === 0) return { kind: 'default' }
  if (items.some((i) => i.toLowerCase() === 'all')) {
    if (items.length > 1)
      throw new ConfigurationError('input platform: "all" cannot be combined with other platforms')
    return { kind: 'all' }
  }
  const platforms: ImagePlatform[] = []
  for (const item of items) {
    const platform = parsePlatform(item)
    if (!platforms.some((p) => platformText(p) === platformText(platform))) platforms.push(platform)
  }
  return { kind: 'list', platforms }
}

/** containerd's `Normalize` for the fields that matter here. */
export function normalisePlatform(platform: ImagePlatform): ImagePlatform {
  const os = platform.os.toLowerCase()
  const architecture = platform.architecture.toLowerCase()
  let variant = platform.variant?.toLowerCase()
  if (architecture === 'arm64' && (variant === undefined || variant === '' || variant === '8')) variant = 'v8'
  else if (architecture === 'arm' && (variant === undefined || variant === '' || variant === '7'))
    variant = 'v7'
  else if (architecture === 'amd64' && variant === 'v1') variant = undefined
  if (variant === '') variant = undefined
  return variant === undefined ? { os, architecture } : { os, architecture, variant }
}

/** True when `candidate` (from an index) is the platform `wanted` names. */
export function platformMatches(wanted: ImagePlatform, candidate: ImagePlatform): boolean {
  const a = normalisePlatform(wanted)
  const b = normalisePlatform(candidate)
  return a.os === b.os && a.architecture === b.architecture && a.variant === b.variant
}

/** `linux/arm/v7`. */
export function platformText(platform: ImagePlatform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')
}

/** `linux-arm-v7`: a platform inside a name (category, target). */
export function platformSlug(platform: ImagePlatform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('-')
}

/**
 * The entries of `available` (in their order) that `request` picks. `default` picks the runner's platform
 * (`runner`); every asked-for platform must be there, else an ImageError lists the ones there are.
 */
export function selectPlatforms<T extends { platform: ImagePlatform }>(
  available: readonly T[],
  request: PlatformRequest,
  options: { runner: ImagePlatform; description: string },
): T[] {
  if (request.kind === 'all') return [...available]
  const wanted = request.kind === 'default' ? [options.runner] : request.platforms
  const chosen: T[] = []
  for (const platform of wanted) {
    const match = available.find((a) => platformMatches(platform, a.platform))
    if (match === undefined) {
      const have = available.map((a) => platformText(a.platform)).join(', ') || 'none'
      throw new ImageError(
        `${options.description} has no ${platformText(platform)} image (platforms: ${have}); set the platform input to one of them or to all`,
      )
    }
    if (!chosen.includes(match)) chosen.push(match)
  }
  return chosen
}
