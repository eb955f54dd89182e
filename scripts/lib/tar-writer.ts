/**
 * Tar writing for the image fixture generator: well-formed archives through `tar-stream` `pack()`, and
 * raw headers for hostile archives (sizes that lie, base-256 sizes, verbatim names) that `pack()` refuses
 * to write. Deterministic: fixed mtimes, no user/group names, entries in the order given.
 */
import { pack } from 'tar-stream'

/** Every entry gets this mtime, so the same spec always gives the same bytes and digests. */
export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z')

export interface TarFile {
  name: string
  type?: 'file' | 'directory' | 'symlink' | 'hardlink'
  content?: string | Buffer
  mode?: number
  uid?: number
  gid?: number
  linkTarget?: string
}

const DEFAULT_MODES = { file: 0o644, directory: 0o755, symlink: 0o777, hardlink: 0o644 } as const
const PACK_TYPES = { file: 'file', directory: 'directory', symlink: 'symlink', hardlink: 'link' } as const

/** A well-formed tar (ustar, pax for long names) of `files`, in order. */
export async function packTar(files: readonly TarFile[]): Promise<Buffer> {
  const packer = pack()
  const chunks: Buffer[] = []
  const collected = (async () => {
    for await (const chunk of packer as AsyncIterable<Buffer>) chunks.push(chunk)
  })()
  for (const file of files) {
    const type = file.type ?? 'file'
    const header = {
      name: file.name,
      type: PACK_TYPES[type],
      mode: file.mode ?? DEFAULT_MODES[type],
      uid: file.uid ?? 0,
      gid: file.gid ?? 0,
      mtime: FIXED_MTIME,
      ...(file.linkTarget !== undefined ? { linkname: file.linkTarget } : {}),
    }
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null): void => (error ? reject(error) : resolve())
      if (type === 'file') packer.entry(header, file.content ?? '', done)
      else packer.entry(header, done)
    })
  }
  packer.finalize()
  await collected
  return Buffer.concat(chunks)
}

export interface RawTarEntry {
  /** Written verbatim (≤ 100 bytes in the name field, longer goes to the ustar prefix). */
  name: string
  /** Tar typeflag character: '0' file, '1' hard link, '2' symlink, '5' directory, 'x' pax, 'L' GNU long name. */
  typeflag?: string
  body?: Buffer | string
  /** The size written in the header, when it should differ from the body (a lying header). */
  claimedSize?: number
  mode?: number
  linkname?: string
  /** 'ustar' (POSIX, with prefix) or 'gnu' magic. */
  magic?: 'ustar' | 'gnu'
  /** Write the size as GNU base-256 even when it fits in octal. */
  base256Size?: boolean
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1')
}

function writeBase256(block: Buffer, offset: number, length: number, value: number): void {
  let rest = value
  for (let i = length - 1; i > 0; i--) {
    block[offset + i] = rest % 256
    rest = Math.floor(rest / 256)
  }
  block[offset] = 0x80
}

/** One 512-byte header with a correct checksum and whatever it is told to claim. */
export function rawTarHeader(entry: RawTarEntry, size: number): Buffer {
  const block = Buffer.alloc(512)
  let name = entry.name
  let prefix = ''
  if (Buffer.byteLength(name) > 100 && entry.magic !== 'gnu') {
    const cut = name.lastIndexOf('/', name.length - 1)
    prefix = name.slice(0, cut)
    name = name.slice(cut + 1)
  }
  block.write(name, 0, 100, 'utf8')
  writeOctal(block, 100, 8, entry.mode ?? 0o644)
  writeOctal(block, 108, 8, 0)
  writeOctal(block, 116, 8, 0)
  if (entry.base256Size === true || size > 0o77777777777) writeBase256(block, 124, 12, size)
  else writeOctal(block, 124, 12, size)
  writeOctal(block, 136, 12, Math.floor(FIXED_MTIME.getTime() / 1000))
  block.write(entry.typeflag ?? '0', 156, 1, 'latin1')
  if (entry.linkname !== undefined) block.write(entry.linkname, 157, 100, 'utf8')
  if (entry.magic === 'gnu') block.write('ustar  \0', 257, 8, 'latin1')
  else block.write('ustar\x0000', 257, 8, 'latin1')
  if (prefix !== '') block.write(prefix, 345, 155, 'utf8')
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1')
  return block
}

function padding(length: number): Buffer {
  return Buffer.alloc((512 - (length % 512)) % 512)
}

/** A tar of raw entries; `endMarker: false` leaves off the two zero blocks. */
export function rawTar(entries: readonly RawTarEntry[], options: { endMarker?: boolean } = {}): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const body = typeof entry.body === 'string' ? Buffer.from(entry.body) : (entry.body ?? Buffer.alloc(0))
    parts.push(rawTarHeader(entry, entry.claimedSize ?? body.length), body, padding(body.length))
  }
  if (options.endMarker !== false) parts.push(Buffer.alloc(1024))
  return Buffer.concat(parts)
}

/** A pax extended header record block (`<len> key=value\n`) for `rawTar`. */
export function paxRecords(records: Record<string, string>): Buffer {
  let text = ''
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`
    let length = Buffer.byteLength(body) + 1
    while (String(length).length + Buffer.byteLength(body) !== length) length++
    text += `${length}${body}`
  }
  return Buffer.from(text)
}
