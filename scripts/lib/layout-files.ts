/**
 * The shared pieces of image layouts for the fixture generator: media types, digests, canonical JSON,
 * and writing a set of layout files as a directory or a tar.
 */
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { packTar, type TarFile } from './tar-writer.js'

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const
const OCI_LAYOUT = '{"imageLayoutVersion":"1.0.0"}'

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** JSON with object keys sorted at every level, so equal documents have equal digests. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )
}

export function blobName(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`
}

/** The files of an OCI layout (`oci-layout`, `index.json`, `blobs/…`) as relative name → bytes. */
export function ociLayoutFiles(
  blobs: ReadonlyMap<string, Buffer>,
  index: unknown,
): { name: string; content: Buffer }[] {
  const files = [...blobs].map(([digest, content]) => ({ name: blobName(digest), content }))
  files.push({ name: 'index.json', content: Buffer.from(canonicalJson(index)) })
  files.push({ name: 'oci-layout', content: Buffer.from(OCI_LAYOUT) })
  return files.sort((a, b) => (a.name < b.name ? -1 : 1))
}

/** Writes layout files as a directory tree. */
export async function writeDirectory(
  dir: string,
  files: readonly { name: string; content: Buffer }[],
): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.name)), { recursive: true })
    await writeFile(join(dir, file.name), file.content)
  }
}

/** Writes layout files as a tar, with the parent directory entries a real tool writes. */
export async function writeTarFile(out: string, files: readonly TarFile[]): Promise<void> {
  const withDirs: TarFile[] = []
  const seen = new Set<string>()
  for (const file of files) {
    const parts = file.name.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (!seen.has(dir)) withDirs.push({ name: `${dir}/`, type: 'directory' })
      seen.add(dir)
    }
    withDirs.push(file)
  }
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, await packTar(withDirs))
}
