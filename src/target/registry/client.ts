/**
 * A small client for the OCI distribution API (opencontainers/distribution-spec spec.md, "Pulling
 * manifests" / "Pulling blobs"): GET /v2/<name>/manifests/<reference> with an Accept header naming the
 * manifest types we read, GET /v2/<name>/blobs/<digest> streamed to a file, sha256-verified and
 * size-bounded. Authentication on a 401 (distribution/distribution docs/spec/auth/token.md): a Bearer
 * challenge sends us to `realm?service=…&scope=…` (with Basic credentials when we have some) for a JSON
 * `{token|access_token}`, an identity token is exchanged there by POST `grant_type=refresh_token`
 * (docs/spec/auth/oauth.md); a Basic challenge takes the credentials directly. No credential is ever put in
 * a message.
 */
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ImageError, errorMessage } from '../../util/errors.js'
import type { Logger } from '../../util/logger.js'
import type { RegistryCredentials } from './credentials.js'
import { registryScheme, type RegistryReference } from './image-reference.js'
import { parseWwwAuthenticate, type AuthChallenge } from './www-authenticate.js'

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const
const ACCEPT = Object.values(MEDIA_TYPES).join(', ')

/** The distribution spec asks registries to accept manifests of at least 4 MiB; a larger one is hostile. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const REQUEST_TIMEOUT_MS = 60_000
const BLOB_TIMEOUT_MS = 60 * 60_000

export interface FetchedManifest {
  bytes: Buffer
  /** The Content-Type, else the document's own mediaType. */
  mediaType: string
  /** `sha256:` of the bytes, as received. */
  digest: string
}

export interface RegistryClientOptions {
  reference: RegistryReference
  credentials?: RegistryCredentials
  insecureRegistries: readonly string[]
  logger: Logger
  /** For tests. */
  fetch?: typeof fetch
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

async function boundedBody(response: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel()
    throw new ImageError(`${what} is ${declared} bytes, over the ${max}-byte limit`)
  }
  const chunks: Buffer[] = []
  let size = 0
  if (response.body === null) return Buffer.alloc(0)
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > max) {
      await response.body.cancel().catch(() => undefined)
      throw new ImageError(`${what} is over the ${max}-byte limit`)
    }
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

export class RegistryClient {
  private readonly base: string
  private readonly fetch: typeof fetch
  private authorization: string | undefined
  private readonly name: string

  constructor(private readonly options: RegistryClientOptions) {
    const { reference } = options
    this.base = `${registryScheme(reference.registry, options.insecureRegistries)}://${reference.apiHost}/v2/${reference.repository}`
    this.fetch = options.fetch ?? fetch
    this.name = `${reference.registry}/${reference.repository}`
  }

  /** GET with the authorization we hold; on a 401, authenticate once as the challenge says and retry. */
  private async get(url: string, accept: string | undefined, timeoutMs: number): Promise<Response> {
    let response = await this.send(url, accept, timeoutMs)
    if (response.status === 401) {
      const challenges = parseWwwAuthenticate(response.headers.get('www-authenticate') ?? '')
      await response.body?.cancel()
      await this.authenticate(challenges)
      response = await this.send(url, accept, timeoutMs)
    }
    return response
  }

  private async send(url: string, accept: string | undefined, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = {}
    if (accept !== undefined) headers['accept'] = accept
    if (this.authorization !== undefined) headers['authorization'] = this.authorization
    try {
      // Redirects (blobs on a CDN) are followed; fetch drops Authorization on a cross-origin redirect.
      return await this.fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      throw new ImageError(
        `cannot reach the registry ${this.options.reference.registry} (${url}): ${errorMessage(error)}`,
        { cause: error },
      )
    }
  }

  private deniedMessage(status: number, detail: string): string {
    const creds = this.options.credentials
    const what = creds
      ? `the credentials from ${creds.source} were refused`
      : 'no credentials were found (registry-username/registry-password inputs, or a docker login in $DOCKER_CONFIG/config.json)'
    return (
      `registry ${this.options.reference.registry} denied access to ${this.name} (HTTP ${status}${detail}): ${what}. ` +
      'Log in first (docker/login-action or docker login), or set registry-username and registry-password'
    )
  }

  private async authenticate(challenges: AuthChallenge[]): Promise<void> {
    const creds = this.options.credentials
    const bearer = challenges.find((c) => c.scheme === 'bearer')
    if (bearer !== undefined) {
      this.authorization = `Bearer ${await this.fetchToken(bearer)}`
      return
    }
    if (challenges.some((c) => c.scheme === 'basic') && creds?.username !== undefined) {
      const basic = Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')
      this.authorization = `Basic ${basic}`
      return
    }
    throw new ImageError(this.deniedMessage(401, ''))
  }

  private async fetchToken(challenge: AuthChallenge): Promise<string> {
    const realm = challenge.params['realm']
    let url: URL
    try {
      url = new URL(realm ?? '')
    } catch {
      throw new ImageError(
        `registry ${this.options.reference.registry} sent a Bearer challenge without a valid realm`,
      )
    }
    const allowedHttp = registryScheme(url.host, this.options.insecureRegistries) === 'http'
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowedHttp)) {
      throw new ImageError(
        `registry ${this.options.reference.registry} sent its token realm on ${url.protocol}//${url.host}: only https (or plain http to a loopback or insecure-registries host) is used`,
      )
    }
    const service = challenge.params['service']
    const scope = challenge.params['scope'] ?? `repository:${this.options.reference.repository}:pull`
    const creds = this.options.credentials
    let response: Response
    try {
      if (creds?.identityToken !== undefined) {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: creds.identityToken,
          client_id: 'container-security-gate',
          scope,
        })
        if (service !== undefined) form.set('service', service)
        response = await this.fetch(url, {
          method: 'POST',
          body: form,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        })
      } else {
        if (service !== undefined) url.searchParams.set('service', service)
        url.searchParams.set('scope', scope)
        const headers: Record<string, string> = {}
        if (creds?.username !== undefined) {
          headers['authorization'] =
            `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`
        }
        response = await this.fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
      }
    } catch (error) {
      throw new ImageError(
        `cannot reach the token service ${url.origin}${url.pathname}: ${errorMessage(error)}`,
        { cause: error },
      )
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw new ImageError(this.deniedMessage(response.status, ` from the token service ${url.host}`))
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new ImageError(`the token service ${url.origin}${url.pathname} answered HTTP ${response.status}`)
    }
    const body = await boundedBody(response, 1024 * 1024, 'the token response')
    let parsed: { token?: unknown; access_token?: unknown }
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed
    } catch {
      throw new ImageError(`the token service ${url.host} did not answer JSON`)
    }
    // token.md "Token Response Fields": `token`, with `access_token` as its OAuth 2.0 alias.
    const token = typeof parsed.token === 'string' && parsed.token !== '' ? parsed.token : parsed.access_token
    if (typeof token !== 'string' || token === '')
      throw new ImageError(`the token service ${url.host} answered no token`)
    return token
  }

  private async failure(response: Response, what: string): Promise<ImageError> {
    await response.body?.cancel().catch(() => undefined)
    if (response.status === 401 || response.status === 403)
      return new ImageError(this.deniedMessage(response.status, ''))
    if (response.status === 404) {
      return new ImageError(
        `registry ${this.options.reference.registry} has no ${what} in ${this.name} (HTTP 404): check the name, tag or digest, and that the credentials may read it`,
      )
    }
    return new ImageError(
      `registry ${this.options.reference.registry} answered HTTP ${response.status} for ${what} of ${this.name}`,
    )
  }

  /** The manifest or index `ref` (a tag or digest) names; its digest is checked when `ref` is one. */
  async manifest(ref: string): Promise<FetchedManifest> {
    const response = await this.get(`${this.base}/manifests/${ref}`, ACCEPT, REQUEST_TIMEOUT_MS)
    if (!response.ok) throw await this.failure(response, `manifest ${ref}`)
    const bytes = await boundedBody(response, MAX_MANIFEST_BYTES, `the manifest ${ref} of ${this.name}`)
    const digest = sha256(bytes)
    if (ref.startsWith('sha256:') && digest !== ref) {
      throw new ImageError(
        `registry ${this.options.reference.registry} sent a manifest for ${this.name}@${ref} whose digest is ${digest}`,
      )
    }
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? ''
    let mediaType = contentType
    if (!Object.values(MEDIA_TYPES).includes(mediaType as never)) {
      try {
        const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown }
        mediaType =
          typeof doc.mediaType === 'string'
            ? doc.mediaType
            : Array.isArray(doc.manifests)
              ? MEDIA_TYPES.ociIndex
              : MEDIA_TYPES.ociManifest
      } catch {
        throw new ImageError(`the manifest ${ref} of ${this.name} is not JSON`)
      }
    }
    return { bytes, mediaType, digest }
  }

  /**
   * Streams blob `digest` to `path` (created, never overwritten), refusing more than `size` bytes and
   * checking the sha256; a failed download leaves no file.
   */
  async blobToFile(digest: string, size: number, path: string): Promise<void> {
    const response = await this.get(`${this.base}/blobs/${digest}`, undefined, BLOB_TIMEOUT_MS)
    if (!response.ok) throw await this.failure(response, `blob ${digest}`)
    const declared = Number(response.headers.get('content-length') ?? NaN)
    if (Number.isFinite(declared) && declared > size) {
      await response.body?.cancel()
      throw new ImageError(`blob ${digest} of ${this.name} is ${declared} bytes, the manifest says ${size}`)
    }
    if (response.body === null) throw new ImageError(`blob ${digest} of ${this.name} came without a body`)
    const hash = createHash('sha256')
    const name = this.name
    let received = 0
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done): void {
        received += chunk.length
        if (received > size) {
          done(new ImageError(`blob ${digest} of ${name} is larger than the ${size} bytes its manifest says`))
          return
        }
        hash.update(chunk)
        done(null, chunk)
      },
    })
    try {
      await pipeline(
        Readable.fromWeb(response.body as never),
        meter,
        createWriteStream(path, { flags: 'wx' }),
      )
      const actual = `sha256:${hash.digest('hex')}`
      if (received !== size)
        throw new ImageError(`blob ${digest} of ${this.name} is ${received} bytes, its manifest says ${size}`)
      if (actual !== digest)
        throw new ImageError(`blob ${digest} of ${this.name} does not match its content (${actual})`)
    } catch (error) {
      await rm(path, { force: true })
      if (error instanceof ImageError) throw error
      throw new ImageError(`downloading blob ${digest} of ${this.name} failed: ${errorMessage(error)}`, {
        cause: error,
      })
    }
  }
}
