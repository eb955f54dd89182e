/**
 * The rpm sqlite reader on databases written by the real SQLite library (Python's sqlite3 module), with the
 * table rpm creates (rpm lib/backend/sqlite.c: `Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB
 * NOT NULL)`) and header blobs the test lays out by hand after rpm's header format (il, dl, 16-byte
 * entries, data). Enough rows for interior b-tree pages, and one header larger than a page (an overflow
 * chain). Skipped where python3 with sqlite3 is missing, unless CSG_REQUIRE_REAL_TOOLS=1.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { readInventory } from '../../src/inventory/collect.js'
import { parseRpmSqlite } from '../../src/inventory/rpm.js'
import { fakeImage } from '../helpers/fake-image.js'

const execFileAsync = promisify(execFile)

const unavailable = await execFileAsync('python3', ['-c', 'import sqlite3'])
  .then(() => undefined)
  .catch(() => 'python3 with the sqlite3 module is not available')
if (unavailable !== undefined && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but ${unavailable}`)
}
const describeReal = unavailable === undefined ? describe : describe.skip

type Entry = [tag: number, value: string | number]

/** An rpm header blob: STRING (6) entries NUL-terminated, INT32 (4) entries 4-byte aligned. */
function headerBlob(entries: Entry[], padding = 0): Buffer {
  const index: Buffer[] = []
  const data: Buffer[] = []
  let size = 0
  for (const [tag, value] of entries) {
    const entry = Buffer.alloc(16)
    entry.writeInt32BE(tag, 0)
    if (typeof value === 'number') {
      const pad = (4 - (size % 4)) % 4
      data.push(Buffer.alloc(pad))
      size += pad
      entry.writeUInt32BE(4, 4)
      entry.writeInt32BE(size, 8)
      const bytes = Buffer.alloc(4)
      bytes.writeUInt32BE(value, 0)
      data.push(bytes)
      size += 4
    } else {
      entry.writeUInt32BE(6, 4)
      entry.writeInt32BE(size, 8)
      const bytes = Buffer.from(`${value}\u0000`, 'utf8')
      data.push(bytes)
      size += bytes.length
    }
    entry.writeUInt32BE(1, 12)
    index.push(entry)
  }
  // An unread BIN (7) entry standing for file lists and signatures, to make headers realistically large.
  if (padding > 0) {
    const entry = Buffer.alloc(16)
    entry.writeInt32BE(1097, 0)
    entry.writeUInt32BE(7, 4)
    entry.writeInt32BE(size, 8)
    entry.writeUInt32BE(padding, 12)
    index.push(entry)
    data.push(Buffer.alloc(padding, 0xab))
    size += padding
  }
  const head = Buffer.alloc(8)
  head.writeUInt32BE(index.length, 0)
  head.writeUInt32BE(size, 4)
  return Buffer.concat([head, ...index, ...data])
}

const NAME = 1000
const VERSION = 1001
const RELEASE = 1002
const EPOCH = 1003
const LICENSE = 1014
const ARCH = 1022

describeReal('rpm sqlite database', () => {
  let dir: string
  let database: Buffer

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-rpmdb-'))
    const blobs: Buffer[] = [
      headerBlob([
        [NAME, 'bash'],
        [VERSION, '5.2.26'],
        [RELEASE, '3.fc40'],
        [LICENSE, 'GPL-3.0-or-later'],
        [ARCH, 'x86_64'],
      ]),
      headerBlob(
        [
          [NAME, 'openssl-libs'],
          [EPOCH, 1],
          [VERSION, '3.2.2'],
          [RELEASE, '3.fc40'],
          [LICENSE, 'Apache-2.0'],
          [ARCH, 'x86_64'],
        ],
        20_000,
      ),
      headerBlob([
        [NAME, 'gpg-pubkey'],
        [VERSION, 'a15b79cc'],
        [RELEASE, '63d04c2c'],
      ]),
    ]
    for (let i = 0; i < 300; i++) {
      blobs.push(
        headerBlob(
          [
            [NAME, `pkg${i}`],
            [VERSION, '1.0'],
            [RELEASE, `${i}.fc40`],
            [ARCH, 'noarch'],
          ],
          300,
        ),
      )
    }
    const inputs = join(dir, 'blobs.json')
    await writeFile(inputs, JSON.stringify(blobs.map((b) => b.toString('hex'))))
    const script = [
      'import sqlite3, json, sys',
      'db = sqlite3.connect(sys.argv[1])',
      'db.execute("PRAGMA page_size=4096")',
      'db.execute("CREATE TABLE IF NOT EXISTS \'Packages\' (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")',
      "db.execute(\"CREATE TABLE IF NOT EXISTS 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL)\")",
      'for h in json.load(open(sys.argv[2])): db.execute("INSERT INTO Packages (blob) VALUES (?)", (bytes.fromhex(h),))',
      'db.commit()',
      'db.close()',
    ].join('\n')
    await execFileAsync('python3', ['-c', script, join(dir, 'rpmdb.sqlite'), inputs])
    database = await readFile(join(dir, 'rpmdb.sqlite'))
  })

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads every package header, through interior pages and overflow chains, skipping gpg-pubkey', () => {
    const result = parseRpmSqlite(database, 'var/lib/rpm/rpmdb.sqlite')
    expect(result.notes).toEqual([])
    expect(result.packages).toHaveLength(302)
    expect(result.packages.slice(0, 2)).toEqual([
      { name: 'bash', version: '5.2.26-3.fc40', type: 'rpm', licenses: ['GPL-3.0-or-later'], arch: 'x86_64' },
      {
        name: 'openssl-libs',
        version: '3.2.2-3.fc40',
        type: 'rpm',
        licenses: ['Apache-2.0'],
        arch: 'x86_64',
        qualifiers: { epoch: '1' },
      },
    ])
    expect(result.packages[301]).toEqual({
      name: 'pkg299',
      version: '1.0-299.fc40',
      type: 'rpm',
      licenses: [],
      arch: 'noarch',
    })
  })

  it('builds rpm purls with the epoch qualifier and the distro from os-release', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'etc/os-release', content: 'ID=fedora\nVERSION_ID=40\n' },
            { path: 'usr/lib/sysimage/rpm/rpmdb.sqlite', content: database },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'fedora:40' })
    expect(inventory.packages.filter((p) => !p.name.startsWith('pkg')).map((p) => p.purl)).toEqual([
      'pkg:rpm/fedora/bash@5.2.26-3.fc40?arch=x86_64&distro=fedora-40',
      'pkg:rpm/fedora/openssl-libs@3.2.2-3.fc40?arch=x86_64&distro=fedora-40&epoch=1',
    ])
  })

  it('never throws or loops on a corrupted database: it reads what it can and notes the rest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 1_000_000 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (flips) => {
          const corrupted = Buffer.from(database)
          for (const [at, value] of flips) corrupted[at % corrupted.length] = value
          const result = parseRpmSqlite(corrupted, 'rpmdb.sqlite')
          for (const pkg of result.packages) expect(pkg.name).not.toBe('')
        },
      ),
      { numRuns: 300 },
    )
  })

  it('notes a file that is not an SQLite database instead of failing', () => {
    expect(parseRpmSqlite(Buffer.from('not sqlite'), 'var/lib/rpm/rpmdb.sqlite')).toEqual({
      packages: [],
      notes: ['var/lib/rpm/rpmdb.sqlite: not a readable rpm sqlite database (not an SQLite 3 database)'],
    })
  })
})
