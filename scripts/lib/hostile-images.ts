/**
 * Broken and hostile image archives for the reader's tests: names that climb out of the archive, layers
 * that are not tars or end early, headers that claim 8 GiB, symlinks onto the host, digests used as path
 * traversal. Each writer produces exactly one defect on top of an otherwise valid image.
 */
import { mkdir, open, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  blobName,
  buildImage,
  buildLayerTar,
  canonicalJson,
  writeImage,
  writeTarFile,
  type ImageSpec,
} from './image-builder.js'
import { rawTar } from './tar-writer.js'

/** A small valid image the defects are applied to. */
export const BASE_SPEC: ImageSpec = {
  config: { User: 'app' },
  steps: [
    { createdBy: 'ADD rootfs /', entries: [{ path: 'etc/os-release', content: 'ID=fixture\n' }] },
    { createdBy: 'CMD ["/app"]' },
  ],
}

export type HostileArchiveKind =
  | 'manifest-names-outside'
  | 'manifest-names-absolute'
  | 'manifest-names-missing'
  | 'manifest-not-json'
  | 'manifest-wrong-shape'
  | 'config-not-json'
  | 'config-missing-rootfs'
  | 'config-bad-env'
  | 'layer-count-mismatch'
  | 'layer-not-a-tar'
  | 'layer-bad-gzip'
  | 'layer-truncated'
  | 'layer-symlink-escapes'
  | 'layer-symlink-absolute'
  | 'layer-symlink-loop'
  | 'huge-claimed-size'
  | 'truncated-archive'
  | 'not-a-tar'

export const HOSTILE_ARCHIVE_KINDS: readonly HostileArchiveKind[] = [
  'manifest-names-outside',
  'manifest-names-absolute',
  'manifest-names-missing',
  'manifest-not-json',
  'manifest-wrong-shape',
  'config-not-json',
  'config-missing-rootfs',
  'config-bad-env',
  'layer-count-mismatch',
  'layer-not-a-tar',
  'layer-bad-gzip',
  'layer-truncated',
  'layer-symlink-escapes',
  'layer-symlink-absolute',
  'layer-symlink-loop',
  'huge-claimed-size',
  'truncated-archive',
  'not-a-tar',
]

interface ArchiveParts {
  manifest: string
  config: Buffer
  layers: { name: string; content?: Buffer; linkTarget?: string }[]
}

async function validParts(): Promise<ArchiveParts> {
  const image = await buildImage(BASE_SPEC)
  return {
    manifest: JSON.stringify([
      { Config: 'config.json', RepoTags: ['hostile:1'], Layers: ['layer0/layer.tar'] },
    ]),
    config: image.config,
    layers: [{ name: 'layer0/layer.tar', content: image.layers[0]!.blob }],
  }
}

async function writeParts(out: string, parts: ArchiveParts): Promise<void> {
  await writeTarFile(out, [
    ...parts.layers.map((layer) =>
      layer.linkTarget !== undefined
        ? { name: layer.name, type: 'symlink' as const, linkTarget: layer.linkTarget }
        : { name: layer.name, content: layer.content ?? Buffer.alloc(0) },
    ),
    { name: 'config.json', content: parts.config },
    { name: 'manifest.json', content: parts.manifest },
  ])
}

function manifestWithLayers(layers: string[]): string {
  return JSON.stringify([{ Config: 'config.json', RepoTags: ['hostile:1'], Layers: layers }])
}

/** Cuts a file to its first `keepBytes` bytes. */
export async function truncateFile(path: string, keepBytes: number): Promise<void> {
  await truncate(path, keepBytes)
}

/** Writes a docker-archive tarball at `out` with the defect `kind`. */
export async function writeHostileDockerArchive(kind: HostileArchiveKind, out: string): Promise<void> {
  await mkdir(dirname(out), { recursive: true })
  const parts = await validParts()
  const layer = parts.layers[0]!
  switch (kind) {
    case 'manifest-names-outside':
      // A file really sits there, so reading it would "work" if names were not checked.
      await writeFile(join(dirname(out), 'outside.tar'), layer.content!)
      parts.manifest = manifestWithLayers(['../outside.tar'])
      break
    case 'manifest-names-absolute':
      parts.manifest = manifestWithLayers(['/etc/passwd'])
      break
    case 'manifest-names-missing':
      parts.manifest = manifestWithLayers(['nowhere/layer.tar'])
      break
    case 'manifest-not-json':
      parts.manifest = '[{"Config": "config.json",'
      break
    case 'manifest-wrong-shape':
      parts.manifest = JSON.stringify({ Config: 'config.json', Layers: 'layer0/layer.tar' })
      break
    case 'config-not-json':
      parts.config = Buffer.from('{"rootfs": ')
      break
    case 'config-missing-rootfs':
      parts.config = Buffer.from(canonicalJson({ os: 'linux', config: {} }))
      break
    case 'config-bad-env': {
      const config = JSON.parse(parts.config.toString()) as { config: Record<string, unknown> }
      config.config.Env = 'PATH=/bin'
      parts.config = Buffer.from(JSON.stringify(config))
      break
    }
    case 'layer-count-mismatch':
      parts.layers.push({ name: 'layer1/layer.tar', content: layer.content! })
      parts.manifest = manifestWithLayers(['layer0/layer.tar', 'layer1/layer.tar'])
      break
    case 'layer-not-a-tar':
      layer.content = Buffer.from(
        'this is not a tar archive, just text pretending to be a layer\n'.repeat(20),
      )
      break
    case 'layer-bad-gzip':
      layer.content = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(600, 0x41)])
      break
    case 'layer-truncated': {
      const tar = await buildLayerTar([{ path: 'big.bin', content: Buffer.alloc(100_000, 0x61) }])
      layer.content = tar.subarray(0, 50_000)
      break
    }
    case 'layer-symlink-escapes':
      delete layer.content
      layer.linkTarget = '../../../../etc/passwd'
      break
    case 'layer-symlink-absolute':
      delete layer.content
      layer.linkTarget = '/etc/passwd'
      break
    case 'layer-symlink-loop':
      parts.layers = [
        { name: 'layer0/layer.tar', linkTarget: '../layer1/layer.tar' },
        { name: 'layer1/layer.tar', linkTarget: '../layer0/layer.tar' },
      ]
      break
    case 'huge-claimed-size':
      await writeFile(
        out,
        rawTar([
          { name: 'manifest.json', body: parts.manifest },
          { name: 'config.json', body: parts.config },
          { name: 'layer0/layer.tar', body: layer.content!.subarray(0, 1024), claimedSize: 8 * 1024 ** 3 },
        ]),
      )
      return
    case 'truncated-archive': {
      layer.content = Buffer.concat([layer.content!, Buffer.alloc(8192)])
      await writeParts(out, { ...parts, layers: [layer] })
      // Cut in the middle of the layer entry (the first file after its directory header).
      await truncateFile(out, 512 * 3 + 2048)
      return
    }
    case 'not-a-tar':
      await writeFile(out, 'plain text, not an archive\n'.repeat(50))
      return
  }
  await writeParts(out, parts)
}

export type HostileOciKind =
  | 'blob-symlink-to-host'
  | 'config-symlink-to-host'
  | 'blobs-dir-symlink-outside'
  | 'digest-path-traversal'
  | 'config-digest-mismatch'
  | 'missing-layer-blob'
  | 'layer-size-mismatch'
  | 'index-not-json'
  | 'index-no-manifests'

export const HOSTILE_OCI_KINDS: readonly HostileOciKind[] = [
  'blob-symlink-to-host',
  'config-symlink-to-host',
  'blobs-dir-symlink-outside',
  'digest-path-traversal',
  'config-digest-mismatch',
  'missing-layer-blob',
  'layer-size-mismatch',
  'index-not-json',
  'index-no-manifests',
]

/** Writes an OCI layout directory at `dir` with the defect `kind`. `hostFile` is what a symlink points at. */
export async function writeHostileOciDir(
  kind: HostileOciKind,
  dir: string,
  options: { hostFile?: string } = {},
): Promise<void> {
  const image = await writeImage(BASE_SPEC, { format: 'oci-dir', out: dir })
  const hostFile = options.hostFile ?? '/etc/passwd'
  const layerPath = join(dir, blobName(image.layers[0]!.digest))
  const configPath = join(dir, blobName(image.configDigest))
  const indexPath = join(dir, 'index.json')
  switch (kind) {
    case 'blob-symlink-to-host':
      await rm(layerPath)
      await symlink(hostFile, layerPath)
      break
    case 'config-symlink-to-host':
      await rm(configPath)
      await symlink(hostFile, configPath)
      break
    case 'blobs-dir-symlink-outside': {
      // The blobs move next to the layout and `blobs/sha256` becomes a link out of it.
      const outside = `${dir}-outside-blobs`
      await rm(outside, { recursive: true, force: true })
      await rename(join(dir, 'blobs', 'sha256'), outside)
      await symlink(outside, join(dir, 'blobs', 'sha256'))
      break
    }
    case 'digest-path-traversal': {
      const index = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: { digest: string }[] }
      index.manifests[0]!.digest = 'sha256:../../../../etc/passwd'
      await writeFile(indexPath, JSON.stringify(index))
      break
    }
    case 'config-digest-mismatch': {
      const config = JSON.parse(await readFile(configPath, 'utf8')) as { config: Record<string, unknown> }
      config.config.User = 'root'
      await writeFile(configPath, canonicalJson(config))
      break
    }
    case 'missing-layer-blob':
      await rm(layerPath)
      break
    case 'layer-size-mismatch': {
      const handle = await open(layerPath, 'a')
      await handle.write(Buffer.alloc(512))
      await handle.close()
      break
    }
    case 'index-not-json':
      await writeFile(indexPath, '{"manifests": [')
      break
    case 'index-no-manifests':
      await writeFile(indexPath, canonicalJson({ schemaVersion: 2, manifests: [] }))
      break
  }
}
