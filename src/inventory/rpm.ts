/**
 * rpm databases. Only the SQLite backend is read (see rpm-sqlite.ts, when present); the Berkeley DB
 * `Packages` file of RHEL/CentOS ≤ 8 and the NDB `Packages.db` of SUSE are noted as not read, so an SBOM
 * never silently omits an rpm-based distribution's packages.
 */
import type { PackageReader } from './reader.js'

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

export const rpmReaders: readonly PackageReader[] = [rpmBerkeleyDbReader]
