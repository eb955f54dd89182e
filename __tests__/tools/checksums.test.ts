import { describe, it, expect } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lookupChecksum, parseChecksums, sha256File } from '../../src/tools/checksums.js'

const A = 'a'.repeat(64)
const B = 'b'.repeat(64)
const MIXED = '0123456789ABCDEFabcdef0123456789ABCDEFabcdef0123456789abcdef0123'

describe('parseChecksums', () => {
  it.each<[string, string, { sha256: string; name?: string }[]]>([
    ['two spaces (sha256sum text mode)', `${A}  trivy.tar.gz\n`, [{ sha256: A, name: 'trivy.tar.gz' }]],
    ['binary mode marker', `${A} *hadolint-linux-x86_64\n`, [{ sha256: A, name: 'hadolint-linux-x86_64' }]],
    ['one space', `${A} snyk-linux`, [{ sha256: A, name: 'snyk-linux' }]],
    ['a tab', `${A}\tcosign-linux-amd64`, [{ sha256: A, name: 'cosign-linux-amd64' }]],
    ['BSD style', `SHA256 (dockle.tar.gz) = ${A}`, [{ sha256: A, name: 'dockle.tar.gz' }]],
    ['BSD style without spaces', `SHA256(x.zip)=${A}`, [{ sha256: A, name: 'x.zip' }]],
    ['a lone digest', `${A}\n`, [{ sha256: A }]],
    ['upper-case hex is lowered', `${MIXED}  f`, [{ sha256: MIXED.toLowerCase(), name: 'f' }]],
    [
      'CRLF line ends',
      `${A}  one\r\n${B}  two\r\n`,
      [
        { sha256: A, name: 'one' },
        { sha256: B, name: 'two' },
      ],
    ],
    ['a BOM, comments and blank lines', `\uFEFF# sums\n\n${A}  one\n   \n`, [{ sha256: A, name: 'one' }]],
    ['a name with spaces', `${A}  my file.txt`, [{ sha256: A, name: 'my file.txt' }]],
    ['a path', `${A}  ./dist/trivy.tar.gz`, [{ sha256: A, name: './dist/trivy.tar.gz' }]],
  ])('reads %s', (_label, text, expected) => {
    const parsed = parseChecksums(text)
    expect(parsed.entries).toEqual(expected)
    expect(parsed.unrecognizedLines).toEqual([])
  })

  it.each<[string, string]>([
    ['a short digest', `${'a'.repeat(63)}  file`],
    ['a non-hex digest', `${'g'.repeat(64)}  file`],
    ['an HTML error page', '<html><body>Not Found</body></html>'],
    ['an MD5 sum', 'd41d8cd98f00b204e9800998ecf8427e  file'],
  ])('does not take %s for a sha256', (_label, text) => {
    const parsed = parseChecksums(text)
    expect(parsed.entries).toEqual([])
    expect(parsed.unrecognizedLines).toEqual([1])
  })
})

describe('lookupChecksum', () => {
  it('finds the asset in a list, by name or by the last path segment', () => {
    const parsed = parseChecksums(`${A}  other.tar.gz\n${B}  ./dist/trivy.tar.gz\n`)
    expect(lookupChecksum(parsed, 'trivy.tar.gz', 'list')).toEqual({ found: true, sha256: B })
  })

  it('does not match a name that merely ends with the asset name', () => {
    const parsed = parseChecksums(`${A}  evil-trivy.tar.gz\n`)
    expect(lookupChecksum(parsed, 'trivy.tar.gz', 'list')).toMatchObject({
      found: false,
      reason: 'not-listed',
    })
  })

  it('takes a lone digest only from a per-asset file', () => {
    const parsed = parseChecksums(`${A}\n`)
    expect(lookupChecksum(parsed, 'snyk-linux', 'per-asset')).toEqual({ found: true, sha256: A })
    expect(lookupChecksum(parsed, 'snyk-linux', 'list')).toMatchObject({ found: false, reason: 'not-listed' })
  })

  it('refuses a per-asset file that names another file', () => {
    const parsed = parseChecksums(`${A}  snyk-macos\n`)
    expect(lookupChecksum(parsed, 'snyk-linux', 'per-asset')).toMatchObject({
      found: false,
      reason: 'names-another-file',
    })
  })

  it('refuses two different digests for one asset', () => {
    const parsed = parseChecksums(`${A}  trivy.tar.gz\n${B}  trivy.tar.gz\n`)
    expect(lookupChecksum(parsed, 'trivy.tar.gz', 'list')).toMatchObject({
      found: false,
      reason: 'conflicting',
    })
  })

  it('accepts the same digest listed twice', () => {
    const parsed = parseChecksums(`${A}  trivy.tar.gz\n${A} *trivy.tar.gz\n`)
    expect(lookupChecksum(parsed, 'trivy.tar.gz', 'list')).toEqual({ found: true, sha256: A })
  })

  it('reports an empty file', () => {
    expect(lookupChecksum(parseChecksums('\n# nothing\n'), 'x', 'list')).toMatchObject({
      found: false,
      reason: 'empty',
    })
  })
})

describe('sha256File', () => {
  it('hashes a file as a stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csg-sha-'))
    try {
      const empty = join(dir, 'empty')
      const big = join(dir, 'big')
      await writeFile(empty, '')
      await writeFile(big, Buffer.alloc(3 * 1024 * 1024, 'x'))
      expect(await sha256File(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
      expect(await sha256File(big)).toMatch(/^[0-9a-f]{64}$/)
      await expect(sha256File(join(dir, 'missing'))).rejects.toThrow(/ENOENT/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
