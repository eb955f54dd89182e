/**
 * The name an image is reported under (findings' `target`, SARIF `properties.image`, the summary): as the
 * user wrote it, except an absolute file path. `${{ runner.temp }}/app.tar` would otherwise put the
 * runner's directory layout into every alert and artifact, and differ between runners: a path inside the
 * workspace is given relative to it, one outside it (RUNNER_TEMP, /tmp) by its base name. The transport
 * prefix (`oci-archive:`) is kept. Pure: no file is looked at.
 */
import { posix, win32 } from 'node:path'

const TRANSPORT_PREFIX = /^(docker-archive|oci-archive|oci-dir):/

export function reportedTargetName(name: string, workspace: string): string {
  const prefix = TRANSPORT_PREFIX.exec(name)?.[0] ?? ''
  const path = name.slice(prefix.length)
  const style = win32.isAbsolute(path) && !posix.isAbsolute(path) ? win32 : posix
  if (!style.isAbsolute(path)) return name
  const relative = style.relative(workspace, path)
  const inside = !relative.startsWith('..') && !style.isAbsolute(relative)
  const shown = !inside ? style.basename(path) : relative === '' ? '.' : relative.split(style.sep).join('/')
  return shown === '' ? name : `${prefix}${shown}`
}

/**
 * Reported names for every image, in order; an image whose short name another already took keeps the
 * name as written, so two images never merge into one result.
 */
export function reportedTargetNames(names: readonly string[], workspace: string): string[] {
  const taken = new Set<string>()
  return names.map((name) => {
    const short = reportedTargetName(name, workspace)
    const chosen = taken.has(short) || (short !== name && names.includes(short)) ? name : short
    taken.add(chosen)
    return chosen
  })
}
