/**
 * A small read-only reader of SQLite database files, enough to list the rows of one table: the file header,
 * table b-trees (interior and leaf pages), overflow chains and the record format, after "The SQLite
 * Database File Format" (sqlite.org/fileformat2.html, §1.3 header, §1.6 b-tree pages, §1.6 cell payload
 * overflow, §2.1 record format, §2.6 sqlite_schema). It reads a database that was closed cleanly (a
 * write-ahead log that was not checkpointed is not read) and never writes; every offset is bounds-checked,
 * and a malformed file raises an Error with what was wrong.
 */

export type SqliteValue = null | number | bigint | string | Buffer

const MAGIC = 'SQLite format 3\u0000'
const LEAF_TABLE = 0x0d
const INTERIOR_TABLE = 0x05

class SqliteFile {
  readonly pageSize: number
  readonly usable: number
  readonly pageCount: number

  constructor(readonly bytes: Buffer) {
    if (bytes.length < 100 || bytes.toString('latin1', 0, 16) !== MAGIC)
      throw new Error('not an SQLite 3 database')
    const raw = bytes.readUInt16BE(16)
    this.pageSize = raw === 1 ? 65536 : raw
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) {
      throw new Error(`invalid page size ${this.pageSize}`)
    }
    this.usable = this.pageSize - bytes[20]!
    this.pageCount = Math.floor(bytes.length / this.pageSize)
    if (bytes.readUInt32BE(56) > 1) throw new Error('only UTF-8 databases are read')
  }

  page(number: number): Buffer {
    if (!Number.isInteger(number) || number < 1 || number > this.pageCount) {
      throw new Error(`page ${number} is outside the file (${this.pageCount} pages)`)
    }
    return this.bytes.subarray((number - 1) * this.pageSize, number * this.pageSize)
  }
}

/** A varint (§1.5 "varint"): 1–9 bytes, big-endian, 7 bits per byte, all 8 bits of a ninth. */
function readVarint(buf: Buffer, offset: number): { value: bigint; next: number } {
  let value = 0n
  for (let i = 0; i < 9; i++) {
    const byte = buf[offset + i]
    if (byte === undefined) throw new Error('varint runs past the page')
    if (i === 8) return { value: (value << 8n) | BigInt(byte), next: offset + 9 }
    value = (value << 7n) | BigInt(byte & 0x7f)
    if ((byte & 0x80) === 0) return { value, next: offset + i + 1 }
  }
  throw new Error('unreachable')
}

function smallVarint(buf: Buffer, offset: number): { value: number; next: number } {
  const { value, next } = readVarint(buf, offset)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('varint too large')
  return { value: Number(value), next }
}

/** The whole payload of a table leaf cell, following its overflow chain (§1.6). */
function cellPayload(file: SqliteFile, page: Buffer, cellOffset: number): Buffer {
  const size = smallVarint(page, cellOffset)
  const rowid = readVarint(page, size.next)
  const start = rowid.next
  const total = size.value
  const maxLocal = file.usable - 35
  if (total <= maxLocal) {
    if (start + total > page.length) throw new Error('cell runs past the page')
    return page.subarray(start, start + total)
  }
  const minLocal = Math.floor(((file.usable - 12) * 32) / 255) - 23
  const k = minLocal + ((total - minLocal) % (file.usable - 4))
  const local = k <= maxLocal ? k : minLocal
  if (start + local + 4 > page.length) throw new Error('cell runs past the page')
  const parts: Buffer[] = [page.subarray(start, start + local)]
  let remaining = total - local
  let next = page.readUInt32BE(start + local)
  const seen = new Set<number>()
  while (remaining > 0) {
    if (next === 0 || seen.has(next)) throw new Error('overflow chain is broken or loops')
    seen.add(next)
    const overflow = file.page(next)
    const take = Math.min(remaining, file.usable - 4)
    parts.push(overflow.subarray(4, 4 + take))
    remaining -= take
    next = overflow.readUInt32BE(0)
  }
  return Buffer.concat(parts, total)
}

/** Decodes a record (§2.1) into its column values. */
export function decodeRecord(payload: Buffer): SqliteValue[] {
  const headerSize = smallVarint(payload, 0)
  const types: number[] = []
  let offset = headerSize.next
  while (offset < headerSize.value) {
    const type = smallVarint(payload, offset)
    types.push(type.value)
    offset = type.next
  }
  let data = headerSize.value
  const values: SqliteValue[] = []
  const take = (length: number): Buffer => {
    if (data + length > payload.length) throw new Error('record runs past its payload')
    const slice = payload.subarray(data, data + length)
    data += length
    return slice
  }
  for (const type of types) {
    if (type === 0) values.push(null)
    else if (type >= 1 && type <= 6) {
      const length = [0, 1, 2, 3, 4, 6, 8][type]!
      const bytes = take(length)
      let value = 0n
      for (const byte of bytes) value = (value << 8n) | BigInt(byte)
      if (bytes.length > 0 && (bytes[0]! & 0x80) !== 0) value -= 1n << BigInt(8 * length)
      values.push(
        value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(value)
          : value,
      )
    } else if (type === 7) values.push(take(8).readDoubleBE(0))
    else if (type === 8) values.push(0)
    else if (type === 9) values.push(1)
    else if (type >= 12 && type % 2 === 0) values.push(Buffer.from(take((type - 12) / 2)))
    else if (type >= 13) values.push(take((type - 13) / 2).toString('utf8'))
    else throw new Error(`reserved serial type ${type}`)
  }
  return values
}

/** Every row of the table b-tree rooted at `root`, in rowid order. */
function* tableRows(file: SqliteFile, root: number): Generator<SqliteValue[]> {
  const stack = [root]
  const visited = new Set<number>()
  while (stack.length > 0) {
    const number = stack.pop()!
    if (visited.has(number)) throw new Error(`b-tree page ${number} is reached twice`)
    visited.add(number)
    const page = file.page(number)
    const headerAt = number === 1 ? 100 : 0
    const type = page[headerAt]
    const cells = page.readUInt16BE(headerAt + 3)
    if (type === LEAF_TABLE) {
      for (let i = 0; i < cells; i++) {
        const pointer = page.readUInt16BE(headerAt + 8 + 2 * i)
        yield decodeRecord(cellPayload(file, page, pointer))
      }
    } else if (type === INTERIOR_TABLE) {
      // Children are pushed right-most first so they pop in key order.
      stack.push(page.readUInt32BE(headerAt + 8))
      for (let i = cells - 1; i >= 0; i--) {
        const pointer = page.readUInt16BE(headerAt + 12 + 2 * i)
        stack.push(page.readUInt32BE(pointer))
      }
    } else {
      throw new Error(`page ${number} is not a table b-tree page (type ${type ?? '?'})`)
    }
  }
}

/** The rows of table `name` (as stored: an INTEGER PRIMARY KEY column reads as null). Throws when absent. */
export function readSqliteTable(bytes: Buffer, name: string): SqliteValue[][] {
  const file = new SqliteFile(bytes)
  // sqlite_schema (§2.6): type, name, tbl_name, rootpage, sql; its root is page 1.
  for (const row of tableRows(file, 1)) {
    if (row[0] === 'table' && row[1] === name && typeof row[3] === 'number')
      return [...tableRows(file, row[3])]
  }
  throw new Error(`no table ${name}`)
}
