import { describe, expect, it } from '@jest/globals'
import {
  artifactUri,
  categoryNotes,
  categoryPrefix,
  imageCategoryBases,
  imageIdentity,
  scannerCategory,
} from '../../src/report/sarif-naming.js'
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
    ['wow!', 'wow%21'],
    ['a/./b//c/', 'a/b/c'],
    // Found by __tests__/fuzz: a lone surrogate from a corrupt report made encodeURIComponent throw.
    ['docker/\ud800Dockerfile', 'docker/%EF%BF%BDDockerfile'],
  ])('%j → %j', (path, uri) => {
    expect(artifactUri(path)).toBe(uri)
    expect(uri).not.toMatch(/[:\s]|^\//)
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

  it('never puts a tag or digest in: a repository named twice is told apart by its order', () => {
    const bases = imageCategoryBases([
      imageResult({ target: 'alpine:3.18' }),
      imageResult({ target: 'alpine@sha256:1111' }),
      imageResult({ target: 'alpine:3.19' }),
      imageResult({ target: 'alpine@sha256:2222' }),
    ])
    expect(bases).toEqual([
      'container-security-gate/library/alpine/',
      'container-security-gate/library/alpine~2/',
      'container-security-gate/library/alpine~3/',
      'container-security-gate/library/alpine~4/',
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
    // Never an empty segment: a scanner name of slashes only becomes `image`.
    expect(scannerCategory('container-security-gate/library/alpine/', '///')).toBe(
      'container-security-gate/library/alpine/image/',
    )
  })
})

describe('categories that neither collide nor churn', () => {
  const app = (target: string, repository = 'acme/app') => imageResult({ target, repository })

  it('builds of one leg with per-build tags keep one category', () => {
    const build1 = imageCategoryBases([app('acme/app:1111111'), app('acme/app:latest')])
    const build2 = imageCategoryBases([app('acme/app:2222222'), app('acme/app:latest')])
    expect(build1).toEqual(['container-security-gate/acme/app/', 'container-security-gate/acme/app~2/'])
    expect(build2).toEqual(build1)
  })

  it('matrix legs get categories of their own, sorted by key, the same for every build', () => {
    const alpine = imageCategoryBases([app('acme/app:alpine')], {
      matrix: { variant: 'alpine', os: 'linux' },
    })
    const debian = imageCategoryBases([app('acme/app:debian')], {
      matrix: { os: 'linux', variant: 'debian' },
    })
    expect(alpine).toEqual(['container-security-gate/os:linux/variant:alpine/acme/app/'])
    expect(debian).toEqual(['container-security-gate/os:linux/variant:debian/acme/app/'])
  })

  it.each([
    [{ node: 20 }, 'container-security-gate/node:20/'],
    [{ push: true }, 'container-security-gate/push:true/'],
    [{ image: { tag: 'a', name: 'b' } }, 'container-security-gate/image:{"name":"b","tag":"a"}/'],
    [{ platform: 'linux/arm64' }, 'container-security-gate/platform:linux/arm64/'],
    [{ label: 'two words' }, 'container-security-gate/label:two-words/'],
    [{}, 'container-security-gate/'],
    // Keys sorted whatever order the matrix gives them in.
    [{ c: '3', b: '2', a: '1', d: '4' }, 'container-security-gate/a:1/b:2/c:3/d:4/'],
    [{ os: null }, 'container-security-gate/os:/'],
    [{ os: undefined }, 'container-security-gate/os:/'],
    // Nested objects keep sorted keys at every depth, arrays keep their order.
    [
      { include: [{ z: 1, a: { y: 2, b: 3 } }, 'x'] },
      'container-security-gate/include:[{"a":{"b":3,"y":2},"z":1},"x"]/',
    ],
    [{ path: 'a//b/' }, 'container-security-gate/path:a/b/'],
    [{ image: { tag: null } }, 'container-security-gate/image:{"tag":null}/'],
    [{ dir: '/' }, 'container-security-gate/dir:/'],
  ])('matrix %j → prefix %s', (matrix, prefix) => {
    expect(categoryPrefix({ matrix })).toBe(prefix)
  })

  it.each([
    ['/web-app/', 'web-app/'],
    ['//web-app//', 'web-app/'],
    [' team  app ', 'team-app/'],
    ['team//app', 'team/app/'],
    ['  ', 'container-security-gate/os:linux/'],
    ['///', 'container-security-gate/os:linux/'],
  ])('the category input %j gives the prefix %j', (category, prefix) => {
    expect(categoryPrefix({ category, matrix: { os: 'linux' } })).toBe(prefix)
  })

  it('the category input replaces the tool name and the matrix', () => {
    expect(categoryPrefix({ category: '/web-app/', matrix: { os: 'linux' } })).toBe('web-app/')
    expect(imageCategoryBases([app('acme/app:1')], { category: 'web-app' })).toEqual(['web-app/acme/app/'])
  })

  it('an image with no repository name inside is filed as "image", never under its file name', () => {
    // repositoryOf (src/target/reference.ts) falls back to the archive's base name: no slash.
    const first = imageResult({ target: '/tmp/image-3f2a.tar', repository: 'image-3f2a' })
    const second = imageResult({ target: '/tmp/image-9b1c.tar', repository: 'image-9b1c' })
    expect(imageIdentity('image-3f2a')).toBe('image')
    expect(imageIdentity('library/alpine')).toBe('library/alpine')
    expect(imageCategoryBases([first])).toEqual(['container-security-gate/image/'])
    expect(imageCategoryBases([second])).toEqual(['container-security-gate/image/'])
    const bases = imageCategoryBases([first, app('acme/app:1'), app('acme/app:2')])
    expect(categoryNotes([first, app('acme/app:1'), app('acme/app:2')], bases)).toEqual([
      '/tmp/image-3f2a.tar carries no repository name (no RepoTags, no OCI ref.name with a repository), so code scanning files its results under "image" (category container-security-gate/image/), not under its file name, which may change every build. Name the image when saving it (docker save app:1.0, or an OCI ref.name like example.com/app:1.0) to file them under its repository.',
      'acme/app:2 is the second or later image of acme/app in this step; its category is container-security-gate/acme/app~2/, by its position in the image input. Keep that order stable, or scan one image per matrix leg.',
    ])
    expect(categoryNotes([app('acme/app:1')], imageCategoryBases([app('acme/app:1')]))).toEqual([])
  })
})
