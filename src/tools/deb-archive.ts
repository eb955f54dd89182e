/**
 * Unpacks the file tree of a Debian package without dpkg and without root: the package is an `ar`
 * archive whose `data.tar[.gz|.xz|.zst|.bz2]` member holds the files; that member is copied out and
 * extracted with the system `tar` (argument array, no shell), which detects the compression itself and
 * refuses members that would escape the destination. Maintainer scripts are never run.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { runCommand, tailLines, type CommandRunner } from '../util/exec.js'

const AR_MAGIC = '!<arch>\n'
const HEADER_BYTES = 60

export interface ArMember {
  name: string
  /** Byte offset of the member's data in the archive. */
  offset: number
  size: number
}

/** Thrown for a file that is not a readable `.deb`; the installer turns it into a `ScannerError`. */
export class DebArchiveError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DebArchiveError'
  }
}

/** The members of an `ar` archive (common format; GNU `name/` endings are trimmed). */
export async function listArMembers(file: string): Promise<ArMember[]> {
  const handle = await open(file, 'r')
  try {
    const { size: total } = await handle.stat()
    const magic = Buffer.alloc(AR_MAGIC.length)
    await handle.read(magic, 0, magic.length, 0)
    if (magic.toString('latin1') !== AR_MAGIC)
      throw new DebArchiveError('not an ar archive (no !<arch> magic)')
    const members: ArMember[] = []
    let position = AR_MAGIC.length
    const header = Buffer.alloc(HEADER_BYTES)
    while (position + HEADER_BYTES <= total) {
      const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, position)
      if (bytesRead < HEADER_BYTES) break
      if (header.toString('latin1', 58, 60) !== '`\n') {
        throw new DebArchiveError(`corrupt ar member header at byte ${position}`)
      }
      const name = header.toString('latin1', 0, 16).trim().replace(/\/$/, '')
      const sizeText = header.toString('latin1', 48, 58).trim()
      if (!/^\d+$/.test(sizeText)) throw new DebArchiveError(`corrupt ar member size at byte ${position}`)
      const size = Number(sizeText)
      const offset = position + HEADER_BYTES
      if (offset + size > total) {
        throw new DebArchiveError(`the member ${name} is truncated (${total - offset} of ${size} bytes)`)
      }
      members.push({ name, offset, size })
      position = offset + size + (size % 2) // members are padded to an even offset
    }
    return members
  } finally {
    await handle.close()
  }
}

/** The `data.tar*` member of a Debian package. */
export function dataMember(members: readonly ArMember[]): ArMember {
  if (!members.some((m) => m.name === 'debian-binary')) {
    throw new DebArchiveError('not a Debian package (no debian-binary member)')
  }
  const data = members.find((m) => /^data\.tar(\.(gz|xz|zst|bz2|lzma))?$/.test(m.name))
  if (data === undefined) throw new DebArchiveError('the package has no data.tar member')
  return data
}

/**
 * Extracts the files of the package `file` into `dest` (which exists). `scratchDir` receives the copied
 * data member, removed afterwards. `run` is the command runner (tests substitute it).
 */
export async function extractDeb(
  file: string,
  dest: string,
  options: { scratchDir: string; run?: CommandRunner; timeoutMs?: number },
): Promise<void> {
  const data = dataMember(await listArMembers(file))
  const copy = join(options.scratchDir, data.name)
  try {
    await pipeline(
      createReadStream(file, { start: data.offset, end: data.offset + data.size - 1 }),
      createWriteStream(copy),
    )
    const run = options.run ?? runCommand
    const result = await run('tar', ['-x', '-f', copy, '-C', dest, '--no-same-owner'], {
      timeoutMs: options.timeoutMs ?? 10 * 60_000,
    })
    if (result.exitCode !== 0) {
      const why = result.timedOut ? 'timed out' : `exited with code ${String(result.exitCode)}`
      throw new DebArchiveError(`tar ${why} on ${data.name}: ${tailLines(result.stderr, 5)}`)
    }
  } finally {
    await rm(copy, { force: true })
  }
}
