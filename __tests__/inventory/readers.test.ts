import { describe, expect, it } from '@jest/globals'
import { parseApkInstalled } from '../../src/inventory/apk.js'
import { dpkgReader, parseDpkgStatus } from '../../src/inventory/dpkg.js'
import { npmReader, parsePackageJson } from '../../src/inventory/npm.js'
import { parseOsRelease } from '../../src/inventory/os-release.js'
import { pythonReader, parseCoreMetadata } from '../../src/inventory/python.js'

describe('dpkg status', () => {
  const status = [
    'Package: libc6',
    'Status: install ok installed',
    'Architecture: amd64',
    'Multi-Arch: same',
    'Source: glibc',
    'Version: 2.36-9+deb12u7',
    'Description: GNU C Library: Shared libraries',
    ' Contains the standard libraries that are used by nearly all programs on',
    ' the system.',
    '',
    'Package: oldpkg',
    'Status: deinstall ok config-files',
    'Architecture: amd64',
    'Version: 1.0-1',
    '',
    'Package: purged',
    'Status: purge ok not-installed',
    'Architecture: amd64',
    '',
    'Package: tzdata',
    'Status: install ok unpacked',
    'Architecture: all',
    'Version: 2024a-0+deb12u1',
    '',
    'Package: login',
    'Status: install ok installed',
    'Architecture: amd64',
    'Source: shadow (1:4.13+dfsg1-1)',
    'Version: 1:4.13+dfsg1-1+b1',
    '',
  ].join('\n')

  it('lists the packages with files on disk, versions with epochs kept, source as upstream', () => {
    expect(parseDpkgStatus(status, 'var/lib/dpkg/status')).toEqual({
      packages: [
        {
          name: 'libc6',
          version: '2.36-9+deb12u7',
          type: 'deb',
          licenses: [],
          arch: 'amd64',
          qualifiers: { upstream: 'glibc' },
        },
        { name: 'tzdata', version: '2024a-0+deb12u1', type: 'deb', licenses: [], arch: 'all' },
        {
          name: 'login',
          version: '1:4.13+dfsg1-1+b1',
          type: 'deb',
          licenses: [],
          arch: 'amd64',
          qualifiers: { upstream: 'shadow' },
        },
      ],
      notes: [],
    })
  })

  it.each([
    ['var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/base-files', true],
    ['var/lib/dpkg/status.d/base-files.md5sums', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/status.d/sub/x', false],
  ])('selects %s: %s', (path, expected) => {
    expect(dpkgReader.selects(path)).toBe(expected)
  })
})

describe('apk installed database', () => {
  it('reads P/V/A/L/o of each block and ignores file lines', () => {
    const text = [
      'C:Q1abc=',
      'P:musl',
      'V:1.2.5-r0',
      'A:x86_64',
      'L:MIT',
      'o:musl',
      'F:lib',
      'R:libc.musl-x86_64.so.1',
      'a:0:0:777',
      'Z:Q1xyz=',
      '',
      'P:libcrypto3',
      'V:3.3.2-r0',
      'A:x86_64',
      'L:Apache-2.0',
      'o:openssl',
      '',
      'V:1.0',
      '',
    ].join('\n')
    expect(parseApkInstalled(text, 'lib/apk/db/installed')).toEqual({
      packages: [
        { name: 'musl', version: '1.2.5-r0', type: 'apk', licenses: ['MIT'], arch: 'x86_64' },
        {
          name: 'libcrypto3',
          version: '3.3.2-r0',
          type: 'apk',
          licenses: ['Apache-2.0'],
          arch: 'x86_64',
          qualifiers: { upstream: 'openssl' },
        },
      ],
      notes: ['lib/apk/db/installed: a package block without P: or V: was skipped'],
    })
  })
})

describe('npm package.json', () => {
  it.each([
    ['{"name":"left-pad","version":"1.3.0","license":"WTFPL"}', ['WTFPL']],
    ['{"name":"left-pad","version":"1.3.0","license":{"type":"MIT"}}', ['MIT']],
    [
      '{"name":"left-pad","version":"1.3.0","licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}',
      ['MIT', 'Apache-2.0'],
    ],
    ['{"name":"left-pad","version":"1.3.0"}', []],
  ])('reads %s', (text, licenses) => {
    expect(parsePackageJson(text, 'p')).toEqual({
      packages: [{ name: 'left-pad', version: '1.3.0', type: 'npm', licenses }],
      notes: [],
    })
  })

  it('skips package.json files without a name or version, and notes broken JSON', () => {
    expect(parsePackageJson('{"private":true}', 'p')).toEqual({ packages: [], notes: [] })
    expect(parsePackageJson('{"name":', 'x/package.json')).toEqual({
      packages: [],
      notes: ['x/package.json: not valid JSON; skipped'],
    })
  })

  it.each([
    ['app/node_modules/express/package.json', true],
    ['app/node_modules/@types/node/package.json', true],
    ['node_modules/a/node_modules/b/package.json', true],
    ['app/package.json', false],
    ['app/node_modules/express/lib/package.json', false],
    ['app/node_modules/.bin/package.json', false],
    ['app/node_modules/@types/package.json', false],
  ])('selects %s: %s', (path, expected) => {
    expect(npmReader.selects(path)).toBe(expected)
  })
})

describe('Python core metadata', () => {
  it('prefers License-Expression, then a one-line License, then license classifiers', () => {
    const head = 'Metadata-Version: 2.1\nName: Requests_OAuthlib\nVersion: 2.0.0\n'
    expect(
      parseCoreMetadata(`${head}License-Expression: MIT OR Apache-2.0\nLicense: BSD\n\nbody`, 'm').packages,
    ).toEqual([
      { name: 'Requests_OAuthlib', version: '2.0.0', type: 'pypi', licenses: ['MIT OR Apache-2.0'] },
    ])
    expect(parseCoreMetadata(`${head}License: ISC\n`, 'm').packages[0]?.licenses).toEqual(['ISC'])
    expect(
      parseCoreMetadata(
        `${head}License: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: BSD License\nClassifier: Programming Language :: Python\n\nName: not-a-header`,
        'm',
      ).packages[0]?.licenses,
    ).toEqual(['BSD License'])
  })

  it.each([
    ['usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', true],
    ['usr/lib/python3/dist-packages/foo.egg-info/PKG-INFO', true],
    ['usr/lib/python3/dist-packages/bar-1.0.egg-info', true],
    ['usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD', false],
  ])('selects %s: %s', (path, expected) => {
    expect(pythonReader.selects(path)).toBe(expected)
  })
})

describe('os-release', () => {
  it('reads ID, VERSION_ID and PRETTY_NAME with shell quoting', () => {
    const text =
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# c\n'
    expect(parseOsRelease(text)).toEqual({
      id: 'debian',
      versionId: '12',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    })
    expect(parseOsRelease("ID='alpine'\nVERSION_ID=3.20.3")).toEqual({ id: 'alpine', versionId: '3.20.3' })
    expect(parseOsRelease('NAME=x')).toBeUndefined()
  })
})
