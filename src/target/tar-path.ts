/**
 * Path normalisation for names found inside tar archives. Two policies: layer entries are *clamped* at the
 * root (a hostile `../../etc/x` is reported as `etc/x`, as a container runtime would extract it), while
 * names an image layout points at must stay inside the archive or the image is rejected.
 */

/** Splits on `/`, drops empty and `.` components, and applies `..`; returns undefined when `..` escapes. */
function resolveComponents(path: string, clamp: boolean): string[] | undefined {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (parts.length === 0) {
        if (clamp) continue
        return undefined
      }
      parts.pop()
      continue
    }
    parts.push(part)
  }
  return parts
}

/**
 * A layer entry name as a relative, `/`-separated path without `.`/`..` components: `./usr/bin/` →
 * `usr/bin`, `/abs` → `abs`, `../../etc/x` → `etc/x`. The root itself is `''`.
 */
export function normaliseLayerPath(raw: string): string {
  return resolveComponents(raw.replace(/\\/g, '/'), true)!.join('/')
}

/**
 * A name inside an archive (`./manifest.json`, `blobs/sha256/…`), or undefined when it is absolute or
 * climbs out of the archive root with `..`.
 */
export function normaliseArchivePath(raw: string): string | undefined {
  if (raw.startsWith('/')) return undefined
  const parts = resolveComponents(raw, false)
  if (parts === undefined || parts.length === 0) return undefined
  return parts.join('/')
}

/** Resolves a symlink target written in entry `from` (relative to its directory), or undefined if it escapes. */
export function resolveLinkTarget(from: string, target: string): string | undefined {
  if (target.startsWith('/')) return undefined
  const slash = from.lastIndexOf('/')
  const dir = slash === -1 ? '' : from.slice(0, slash)
  return normaliseArchivePath(dir === '' ? target : `${dir}/${target}`)
}

/** The directory part of a normalised path (`''` for top-level names). */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

/** The last component of a normalised path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
