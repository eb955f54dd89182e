/**
 * The two checksum documents that are not plain `sha256sum` lists: omnibus `<package>.metadata.json`
 * (Cinc downloads) and a list of the files INSIDE an archive (docker-bench-security's release
 * `docker-bench-security.sha256`), which is checked against the extracted tree. Reading is pure; the
 * tree check reads files.
 */
import { lstat, readdir } from 'node:fs/promises'
import { join, relative, resolve, sep } from 'node:path'
import { parseChecksums, sha256File, isSha256Hex } from './checksums.js'

export type MetadataDigest = { found: true; sha256: string } | { found: false; detail: string }

/**
 * The `sha256` of an omnibus metadata document. Its `basename`, when present, must be `assetName`: a
 * metadata file of another package proves nothing about this one.
 */
export function metadataDigest(text: string, assetName: string): MetadataDigest {
  let parsed: unknown
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch {
    return { found: false, detail: 'the metadata is not valid JSON' }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { found: false, detail: 'the metadata is not a JSON object' }
  }
  const record = parsed as Record<string, unknown>
  const basename = record['basename']
  if (basename !== undefined && basename !== assetName) {
    return { found: false, detail: `the metadata describes ${JSON.stringify(basename)}, not ${assetName}` }
  }
  const sha256 = record['sha256']
  if (typeof sha256 !== 'string' || !isSha256Hex(sha256)) {
    return { found: false, detail: 'the metadata has no valid "sha256" field' }
  }
  return { found: true, sha256: sha256.toLowerCase() }
}

/** One `<sha256>  <relative path>` entry of a file list. */
export interface ListedFile {
  path: string
  sha256: string
}

/**
 * The entries of a file list. Paths are normalised (`./` dropped, `\` as `/`); an absolute path or one
 * with `..` is refused, as is a path listed twice with different digests.
 */
export function parseFileList(text: string): { files: ListedFile[]; problems: string[] } {
  const parsed = parseChecksums(text)
  const problems = parsed.unrecognizedLines.map((n) => `line ${n} is not a "<sha256>  <path>" line`)
  const byPath = new Map<string, string>()
  for (const entry of parsed.entries) {
    if (entry.name === undefined) {
      problems.push('a digest without a file name')
      continue
    }
    const path = entry.name.replace(/\\/g, '/').replace(/^(\.\/)+/, '')
    if (path === '' || path.startsWith('/') || path.split('/').includes('..')) {
      problems.push(`the path "${entry.name}" leaves the archive`)
      continue
    }
    const seen = byPath.get(path)
    if (seen !== undefined && seen !== entry.sha256) problems.push(`${path} is listed with two digests`)
    byPath.set(path, entry.sha256)
  }
  return { files: [...byPath].map(([path, sha256]) => ({ path, sha256 })), problems }
}

async function regularFilesUnder(root: string): Promise<string[]> {
  const found: string[] = []
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile() || entry.isSymbolicLink()) found.push(relative(root, full).split(sep).join('/'))
    }
  }
  await walk(root)
  return found
}

export interface FileListOptions {
  /** The extracted directory the listed paths are relative to. */
  root: string
  files: readonly ListedFile[]
  /** Relative paths that must be listed (what the tool executes or sources). */
  mustBeListed: RegExp
}

/**
 * Checks an extracted tree against a file list. Returns the problems found (empty when the tree is
 * good): a listed file that differs or is not a regular file, a listed file that must be there but is
 * missing, and an unlisted file the tool would run.
 */
export async function verifyFileList(options: FileListOptions): Promise<string[]> {
  const problems: string[] = []
  const root = resolve(options.root)
  const listed = new Set<string>()
  for (const file of options.files) {
    listed.add(file.path)
    const full = resolve(root, file.path)
    if (!full.startsWith(root + sep)) {
      problems.push(`${file.path} leaves the archive`)
      continue
    }
    let info
    try {
      info = await lstat(full)
    } catch {
      // GitHub's source archives honour export-ignore, so a listed file may be absent; it is fatal only
      // for files the tool runs.
      if (options.mustBeListed.test(file.path)) problems.push(`${file.path} is listed but missing`)
      continue
    }
    if (!info.isFile()) {
      problems.push(`${file.path} is not a regular file`)
      continue
    }
    const actual = await sha256File(full)
    if (actual !== file.sha256) problems.push(`${file.path}: expected ${file.sha256}, got ${actual}`)
  }
  for (const path of await regularFilesUnder(root)) {
    if (options.mustBeListed.test(path) && !listed.has(path)) problems.push(`${path} is not listed`)
  }
  return problems
}
