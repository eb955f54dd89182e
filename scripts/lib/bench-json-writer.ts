/**
 * Writes a large pretty-printed JSON document (as scanners write theirs) without ever holding it as one
 * string: the document skeleton is stringified with placeholders, and each placeholder is streamed as an
 * array of items.
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'

/** A placeholder value to put in the skeleton where a streamed array goes. */
export function arrayPlaceholder(name: string): string {
  return `@@bench-array:${name}@@`
}

const CHUNK_CHARS = 1 << 20

async function write(stream: WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain')
}

/**
 * Writes `skeleton` with `indent` spaces per level, replacing each `arrayPlaceholder(name)` string by the
 * items of `arrays[name]`, indented as if they had been part of the skeleton. Returns the bytes written.
 */
export async function writePrettyJson(
  path: string,
  skeleton: unknown,
  arrays: Record<string, Iterable<unknown>>,
  indent: number,
): Promise<number> {
  const text = JSON.stringify(skeleton, null, indent)
  const stream = createWriteStream(path)
  let bytes = 0
  const emit = async (chunk: string): Promise<void> => {
    bytes += Buffer.byteLength(chunk)
    await write(stream, chunk)
  }
  const pattern = /"@@bench-array:([^@]+)@@"/g
  let last = 0
  for (const match of text.matchAll(pattern)) {
    const name = match[1]!
    const items = arrays[name]
    if (items === undefined) throw new Error(`no items for ${name}`)
    const at = match.index
    const lineStart = text.lastIndexOf('\n', at) + 1
    const outer = ' '.repeat(/^ */.exec(text.slice(lineStart))![0].length)
    const inner = outer + ' '.repeat(indent)
    await emit(text.slice(last, at))
    let buffer = ''
    let first = true
    for (const item of items) {
      const body = JSON.stringify(item, null, indent).replace(/\n/g, `\n${inner}`)
      buffer += `${first ? '[\n' : ',\n'}${inner}${body}`
      first = false
      if (buffer.length >= CHUNK_CHARS) {
        await emit(buffer)
        buffer = ''
      }
    }
    await emit(first ? '[]' : `${buffer}\n${outer}]`)
    last = at + match[0].length
  }
  await emit(`${text.slice(last)}\n`)
  stream.end()
  await once(stream, 'finish')
  return bytes
}
