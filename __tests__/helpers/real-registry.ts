/**
 * The real CNCF distribution registry (Debian's `docker-registry`) on a free loopback port, with htpasswd
 * auth (registry/auth/htpasswd: bcrypt entries, `Basic realm=…` challenges) or token auth (`Bearer
 * realm=…` challenges, tokens from a small loopback token service here) and filesystem storage under a
 * temporary directory; images are pushed with `skopeo copy`. `stop()` kills it and removes its files.
 * Config keys as in distribution/distribution v2.8 docs/configuration.md (the registry Debian packages) (storage.filesystem.rootdirectory, http.addr,
 * auth.htpasswd.realm/path, auth.token.realm/service/issuer/rootcertbundle).
 *
 * The token service follows distribution/distribution v2.8 registry/auth/token/token.go and docs/spec/auth/token.md: a JWT whose header carries
 * `x5c` (the signing certificate, verified against `rootcertbundle`), RS256-signed, with claims iss, sub,
 * aud (the service), exp, nbf, iat, jti and `access: [{type, name, actions}]` for the requested scope.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

export const REGISTRY_TOOLS = ['docker-registry', 'skopeo', 'htpasswd'] as const

/** The tools of REGISTRY_TOOLS that are not on PATH. */
export async function missingRegistryTools(): Promise<string[]> {
  const missing: string[] = []
  for (const tool of REGISTRY_TOOLS) {
    try {
      await exec('sh', ['-c', `command -v ${tool}`])
    } catch {
      missing.push(tool)
    }
  }
  return missing
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  await new Promise<void>((done) => server.close(() => done()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

export interface RealRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  user: string
  password: string
  /** `skopeo copy [--all] oci:DIR:TAG docker://HOST/REPO:TAG` with the registry's credentials. */
  push(ociDir: string, ociTag: string, repoTag: string, options?: { all?: boolean }): Promise<void>
  /** The digest of `REPO:TAG` as the registry serves it. */
  digest(repoTag: string): Promise<string>
  stop(): Promise<void>
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

/** A loopback token service granting what the scope asks to `user:password` (Basic), refusing others. */
async function startTokenService(
  dir: string,
  options: { user: string; password: string; service: string; issuer: string },
): Promise<{ realm: string; certPath: string; server: Server }> {
  const keyPath = join(dir, 'token.key')
  const certPath = join(dir, 'token.crt')
  await exec('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '1',
    '-subj',
    '/CN=csg-token-issuer',
  ])
  const key = createPrivateKey(await readFile(keyPath))
  const certDer = new X509Certificate(await readFile(certPath)).raw.toString('base64')
  const good = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname !== '/token' || req.headers.authorization !== good) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}')
      return
    }
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const match = /^(repository):(.+):([a-z,*]+)$/.exec(scope)
      return match ? [{ type: match[1], name: match[2], actions: match[3]!.split(',') }] : []
    })
    const now = Math.floor(Date.now() / 1000)
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }))
    const claims = base64url(
      JSON.stringify({
        iss: options.issuer,
        sub: options.user,
        aud: options.service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      }),
    )
    const signature = base64url(sign('sha256', Buffer.from(`${header}.${claims}`), key))
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }))
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no token service address')
  return { realm: `http://127.0.0.1:${address.port}/token`, certPath, server }
}

export async function startRealRegistry(
  options: { user?: string; password?: string; auth?: 'htpasswd' | 'token' } = {},
): Promise<RealRegistry> {
  const user = options.user ?? 'csg-user'
  const password = options.password ?? 'csg-Secret-pa55'
  const dir = await mkdtemp(join(tmpdir(), 'csg-registry-'))
  let child: ChildProcess | undefined
  let tokenServer: Server | undefined
  try {
    const port = await freePort()
    const host = `127.0.0.1:${port}`
    let authConfig: string[]
    if (options.auth === 'token') {
      const service = 'csg-test-registry'
      const issuer = 'csg-token-issuer'
      const tokens = await startTokenService(dir, { user, password, service, issuer })
      tokenServer = tokens.server
      authConfig = [
        '  token:',
        `    realm: ${tokens.realm}`,
        `    service: ${service}`,
        `    issuer: ${issuer}`,
        `    rootcertbundle: ${tokens.certPath}`,
      ]
    } else {
      const { stdout: entry } = await exec('htpasswd', ['-Bbn', user, password])
      await writeFile(join(dir, 'htpasswd'), entry)
      authConfig = ['  htpasswd:', '    realm: csg-test', `    path: ${join(dir, 'htpasswd')}`]
    }
    await writeFile(
      join(dir, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: error',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        'http:',
        `  addr: ${host}`,
        'auth:',
        ...authConfig,
        '',
      ].join('\n'),
    )
    const started = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child = started
    let stderr = ''
    started.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)))
    const deadline = Date.now() + 20_000
    for (;;) {
      try {
        const response = await fetch(`http://${host}/v2/`)
        await response.arrayBuffer()
        if (response.status === 401) break
      } catch {
        // not listening yet
      }
      if (started.exitCode !== null || Date.now() > deadline) {
        throw new Error(`docker-registry did not start on ${host}: ${stderr}`)
      }
      await new Promise((done) => setTimeout(done, 100))
    }
    const creds = `${user}:${password}`
    return {
      host,
      user,
      password,
      async push(ociDir, ociTag, repoTag, pushOptions = {}) {
        await exec(
          'skopeo',
          [
            'copy',
            ...(pushOptions.all === true ? ['--all'] : []),
            '--dest-tls-verify=false',
            '--dest-creds',
            creds,
            `oci:${ociDir}:${ociTag}`,
            `docker://${host}/${repoTag}`,
          ],
          { timeout: 60_000 },
        )
      },
      async digest(repoTag) {
        const { stdout } = await exec(
          'skopeo',
          ['inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${host}/${repoTag}`],
          { timeout: 60_000, encoding: 'buffer' },
        )
        const { createHash } = await import('node:crypto')
        return `sha256:${createHash('sha256').update(stdout).digest('hex')}`
      },
      async stop() {
        started.kill('SIGKILL')
        if (started.exitCode === null) await new Promise((done) => started.once('exit', done))
        if (tokenServer !== undefined) await new Promise((done) => tokenServer?.close(done))
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    child?.kill('SIGKILL')
    tokenServer?.close()
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
