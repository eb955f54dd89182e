/**
 * apk-tools' installed database, `/lib/apk/db/installed` (`/usr/lib/apk/db/installed` where /lib is merged
 * into /usr). One block per package, blocks separated by an empty line, each line `X:value` with a
 * one-letter field: `P` name, `V` version, `A` architecture, `L` license, `o` origin, … (apk-tools
 * src/package.c apk_pkg_add_info and src/database.c apk_db_fdb_read; the letters are tabulated on the
 * Alpine wiki's "Apk spec" page). File lines (`F:`, `R:`, `Z:`, …) are not needed here.
 */
import type { FoundPackage, PackageReader, ReadResult } from './reader.js'

export const APK_INSTALLED_PATHS = ['lib/apk/db/installed', 'usr/lib/apk/db/installed'] as const

export function parseApkInstalled(text: string, path: string): ReadResult {
  const packages: FoundPackage[] = []
  const notes: string[] = []
  let fields = new Map<string, string>()
  const flush = (): void => {
    if (fields.size === 0) return
    const name = fields.get('P')
    const version = fields.get('V')
    if (name && version) {
      const found: FoundPackage = { name, version, type: 'apk', licenses: [] }
      const license = fields.get('L')
      if (license) found.licenses = [license]
      const arch = fields.get('A')
      if (arch) found.arch = arch
      const origin = fields.get('o')
      if (origin && origin !== name) found.qualifiers = { upstream: origin }
      packages.push(found)
    } else {
      notes.push(`${path}: a package block without P: or V: was skipped`)
    }
    fields = new Map()
  }
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      flush()
      continue
    }
    if (line.length < 2 || line[1] !== ':') continue
    const key = line[0]!
    // Only the package's own fields: the first occurrence wins (file blocks repeat other letters).
    if (!fields.has(key)) fields.set(key, line.slice(2).trim())
  }
  flush()
  return { packages, notes }
}

export const apkReader: PackageReader = {
  id: 'apk',
  selects: (path) => (APK_INSTALLED_PATHS as readonly string[]).includes(path),
  maxBytes: 64 * 1024 * 1024,
  read: (path, content) => parseApkInstalled(content.toString('utf8'), path),
}
