/**
 * rpm databases. The SQLite backend of rpm ≥ 4.16 (Fedora ≥ 33, RHEL/UBI ≥ 9) is read: `rpmdb.sqlite`,
 * whose `Packages` table rpm creates as `(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)`
 * with one header blob per installed package (rpm lib/backend/sqlite.c at rpm-4.19.1-release). The Berkeley
 * DB `Packages` file of RHEL/CentOS ≤ 8 and the NDB `Packages.db` of SUSE are noted as not read, so an
 * SBOM never silently omits an rpm-based distribution's packages.
 */
import type { FoundPackage, PackageReader, ReadResult } from './reader.js'
import { parseRpmHeader } from './rpm-header.js'
import { readSqliteTable } from './sqlite-table.js'

const BERKELEY_DB_PATHS = ['var/lib/rpm/Packages', 'usr/lib/sysimage/rpm/Packages']
const NDB_PATHS = ['var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db']

export const rpmBerkeleyDbReader: PackageReader = {
  id: 'rpm-bdb',
  selects: (path) => BERKELEY_DB_PATHS.includes(path) || NDB_PATHS.includes(path),
  maxBytes: 0,
  read: (path) => ({
    packages: [],
    notes: [
      `${path}: an rpm ${path.endsWith('.db') ? 'NDB' : 'Berkeley DB'} database, which is not read; its packages are not in the inventory (only rpmdb.sqlite is read)`,
    ],
  }),
}

const SQLITE_PATHS = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite']

export function parseRpmSqlite(bytes: Buffer, path: string): ReadResult {
  const packages: FoundPackage[] = []
  const notes: string[] = []
  let rows
  try {
    rows = readSqliteTable(bytes, 'Packages')
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { packages, notes: [`${path}: not a readable rpm sqlite database (${message})`] }
  }
  let broken = 0
  for (const row of rows) {
    const blob = row[1]
    if (!Buffer.isBuffer(blob)) {
      broken++
      continue
    }
    let header
    try {
      header = parseRpmHeader(blob)
    } catch {
      broken++
      continue
    }
    if (!header.name || !header.version || !header.release) {
      broken++
      continue
    }
    // gpg-pubkey "packages" are imported signing keys, not software.
    if (header.name === 'gpg-pubkey') continue
    const found: FoundPackage = {
      name: header.name,
      version: `${header.version}-${header.release}`,
      type: 'rpm',
      licenses: header.license ? [header.license] : [],
    }
    if (header.arch) found.arch = header.arch
    // purl-spec's rpm type carries the epoch as a qualifier.
    if (header.epoch !== undefined) found.qualifiers = { epoch: String(header.epoch) }
    packages.push(found)
  }
  if (broken > 0) notes.push(`${path}: ${broken} package header(s) could not be read`)
  return { packages, notes }
}

export const rpmSqliteReader: PackageReader = {
  id: 'rpm',
  selects: (path) => SQLITE_PATHS.includes(path),
  maxBytes: 128 * 1024 * 1024,
  read: (path, content) => parseRpmSqlite(content, path),
}

export const rpmReaders: readonly PackageReader[] = [rpmSqliteReader, rpmBerkeleyDbReader]
