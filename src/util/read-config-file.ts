/**
 * Reads a configuration file the user named (policy, ignore file, VEX, baseline SARIF, Dockerfile) only
 * when it is a regular file under a size limit: a FIFO would hang the run, `/dev/zero` or a directory
 * would read without end or fail obscurely. The file is opened non-blocking (a FIFO open returns at once)
 * and checked on the open descriptor, so it cannot be swapped between the check and the read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'

/** Larger than any sensible policy, ignore file, VEX document, Dockerfile or baseline SARIF log. */
export const MAX_CONFIG_FILE_BYTES = 64 * 1024 * 1024

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory'
  if (stats.isFIFO()) return 'a FIFO'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isSocket()) return 'a socket'
  return 'not a regular file'
}

function checkStats(stats: Stats, maxBytes: number): void {
  if (!stats.isFile()) throw new Error(`it is ${kindOf(stats)}, not a regular file`)
  if (stats.size > maxBytes) {
    throw new Error(`it is ${stats.size} bytes, over the ${maxBytes}-byte limit for configuration files`)
  }
}

const overLimit = (maxBytes: number): Error =>
  new Error(`it is over the ${maxBytes}-byte limit for configuration files`)

/** `readConfigFileSync`, asynchronously. */
export async function readConfigFile(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stats = await handle.stat()
    checkStats(stats, maxBytes)
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stats.size + 1))
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
      if (length === buffer.length) {
        if (length > maxBytes) throw overLimit(maxBytes)
        break
      }
    }
    return buffer.subarray(0, length).toString('utf8')
  } finally {
    await handle.close()
  }
}

/**
 * The text of `path` (UTF-8). Throws an `Error` whose message says why it was refused (never quoting the
 * content); callers wrap it in a `ConfigurationError` naming their input.
 */
export function readConfigFileSync(path: string, maxBytes = MAX_CONFIG_FILE_BYTES): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const stats = fstatSync(fd)
    checkStats(stats, maxBytes)
    // Read at most one byte past the limit, whatever the size said (a file may grow while read).
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, stats.size + 1))
    let length = 0
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null)
      if (read === 0) break
      length += read
      if (length === buffer.length) {
        if (length > maxBytes)
          throw new Error(`it is over the ${maxBytes}-byte limit for configuration files`)
        break
      }
    }
    return buffer.subarray(0, length).toString('utf8')
  } finally {
    closeSync(fd)
  }
}
