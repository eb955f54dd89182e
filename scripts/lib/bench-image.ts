/**
 * The builtin scanner's cost on a large Debian-like image, next to hashing the same archive: the issue's
 * "the builtin scan of a 300 MB Debian image stays about as fast as hashing it". The image is generated
 * (no network): a docker-archive with plain layers, as `docker save` writes them, holding a Debian-shaped
 * tree (many small files under /usr and /var/lib/dpkg, some shared libraries, a few large files) plus an
 * application layer with 64 KiB `.env` files, key files and SSH host keys, so the content checks read
 * what a real image gives them.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { builtinScanner } from '../../src/scanners/builtin.js'
import { openImage } from '../../src/target/image-reader.js'
import { silentLogger } from '../../src/util/logger.js'
import { writeImage, type FileSpec } from './image-builder.js'

/** Deterministic bytes (a linear congruential generator): text-like, so nothing compresses to nothing. */
function fillerBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size)
  let state = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = 32 + (state >>> 25) // printable ASCII
  }
  return out
}

/** A 64 KiB `.env` with settings, a few secret-named values, a URL with a password and comments. */
function dotenvFile(seed: number): Buffer {
  const lines: string[] = []
  for (let i = 0; lines.join('\n').length < 64 * 1024; i++) {
    if (i % 50 === 0) lines.push(`# section ${i}`)
    else if (i % 97 === 0) lines.push(`DB_PASSWORD_${seed}=Pw-${(seed * 7919 + i).toString(36)}x9`)
    else if (i % 89 === 0) lines.push(`DATABASE_URL=postgres://app:S3cr${i}t@db/app`)
    else lines.push(`SETTING_${i}=value-${seed}-${i} # default`)
  }
  return Buffer.from(lines.join('\n').slice(0, 64 * 1024))
}

/** Files of a Debian-like layer summing to about `bytes`, sizes skewed small as in /usr. */
function debianFiles(bytes: number, layer: number): FileSpec[] {
  const files: FileSpec[] = []
  let total = 0
  for (let i = 0; total < bytes; i++) {
    const roll = (i * 2654435761) % 1000
    const size =
      roll < 700
        ? 512 + (roll % 7) * 1024
        : roll < 950
          ? 32 * 1024 + roll * 64
          : roll < 998
            ? 512 * 1024
            : 4 * 1024 ** 2
    const dir =
      roll < 400
        ? `usr/share/doc/pkg${i % 900}`
        : roll < 600
          ? 'var/lib/dpkg/info'
          : roll < 900
            ? `usr/lib/x86_64-linux-gnu/lib${i % 300}`
            : 'usr/bin'
    files.push({
      path: `${dir}/f${layer}-${i}`,
      content: fillerBytes(size, i + layer * 1_000_003),
      mode: 0o644,
    })
    total += size
  }
  return files
}

function appFiles(dotenvCount: number): FileSpec[] {
  const files: FileSpec[] = []
  for (let i = 0; i < dotenvCount; i++) files.push({ path: `srv/app${i}/.env`, content: dotenvFile(i) })
  const pem = `-----BEGIN CERTIFICATE-----\n${fillerBytes(800, 7).toString('base64')}\n-----END CERTIFICATE-----\n`
  for (let i = 0; i < 50; i++) files.push({ path: `srv/app${i}/certs/tls${i}.pem`, content: pem })
  files.push({
    path: 'etc/ssh/ssh_host_ed25519_key',
    content: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n',
    mode: 0o600,
  })
  return files
}

/** Writes the image (about `megabytes` MB) to `out` and returns its size in bytes. */
export async function writeBenchImage(out: string, megabytes: number, dotenvCount: number): Promise<number> {
  const perLayer = (megabytes * 1e6) / 2
  await writeImage(
    {
      config: { User: 'app', Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      steps: [
        { createdBy: '# debian.sh --arch amd64 bookworm', entries: debianFiles(perLayer * 0.7, 0) },
        {
          createdBy: 'RUN /bin/sh -c apt-get install -y nginx python3',
          entries: debianFiles(perLayer * 1.3, 1),
        },
        { createdBy: 'COPY . /srv', entries: appFiles(dotenvCount) },
      ],
    },
    { format: 'docker-archive', out, repoTag: 'bench/debian-like:1' },
  )
  return (await stat(out)).size
}

export interface ImageCaseResult {
  workMs: number
  findings: number
  bytes: number
}

/** The builtin scanner on the image, as the pipeline runs it (open, one pass over the layers, checks). */
export async function runBuiltinOnImage(path: string, tempDir: string): Promise<ImageCaseResult> {
  const started = performance.now()
  const image = await openImage(
    { kind: 'docker-archive', path, input: path },
    { tempDir, logger: silentLogger },
  )
  try {
    const findings = await builtinScanner.scan({
      image,
      target: 'bench/debian-like:1',
      logger: silentLogger,
      timeoutMs: 3_600_000,
    } as Parameters<typeof builtinScanner.scan>[0])
    return { workMs: performance.now() - started, findings: findings.length, bytes: (await stat(path)).size }
  } finally {
    await image.close()
  }
}

/** sha256 of the archive, streamed: the floor for anything that reads every byte. */
export async function hashImage(path: string): Promise<ImageCaseResult> {
  const started = performance.now()
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  hash.digest('hex')
  return { workMs: performance.now() - started, findings: 0, bytes: (await stat(path)).size }
}
