import { describe, expect, it } from '@jest/globals'
import { readInventory } from '../../src/inventory/collect.js'
import { fakeImage } from '../helpers/fake-image.js'

const LAYER0 = `sha256:${'0'.repeat(64)}`
const LAYER1 = `sha256:${'0'.repeat(63)}1`
const LAYER2 = `sha256:${'0'.repeat(63)}2`

function status(...packages: [string, string][]): string {
  return packages
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n`,
    )
    .join('\n')
}

describe('readInventory', () => {
  it('credits each dpkg package to the layer that installed it, not the one that last rewrote the status file', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
            { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
            { path: 'var/lib/dpkg/status', content: status(['base-files', '12.4'], ['curl', '7.88.1-10']) },
          ],
        },
        {
          entries: [
            {
              path: 'var/lib/dpkg/status',
              content: status(['base-files', '12.4'], ['curl', '7.88.1-10+deb12u5'], ['jq', '1.6-2.1']),
            },
          ],
        },
        {
          entries: [
            {
              path: 'app/node_modules/left-pad/package.json',
              content: '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}',
            },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'app:test' })
    expect(inventory.distro).toEqual({ id: 'debian', versionId: '12' })
    expect(inventory.packages.map((p) => [p.purl, p.layer.diffId, p.path])).toEqual([
      ['pkg:deb/debian/base-files@12.4?arch=amd64&distro=debian-12', LAYER0, 'var/lib/dpkg/status'],
      ['pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12', LAYER1, 'var/lib/dpkg/status'],
      ['pkg:deb/debian/jq@1.6-2.1?arch=amd64&distro=debian-12', LAYER1, 'var/lib/dpkg/status'],
      ['pkg:npm/left-pad@1.3.0', LAYER2, 'app/node_modules/left-pad/package.json'],
    ])
    expect(inventory.packages[3]?.licenses).toEqual(['WTFPL'])
    expect(inventory.packagesPerLayer).toEqual([1, 2, 1])
    expect(image.walks).toEqual([1, 1, 1])
  })

  it('drops packages whose files a later layer removed (file and opaque whiteouts)', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'a/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' },
            { path: 'b/node_modules/y/package.json', content: '{"name":"y","version":"2.0.0"}' },
            { path: 'c/node_modules/z/package.json', content: '{"name":"z","version":"3.0.0"}' },
          ],
        },
        {
          entries: [
            { path: 'a/node_modules', whiteout: 'file' },
            { path: 'b', whiteout: 'opaque' },
            { path: 'b/node_modules/y/package.json', content: '{"name":"y","version":"2.1.0"}' },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'app:test' })
    expect(inventory.packages.map((p) => [p.purl, p.layer.index])).toEqual([
      ['pkg:npm/y@2.1.0', 1],
      ['pkg:npm/z@3.0.0', 0],
    ])
  })

  it('notes what it does not read: an rpm Berkeley DB, a file over the size limit', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'var/lib/rpm/Packages', content: 'bdb' },
            {
              path: 'x/node_modules/big/package.json',
              content: `{"name":"big","version":"1.0.0","d":"${'a'.repeat(1024 * 1024)}"}`,
            },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'app:test' })
    expect(inventory.packages).toEqual([])
    expect(inventory.notes).toEqual([
      'var/lib/rpm/Packages: an rpm Berkeley DB database, which is not read; its packages are not in the inventory (only rpmdb.sqlite is read)',
      "x/node_modules/big/package.json: 1048615 bytes, over the npm reader's limit of 1048576; not read",
    ])
  })

  it('reads distroless status.d files, each in the layer that wrote it, and forgets a removed status file', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
            { path: 'var/lib/dpkg/status', content: status(['tzdata', '2024a-0+deb12u1']) },
            {
              path: 'var/lib/dpkg/status.d/base-files',
              content: 'Package: base-files\nVersion: 12.4+deb12u6\nArchitecture: amd64\n',
            },
            {
              path: 'var/lib/dpkg/status.d/base-files.md5sums',
              content: 'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n',
            },
          ],
        },
        {
          entries: [
            { path: 'var/lib/dpkg/status', whiteout: 'file' },
            {
              path: 'var/lib/dpkg/status.d/libssl3',
              content: 'Package: libssl3\nVersion: 3.0.14-1~deb12u2\nArchitecture: amd64\nSource: openssl\n',
            },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'distroless' })
    expect(inventory.packages.map((p) => [p.purl, p.layer.index, p.path])).toEqual([
      [
        'pkg:deb/debian/base-files@12.4+deb12u6?arch=amd64&distro=debian-12',
        0,
        'var/lib/dpkg/status.d/base-files',
      ],
      [
        'pkg:deb/debian/libssl3@3.0.14-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl',
        1,
        'var/lib/dpkg/status.d/libssl3',
      ],
    ])
  })

  it('builds apk purls with the distro from os-release', async () => {
    const image = fakeImage({
      layers: [
        {
          entries: [
            { path: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\n\n' },
            { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\n' },
          ],
        },
      ],
    })
    const inventory = await readInventory(image, { target: 'app:test' })
    expect(inventory.packages.map((p) => p.purl)).toEqual([
      'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
    ])
  })
})
