import { describe, it, expect } from '@jest/globals'
import {
  isFullReference,
  parseReference,
  repositoryOf,
  repositoryOfName,
} from '../../src/target/reference.js'
import type { ImageSource } from '../../src/target/image-types.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('parseReference', () => {
  it.each([
    ['alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['library/alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['docker.io/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io/library/alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['acme/app', { registry: 'docker.io', repository: 'acme/app' }],
    ['acme/team/app:v1', { registry: 'docker.io', repository: 'acme/team/app', tag: 'v1' }],
    [
      `ghcr.io/acme/app:1.2@${DIGEST}`,
      { registry: 'ghcr.io', repository: 'acme/app', tag: '1.2', digest: DIGEST },
    ],
    [`alpine@${DIGEST}`, { registry: 'docker.io', repository: 'library/alpine', digest: DIGEST }],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app' }],
    ['localhost:5000/app:dev', { registry: 'localhost:5000', repository: 'app', tag: 'dev' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['127.0.0.1:5000/a/b:c', { registry: '127.0.0.1:5000', repository: 'a/b', tag: 'c' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
    ['Registry/app', { registry: 'Registry', repository: 'app' }],
    ['my_app:Tag_1.0-rc', { registry: 'docker.io', repository: 'library/my_app', tag: 'Tag_1.0-rc' }],
    ['a__b--c.d', { registry: 'docker.io', repository: 'library/a__b--c.d' }],
    ['image.tar', { registry: 'docker.io', repository: 'library/image.tar' }],
  ])('parses %s', (ref, expected) => {
    expect(parseReference(ref)).toEqual(expected)
  })

  it.each([
    ['', 'empty'],
    ['Alpine', 'uppercase repository'],
    ['acme/App', 'uppercase path component'],
    ['alpine:', 'empty tag'],
    ['alpine:-bad', 'tag starting with a dash'],
    [`alpine:${'t'.repeat(129)}`, 'tag too long'],
    ['alpine@sha256:abc', 'short digest'],
    ['alpine@', 'empty digest'],
    ['a'.repeat(64), 'bare image id'],
    ['/abs/path', 'leading slash'],
    ['./image', 'relative path'],
    ['acme//app', 'empty component'],
    ['acme/app/', 'trailing slash'],
    ['-app', 'leading separator'],
    ['app_', 'trailing separator'],
    ['a...b', 'three dots'],
    [' alpine', 'leading space'],
    ['ghcr.io:bad/app', 'non-numeric port'],
    ['a'.repeat(256), 'name longer than 255'],
  ])('rejects %j (%s)', (ref) => {
    expect(parseReference(ref)).toBeUndefined()
  })

  it('tells full references from bare tags', () => {
    expect(isFullReference('example.com/acme/app:1.0')).toBe(true)
    expect(isFullReference(`app@${DIGEST}`)).toBe(true)
    expect(isFullReference('latest')).toBe(false)
    expect(isFullReference('1.0')).toBe(false)
  })
})

function source(kind: ImageSource['kind'], path: string, reference?: string): ImageSource {
  return reference === undefined ? { input: path, kind, path } : { input: reference, kind, path, reference }
}

describe('repositoryOf', () => {
  it.each([
    ['alpine', 'library/alpine'],
    ['alpine:3.19', 'library/alpine'],
    ['docker.io/library/alpine:3.19', 'library/alpine'],
    ['index.docker.io/acme/app:1', 'acme/app'],
    [`ghcr.io/acme/app:1.2@${DIGEST}`, 'ghcr.io/acme/app'],
    ['localhost:5000/app:dev', 'localhost-5000/app'],
    ['GHCR.IO/acme/app', 'ghcr.io/acme/app'],
    ['[::1]:5000/app', '--1-5000/app'],
  ])('daemon image %s → %s', (reference, expected) => {
    expect(repositoryOf(source('daemon', '/tmp/x/export-1.tar', reference))).toBe(expected)
  })

  it.each([
    [['ghcr.io/acme/app:1.0'], '/work/build/image.tar', 'ghcr.io/acme/app'],
    [['<none>:<none>', 'app:ci'], '/work/build/image.tar', 'library/app'],
    [[], '/work/build/My App.tar.gz', 'my-app'],
    [[], '/work/build/image.tgz', 'image'],
    [[], '/work/build/service.oci.tar', 'service'],
    [[], '/work/build/oci/', 'oci'],
    [[], '/work/build/..', 'image'],
    [[], '/work/build/release:1.2.tar', 'release-1.2'],
  ])('archive with tags %j at %s → %s', (repoTags, path, expected) => {
    expect(repositoryOf(source('docker-archive', path), { repoTags })).toBe(expected)
  })

  it('is the same for the same image and never holds a tag, digest or absolute path', () => {
    const names = [
      repositoryOf(source('daemon', '/tmp/a.tar', `ghcr.io/acme/app:1@${DIGEST}`)),
      repositoryOf(source('daemon', '/tmp/b.tar', 'ghcr.io/acme/app:2')),
      repositoryOf(source('oci-archive', '/x/y.tar'), { repoTags: ['ghcr.io/acme/app:3'] }),
    ]
    expect(new Set(names)).toEqual(new Set(['ghcr.io/acme/app']))
    for (const name of names) {
      expect(name).not.toMatch(/[:@]|^\//)
    }
  })

  it('falls back to the file name when a daemon reference is unparseable', () => {
    expect(repositoryOf(source('daemon', '/tmp/Weird.tar', 'NOT VALID'))).toBe('weird')
  })
})

describe('repositoryOfName', () => {
  it.each([
    ['alpine:3.19', 'library/alpine'],
    ['ghcr.io/acme/app:1.0@sha256:' + 'a'.repeat(64), 'ghcr.io/acme/app'],
    ['localhost:5000/app:ci', 'localhost-5000/app'],
    ['/tmp/build/app-image.tar.gz', 'app-image'],
    ['reports/trivy.json', 'trivy'],
    ['C:\\scans\\scan.sarif', 'scan'],
  ])('%s → %s', (name, repository) => {
    expect(repositoryOfName(name)).toBe(repository)
  })
})
