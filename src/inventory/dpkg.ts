/**
 * dpkg's database of installed packages: `/var/lib/dpkg/status`, and the one-paragraph-per-package files
 * distroless images keep in `/var/lib/dpkg/status.d/` instead (GoogleContainerTools/distroless, with a
 * `<name>.md5sums` beside each, which is not a control file).
 *
 * Syntax, per deb822(5) and deb-control(5): paragraphs separated by empty lines; `Field: value` lines, field
 * names case-insensitive; a line starting with a space or tab continues the previous field. dpkg parses the
 * status file with the same code (dpkg lib/dpkg/parse.c, parsedb). `Status` is "want flag state"
 * (dpkg lib/dpkg/pkg-namevalue.c, statusinfos): `not-installed` and `config-files` leave no files of
 * the package on disk, so those paragraphs are skipped; every other state (installed, unpacked,
 * half-configured, half-installed, triggers-*) is listed, as `dpkg-query -W` lists it.
 */
import type { FoundPackage, PackageReader, ReadResult } from './reader.js'

export const DPKG_STATUS_PATH = 'var/lib/dpkg/status'
const STATUS_D_PREFIX = 'var/lib/dpkg/status.d/'
const NOT_ON_DISK = new Set(['not-installed', 'config-files'])

/** Splits deb822 text into paragraphs of lower-cased field name → value (continuation lines joined by `\n`). */
export function parseDeb822(text: string): Map<string, string>[] {
  const paragraphs: Map<string, string>[] = []
  let current = new Map<string, string>()
  let lastField: string | undefined
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) paragraphs.push(current)
      current = new Map()
      lastField = undefined
      continue
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (lastField !== undefined) current.set(lastField, `${current.get(lastField) ?? ''}\n${line.trim()}`)
      continue
    }
    if (line.startsWith('#')) continue
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    lastField = line.slice(0, colon).trim().toLowerCase()
    current.set(lastField, line.slice(colon + 1).trim())
  }
  if (current.size > 0) paragraphs.push(current)
  return paragraphs
}

/** The packages of a status file (or a status.d file); paragraphs without Package or Version are noted. */
export function parseDpkgStatus(text: string, path: string): ReadResult {
  const packages: FoundPackage[] = []
  const notes: string[] = []
  for (const paragraph of parseDeb822(text)) {
    const name = paragraph.get('package')
    const version = paragraph.get('version')
    const state = paragraph.get('status')?.split(/\s+/)[2]
    // status.d files carry no Status field: distroless only writes installed packages there.
    if (state !== undefined && NOT_ON_DISK.has(state)) continue
    if (!name || !version) {
      if (state !== undefined || name)
        notes.push(`${path}: a paragraph without Package or Version was skipped`)
      continue
    }
    const found: FoundPackage = { name, version, type: 'deb', licenses: [] }
    const arch = paragraph.get('architecture')
    if (arch) found.arch = arch
    // `Source: name (version)`: purl-spec's deb `upstream` qualifier names the source package.
    const source = /^(\S+)/.exec(paragraph.get('source') ?? '')?.[1]
    if (source !== undefined && source !== name) found.qualifiers = { upstream: source }
    packages.push(found)
  }
  return { packages, notes }
}

export const dpkgReader: PackageReader = {
  id: 'dpkg',
  selects: (path) =>
    path === DPKG_STATUS_PATH ||
    (path.startsWith(STATUS_D_PREFIX) &&
      !path.endsWith('.md5sums') &&
      !path.slice(STATUS_D_PREFIX.length).includes('/')),
  // A large Debian system's status file is a few MiB.
  maxBytes: 64 * 1024 * 1024,
  read: (path, content) => parseDpkgStatus(content.toString('utf8'), path),
}
