/**
 * The real CNCF distribution registry (Debian's `docker-registry`) on a free loopback port, with htpasswd
 * auth (registry/auth/htpasswd: bcrypt entries, `Basic realm=…` challenges) and filesystem storage under a
 * temporary directory; images are pushed with `skopeo copy`. `stop()` kills it and removes its files.
 * Config keys as in distribution v2.8 docs/configuration.md (storage.filesystem.rootdirectory, http.addr,
 * auth.htpasswd.realm/path).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
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

export async function startRealRegistry(
  options: { user?: string; password?: string } = {},
): Promise<RealRegistry> {
  const user = options.user ?? 'csg-user'
  const password = options.password ?? 'csg-Secret-pa55'
  const dir = await mkdtemp(join(tmpdir(), 'csg-registry-'))
  let child: ChildProcess | undefined
  try {
    const { stdout: entry } = await exec('htpasswd', ['-Bbn', user, password])
    await writeFile(join(dir, 'htpasswd'), entry)
    const port = await freePort()
    const host = `127.0.0.1:${port}`
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
        '  htpasswd:',
        '    realm: csg-test',
        `    path: ${join(dir, 'htpasswd')}`,
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
        await rm(dir, { recursive: true, force: true })
      },
    }
  } catch (error) {
    child?.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
