/**
 * The distribution client against a small loopback registry and token service (the Docker Registry v2
 * token flow of distribution/distribution docs/spec/auth/token.md: 401 + `Bearer realm,service,scope`
 * → GET realm with Basic credentials → `{token|access_token}` → retry with `Authorization: Bearer`).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { join } from 'node:path'
import { RegistryClient } from '../../../src/target/registry/client.js'
import type { RegistryCredentials } from '../../../src/target/registry/credentials.js'
import { parseRegistryReference } from '../../../src/target/registry/image-reference.js'
import { ImageError } from '../../../src/util/errors.js'
import { RecordingLogger } from '../../helpers/recording-logger.js'
import { tempDirs } from '../../helpers/temp-dirs.js'

const tempDir = tempDirs()
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

const MANIFEST = Buffer.from(
  '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}',
)
const BLOB = Buffer.from('layer bytes '.repeat(100))
const WRONG_BLOB = Buffer.from('not the blob')
const UNDECLARED = `sha256:${'1'.repeat(64)}`

interface Seen {
  method: string
  url: string
  authorization?: string
  body: string
}

let server: Server
let base = ''
let realm = ''
const seen: Seen[] = []

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString()
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void body(req).then((text) => {
      const url = new URL(req.url ?? '/', base)
      const entry: Seen = { method: req.method ?? '', url: url.pathname + url.search, body: text }
      if (req.headers.authorization !== undefined) entry.authorization = req.headers.authorization
      seen.push(entry)
      if (url.pathname === '/token') {
        const good = `Basic ${Buffer.from('alice:s3cret-Pass').toString('base64')}`
        const refresh = new URLSearchParams(text).get('refresh_token') === 'refresh-1'
        if (req.headers.authorization !== good && !refresh) {
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}')
          return
        }
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(refresh ? { access_token: 'tok-refresh' } : { access_token: 'tok-1' }))
        return
      }
      if (
        req.headers.authorization !== 'Bearer tok-1' &&
        req.headers.authorization !== 'Bearer tok-refresh'
      ) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${realm}",service="test-registry",scope="repository:acme/app:pull"`,
        })
        res.end()
        return
      }
      if (
        url.pathname === '/v2/acme/app/manifests/v1' ||
        url.pathname === `/v2/acme/app/manifests/${sha(MANIFEST)}`
      ) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST)
      } else if (url.pathname === `/v2/acme/app/manifests/sha256:${'0'.repeat(64)}`) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }).end(MANIFEST)
      } else if (url.pathname === `/v2/acme/app/blobs/${sha(BLOB)}`) {
        res.writeHead(200, { 'content-length': String(BLOB.length) }).end(BLOB)
      } else if (url.pathname === `/v2/acme/app/blobs/${UNDECLARED}`) {
        // No Content-Length (chunked): only counting the bytes as they stream can stop it.
        res.writeHead(200)
        for (let i = 0; i < 10; i++) res.write(BLOB)
        res.end()
      } else if (url.pathname === `/v2/acme/app/blobs/${sha(WRONG_BLOB)}`) {
        res.writeHead(200).end(BLOB.subarray(0, WRONG_BLOB.length))
      } else {
        res.writeHead(404).end()
      }
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no address')
  base = `http://127.0.0.1:${address.port}`
  realm = `${base}/token`
})

afterAll(async () => {
  await new Promise((done) => server.close(done))
})

function client(credentials?: RegistryCredentials): RegistryClient {
  return new RegistryClient({
    reference: parseRegistryReference(`${base.slice('http://'.length)}/acme/app:v1`),
    insecureRegistries: [],
    logger: new RecordingLogger(),
    ...(credentials ? { credentials } : {}),
  })
}

const alice: RegistryCredentials = { username: 'alice', password: 's3cret-Pass', source: 'test inputs' }

describe('the token flow', () => {
  it('gets a token with Basic credentials for the challenged service and scope, then retries', async () => {
    seen.length = 0
    const manifest = await client(alice).manifest('v1')
    expect(manifest.bytes.equals(MANIFEST)).toBe(true)
    expect(manifest.digest).toBe(sha(MANIFEST))
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ['GET', '/v2/acme/app/manifests/v1', undefined],
      [
        'GET',
        '/token?service=test-registry&scope=repository%3Aacme%2Fapp%3Apull',
        'Basic YWxpY2U6czNjcmV0LVBhc3M=',
      ],
      ['GET', '/v2/acme/app/manifests/v1', 'Bearer tok-1'],
    ])
  })

  it('exchanges an identity token by POST grant_type=refresh_token', async () => {
    seen.length = 0
    await client({ identityToken: 'refresh-1', source: 'cfg' }).manifest('v1')
    const token = seen.find((s) => s.url.startsWith('/token'))
    expect(token?.method).toBe('POST')
    expect(Object.fromEntries(new URLSearchParams(token?.body ?? ''))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'container-security-gate',
      scope: 'repository:acme/app:pull',
      service: 'test-registry',
    })
    expect(seen.at(-1)?.authorization).toBe('Bearer tok-refresh')
  })

  it('says which credentials were refused and never prints the password', async () => {
    const error = await client({ ...alice, password: 'WRONG-secret-42' })
      .manifest('v1')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImageError)
    const message = (error as Error).message
    expect(message).toContain(`denied access to ${base.slice(7)}/acme/app (HTTP 401 from the token service`)
    expect(message).toContain('the credentials from test inputs were refused')
    expect(message).toContain('docker/login-action')
    expect(message).not.toContain('WRONG-secret-42')
  })

  it('refuses to send credentials to a plain-http realm that is not loopback', async () => {
    const saved = realm
    realm = 'http://auth.example.com/token'
    try {
      await expect(client(alice).manifest('v1')).rejects.toThrow(
        'sent its token realm on http://auth.example.com: only https (or plain http to a loopback or insecure-registries host) is used',
      )
    } finally {
      realm = saved
    }
  })
})

describe('manifests and blobs', () => {
  it('checks a manifest fetched by digest against it', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`
    await expect(client(alice).manifest(wrong)).rejects.toThrow(`whose digest is ${sha(MANIFEST)}`)
  })

  it('is a 404 ImageError for an unknown tag', async () => {
    await expect(client(alice).manifest('nope')).rejects.toThrow(
      /has no manifest nope in .*acme\/app \(HTTP 404\)/,
    )
  })

  it('streams a blob to disk with its digest checked', async () => {
    const dir = await tempDir('csg-blob-')
    await client(alice).blobToFile(sha(BLOB), BLOB.length, join(dir, 'b'))
    expect((await readFile(join(dir, 'b'))).equals(BLOB)).toBe(true)
  })

  it('refuses a blob larger than its descriptor says, leaving no file', async () => {
    const dir = await tempDir('csg-blob-')
    await expect(client(alice).blobToFile(sha(BLOB), 100, join(dir, 'b'))).rejects.toThrow(
      `blob ${sha(BLOB)} of ${base.slice(7)}/acme/app is 1200 bytes, the manifest says 100`,
    )
    expect(await readdir(dir)).toEqual([])
  })

  it('stops a streamed blob once it passes its declared size, leaving no file', async () => {
    const dir = await tempDir('csg-blob-')
    await expect(client(alice).blobToFile(UNDECLARED, 5000, join(dir, 'b'))).rejects.toThrow(
      `blob ${UNDECLARED} of ${base.slice(7)}/acme/app is larger than the 5000 bytes its manifest says`,
    )
    expect(await readdir(dir)).toEqual([])
  })

  it('refuses a blob whose content does not match its digest, leaving no file', async () => {
    const dir = await tempDir('csg-blob-')
    await expect(
      client(alice).blobToFile(sha(WRONG_BLOB), WRONG_BLOB.length, join(dir, 'b')),
    ).rejects.toThrow(/does not match its content/)
    expect(await readdir(dir)).toEqual([])
  })
})
