import { describe, it, expect } from '@jest/globals'
import {
  checksumFileUrl,
  releaseAssetUrl,
  releaseBaseUrl,
  selectAsset,
  validateVersion,
} from '../../src/tools/release-urls.js'
import type { ReleaseAsset, ToolSpec } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'

describe('validateVersion', () => {
  it.each<[string, string]>([
    ['latest', 'latest'],
    [' latest ', 'latest'],
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['0.70.0', '0.70.0'],
    ['1.1308.0', '1.1308.0'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['v2.0.0-beta-2', '2.0.0-beta-2'],
    [' 1.2.3\n', '1.2.3'],
  ])('accepts %j as %j', (input, expected) => {
    expect(validateVersion('trivy', input)).toBe(expected)
  })

  it.each([
    '',
    'Latest',
    'stable',
    '1.2',
    '1',
    '1.2.3.4',
    'V1.2.3',
    'vv1.2.3',
    '1.2.3+build.5',
    '01.2.3',
    '1.2.3-',
    '1.2.3; rm -rf /',
    '../1.2.3',
    '1.2.x',
  ])('rejects %j naming the input and what is accepted', (input) => {
    const attempt = (): string => validateVersion('trivy', input)
    expect(attempt).toThrow(ConfigurationError)
    expect(attempt).toThrow(/trivy-version/)
    expect(attempt).toThrow(/"latest" or a release version such as 1\.2\.3, v1\.2\.3 or 1\.2\.3-rc\.1/)
  })
})

describe('releaseBaseUrl', () => {
  it.each<[string | undefined, string]>([
    [undefined, 'https://github.com'],
    ['', 'https://github.com'],
    ['https://mirror.example.com/github/', 'https://mirror.example.com/github'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('maps mirror %j to %j', (mirror, expected) => {
    expect(releaseBaseUrl(mirror)).toBe(expected)
  })

  it.each(['mirror.example.com', 'ftp://mirror.example.com', 'https://m.example.com/?x=1', 'file:///tmp'])(
    'rejects mirror %j',
    (mirror) => {
      expect(() => releaseBaseUrl(mirror)).toThrow(ConfigurationError)
    },
  )
})

describe('release URLs', () => {
  it('builds asset and checksum URLs on the mirror base', () => {
    const base = 'https://mirror.example.com/gh'
    const asset: ReleaseAsset = {
      name: 'trivy_0.70.0_Linux-64bit.tar.gz',
      format: 'tar.gz',
      executable: 'trivy',
    }
    expect(releaseAssetUrl(base, 'aquasecurity/trivy', 'v0.70.0', asset.name)).toBe(
      'https://mirror.example.com/gh/aquasecurity/trivy/releases/download/v0.70.0/trivy_0.70.0_Linux-64bit.tar.gz',
    )
    expect(
      checksumFileUrl(base, 'aquasecurity/trivy', 'v0.70.0', asset, {
        kind: 'checksums-file',
        name: 'trivy_0.70.0_checksums.txt',
      }),
    ).toEqual({
      url: 'https://mirror.example.com/gh/aquasecurity/trivy/releases/download/v0.70.0/trivy_0.70.0_checksums.txt',
      mode: 'list',
    })
    expect(
      checksumFileUrl(base, 'snyk/cli', 'v1.0.0', asset, { kind: 'per-asset', suffix: '.sha256' }),
    ).toEqual({
      url: 'https://mirror.example.com/gh/snyk/cli/releases/download/v1.0.0/trivy_0.70.0_Linux-64bit.tar.gz.sha256',
      mode: 'per-asset',
    })
  })

  it('encodes characters that would change the path', () => {
    expect(releaseAssetUrl('https://github.com', 'o/r', 'v1.0.0', 'a b#c')).toBe(
      'https://github.com/o/r/releases/download/v1.0.0/a%20b%23c',
    )
  })
})

describe('selectAsset', () => {
  const spec = (asset: ReleaseAsset | undefined): ToolSpec => ({
    name: 'demo',
    repository: 'o/demo',
    tag: (v) => `v${v}`,
    asset: () => asset,
    checksums: () => ({ kind: 'checksums-file', name: 'sums' }),
  })

  it('returns the asset for the platform', () => {
    const asset: ReleaseAsset = { name: 'demo.tar.gz', format: 'tar.gz', executable: 'bin/demo' }
    expect(selectAsset(spec(asset), '1.0.0', 'linux-x64')).toBe(asset)
  })

  it('says when no build exists for the platform', () => {
    expect(() => selectAsset(spec(undefined), '1.0.0', 'darwin-arm64')).toThrow(
      new ScannerError('demo', 'demo does not publish a darwin-arm64 build'),
    )
  })

  it.each<[string, ReleaseAsset]>([
    ['an asset name with a slash', { name: '../evil', format: 'raw', executable: 'demo' }],
    ['an absolute executable path', { name: 'demo', format: 'raw', executable: '/usr/bin/demo' }],
    [
      'an executable path leaving the archive',
      { name: 'demo.zip', format: 'zip', executable: 'x/../../demo' },
    ],
  ])('refuses %s', (_label, asset) => {
    expect(() => selectAsset(spec(asset), '1.0.0', 'linux-x64')).toThrow(ScannerError)
  })
})
