/**
 * A loopback stand-in for GitHub releases, for install tests. It serves
 *   GET /<owner>/<repo>/releases/download/<tag>/<name>   (release assets; pass `server.url` as `mirror`)
 *   GET /repos/<owner>/<repo>/releases/latest             (JSON `{ tag_name }`; pass `server.url` as `apiBaseUrl`)
 * records every request, and injects faults per path: a status sequence (500, 500, then the file), a
 * delay before answering, a stall after N bytes, a connection reset after N bytes, a body cut short of
 * its Content-Length. Also builds the archives those releases hold.
 *
 *   const server = await startReleaseServer()
 *   server.addAsset('aquasecurity/trivy', 'v1.2.3', 'trivy_1.2.3_Linux-64bit.tar.gz', await makeTarGz([...]))
 *   server.fault(server.assetPath(...), { status: 500 }, { status: 500 })
 *   ...
 *   await server.close()
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { deflateRawSync, gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
}

/** One way to answer one request. Fields combine (e.g. a delay, then a reset after 10 bytes). */
export interface Fault {
  /** Answer with this status (and `body`, default a short text) instead of the file. */
  status?: number
  headers?: Record<string, string>
  body?: string
  /** Wait this long before sending anything. */
  delayMs?: number
  /** Send the headers and this many body bytes, then nothing more (the socket stays open). */
  stallAfterBytes?: number
  /** Send the headers and this many body bytes, then destroy the socket (ECONNRESET). */
  resetAfterBytes?: number
  /** Announce the full Content-Length, send this many bytes, then end the connection cleanly. */
  truncateAfterBytes?: number
}

export interface ReleaseServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly requests: readonly RecordedRequest[]
  /** The path a release asset is served at. */
  assetPath(repository: string, tag: string, name: string): string
  /** Serves `body` as a release asset; returns its path. */
  addAsset(repository: string, tag: string, name: string, body: Buffer | string): string
  /** Serves `/repos/<repository>/releases/latest` naming `tag`. */
  setLatest(repository: string, tag: string): void
  /** Serves any path with a fixed body (status 200). */
  setFile(path: string, body: Buffer | string, headers?: Record<string, string>): void
  /** Queues faults for `path`: each request takes the next one; once used up, the path answers normally. */
  fault(path: string, ...faults: Fault[]): void
  /** Applies `fault` to every request for `path` until cleared. */
  alwaysFault(path: string, fault: Fault | undefined): void
  /** Requests whose path contains `fragment`. */
  requestsTo(fragment: string): RecordedRequest[]
  clearRequests(): void
  close(): Promise<void>
}

interface Route {
  body: Buffer
  headers: Record<string, string>
}

export function assetPath(repository: string, tag: string, name: string): string {
  return `/${repository}/releases/download/${encodeURIComponent(tag)}/${encodeURIComponent(name)}`
}

export async function startReleaseServer(): Promise<ReleaseServer> {
  const routes = new Map<string, Route>()
  const queued = new Map<string, Fault[]>()
  const persistent = new Map<string, Fault>()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()

  const sendFile = (res: ServerResponse, route: Route, fault: Fault | undefined): void => {
    const { body } = route
    const headers = {
      'content-type': 'application/octet-stream',
      ...route.headers,
      ...(fault?.headers ?? {}),
    }
    const partial = fault?.stallAfterBytes ?? fault?.resetAfterBytes ?? fault?.truncateAfterBytes
    if (partial === undefined) {
      res.writeHead(200, { ...headers, 'content-length': String(body.length) })
      res.end(body)
      return
    }
    res.writeHead(200, { ...headers, 'content-length': String(body.length) })
    res.write(body.subarray(0, Math.min(partial, body.length)))
    if (fault?.resetAfterBytes !== undefined) {
      setTimeout(() => res.socket?.destroy(), 20)
    } else if (fault?.truncateAfterBytes !== undefined) {
      setTimeout(() => res.socket?.end(), 20)
    }
    // stallAfterBytes: send nothing more; close() destroys the socket.
  }

  // Delayed answers still pending; close() cancels them, so a long delay never outlives the test.
  const delayed = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers })
    const fault = queued.get(path)?.shift() ?? persistent.get(path)
    const answer = (): void => {
      if (fault?.status !== undefined) {
        const text = fault.body ?? `status ${fault.status}`
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...(fault.headers ?? {}) })
        res.end(text)
        return
      }
      const route = routes.get(path)
      if (route === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end('Not Found')
        return
      }
      sendFile(res, route, fault)
    }
    if (fault?.delayMs !== undefined) {
      const timer = setTimeout(() => {
        delayed.delete(timer)
        answer()
      }, fault.delayMs)
      delayed.add(timer)
    } else answer()
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    requests,
    assetPath,
    addAsset(repository, tag, name, body) {
      const path = assetPath(repository, tag, name)
      routes.set(path, { body: Buffer.from(body), headers: {} })
      return path
    },
    setLatest(repository, tag) {
      routes.set(`/repos/${repository}/releases/latest`, {
        body: Buffer.from(JSON.stringify({ tag_name: tag, name: tag, draft: false, prerelease: false })),
        headers: { 'content-type': 'application/json' },
      })
    },
    setFile(path, body, headers = {}) {
      routes.set(path, { body: Buffer.from(body), headers })
    },
    fault(path, ...faults) {
      queued.set(path, [...(queued.get(path) ?? []), ...faults])
    },
    alwaysFault(path, fault) {
      if (fault === undefined) persistent.delete(path)
      else persistent.set(path, fault)
    },
    requestsTo(fragment) {
      return requests.filter((r) => r.path.includes(fragment))
    },
    clearRequests() {
      requests.length = 0
    },
    close() {
      for (const timer of delayed) clearTimeout(timer)
      delayed.clear()
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
    },
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** A sha256sum-style checksum file (`<sha>  <name>` lines) for the given files. */
export function checksumsFile(files: Record<string, Buffer | string>): string {
  return Object.entries(files)
    .map(([name, data]) => `${sha256Hex(data)}  ${name}\n`)
    .join('')
}

/**
 * The checksum documents hadolint's release workflow publishes beside `assets` (name → body), by version:
 * up to v2.14 one `<asset>.sha256` each (release.yml at v2.14.0: `sha256sum -b hadolint-linux-x86_64 >
 * hadolint-linux-x86_64.sha256`, …); from v2.15.0 one `checksums.sha256` for all of them (release.yml at
 * v2.15.0 and v2.15.1: `sha256sum -b hadolint* > checksums.sha256`). `sha256sum -b` writes `<hex> *<name>`.
 */
export function hadolintChecksumDocuments(
  version: string,
  assets: Record<string, Buffer | string>,
): Record<string, string> {
  const [major = 0, minor = 0] = version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10))
  const line = (name: string, body: Buffer | string): string => `${sha256Hex(body)} *${name}\n`
  if (major > 2 || (major === 2 && minor >= 15)) {
    const names = Object.keys(assets).sort() // the shell expands hadolint* in sorted order
    return { 'checksums.sha256': names.map((name) => line(name, assets[name]!)).join('') }
  }
  return Object.fromEntries(
    Object.entries(assets).map(([name, body]) => [`${name}.sha256`, line(name, body)]),
  )
}

export interface ArchiveFile {
  /** Path inside the archive (`trivy`, `bin/cinc-auditor`). */
  name: string
  content: Buffer | string
  /** Unix mode; default 0o755 (these are small executables). */
  mode?: number
}

/** A small POSIX shell script that prints `output`: the stand-in scanner inside test archives. */
export function fakeExecutable(output = 'fake scanner 1.0.0'): string {
  return `#!/bin/sh\necho '${output.replace(/'/g, `'\\''`)}'\n`
}

/** A gzip-compressed tar holding `files` (directories are implied by the paths). */
export async function makeTarGz(files: ArchiveFile[]): Promise<Buffer> {
  const tar = pack()
  const chunks: Buffer[] = []
  tar.on('data', (chunk: unknown) => {
    if (Buffer.isBuffer(chunk)) chunks.push(chunk)
  })
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve)
    tar.on('error', reject)
  })
  for (const file of files) {
    const content = Buffer.from(file.content)
    await new Promise<void>((resolve, reject) => {
      tar.entry(
        { name: file.name, mode: file.mode ?? 0o755, size: content.length, mtime: new Date(0) },
        content,
        (error) => (error ? reject(error) : resolve()),
      )
    })
  }
  tar.finalize()
  await ended
  return gzipSync(Buffer.concat(chunks))
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/**
 * A minimal zip (no zip64, no data descriptors) holding `files`, stored or deflated, with Unix modes
 * in the external attributes so `unzip` restores the executable bit.
 */
export function makeZip(files: ArchiveFile[], method: 'store' | 'deflate' = 'deflate'): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8')
    const raw = Buffer.from(file.content)
    const data = method === 'deflate' ? deflateRawSync(raw) : raw
    const methodCode = method === 'deflate' ? 8 : 0
    const crc = crc32(raw)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(methodCode, 8)
    local.writeUInt16LE(0, 10) // time
    local.writeUInt16LE(0x21, 12) // date: 1980-01-01
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(raw.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    locals.push(local, name, data)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by Unix, spec 2.0
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(methodCode, 10)
    central.writeUInt16LE(0, 12)
    central.writeUInt16LE(0x21, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(raw.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(0, 30) // extra
    central.writeUInt16LE(0, 32) // comment
    central.writeUInt16LE(0, 34) // disk
    central.writeUInt16LE(0, 36) // internal attributes
    central.writeUInt32LE(((0o100000 | (file.mode ?? 0o755)) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += local.length + name.length + data.length
  }
  const centralSize = centrals.reduce((sum, b) => sum + b.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(0, 4)
  end.writeUInt16LE(0, 6)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(centralSize, 12)
  end.writeUInt32LE(offset, 16)
  end.writeUInt16LE(0, 20)
  return Buffer.concat([...locals, ...centrals, end])
}
