import { describe, expect, it } from '@jest/globals'
import { artifactUri, imageCategoryBases, scannerCategory, tagOf } from '../../src/report/sarif-naming.js'
import { imageResult } from '../helpers/gate-result-fixtures.js'

describe('artifactUri', () => {
  it.each([
    ['Dockerfile', 'Dockerfile'],
    ['./docker/Dockerfile', 'docker/Dockerfile'],
    ['/library/alpine', 'library/alpine'],
    ['ghcr.io/acme/app', 'ghcr.io/acme/app'],
    ['localhost:5000/team/app', 'localhost%3A5000/team/app'],
    ['C:\\work\\repo\\Dockerfile', 'C%3A/work/repo/Dockerfile'],
    ['a b/c#d?e%f', 'a%20b/c%23d%3Fe%25f'],
    ['../../etc/passwd', 'etc/passwd'],
    ['docker/../Dockerfile', 'Dockerfile'],
    ['', 'image'],
    ['//', 'image'],
    ["it's(1)*", 'it%27s%281%29%2A'],
    // Found by __tests__/fuzz: a lone surrogate from a corrupt report made encodeURIComponent throw.
    ['docker/\ud800Dockerfile', 'docker/%EF%BF%BDDockerfile'],
  ])('%j → %j', (path, uri) => {
    expect(artifactUri(path)).toBe(uri)
    expect(uri).not.toMatch(/[:\s]|^\//)
  })
})

describe('tagOf', () => {
  it.each([
    ['alpine:3.18', '3.18'],
    ['alpine', undefined],
    ['localhost:5000/app', undefined],
    ['localhost:5000/app:v1@sha256:abc', 'v1'],
    ['alpine@sha256:abc', undefined],
    ['./image.tar', undefined],
    ['ghcr.io/acme/app:feature/x', undefined],
    ['app:weird tag!', 'weird-tag-'],
  ])('%j → %j', (reference, tag) => {
    expect(tagOf(reference)).toBe(tag)
  })
})

describe('imageCategoryBases', () => {
  it('uses the repository alone when it is unique', () => {
    const bases = imageCategoryBases([
      imageResult({ target: 'alpine:3.18' }),
      imageResult({ target: 'ghcr.io/acme/app:1', repository: 'ghcr.io/acme/app' }),
    ])
    expect(bases).toEqual([
      'container-security-gate/library/alpine/',
      'container-security-gate/ghcr.io/acme/app/',
    ])
  })

  it('appends tags (never digests) for a repository named twice, then a counter', () => {
    const bases = imageCategoryBases([
      imageResult({ target: 'alpine:3.18' }),
      imageResult({ target: 'alpine@sha256:1111' }),
      imageResult({ target: 'alpine:3.19' }),
      imageResult({ target: 'alpine@sha256:2222' }),
    ])
    expect(bases).toEqual([
      'container-security-gate/library/alpine:3.18/',
      'container-security-gate/library/alpine/',
      'container-security-gate/library/alpine:3.19/',
      'container-security-gate/library/alpine~2/',
    ])
  })

  it('keeps whitespace and empty repositories out of categories', () => {
    expect(imageCategoryBases([imageResult({ repository: '' })])).toEqual(['container-security-gate/image/'])
    expect(imageCategoryBases([imageResult({ repository: 'my repo/x' })])).toEqual([
      'container-security-gate/my-repo/x/',
    ])
    expect(scannerCategory('container-security-gate/library/alpine/', 'trivy')).toBe(
      'container-security-gate/library/alpine/trivy/',
    )
  })
})
