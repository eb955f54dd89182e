import { describe, it, expect } from '@jest/globals'
import { describeInstallPlan } from '../../src/tools/install.js'
import type { ChecksumSource, ToolSpec } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'

function spec(checksums: ChecksumSource): ToolSpec {
  return {
    name: 'trivy',
    repository: 'aquasecurity/trivy',
    tag: (v) => `v${v}`,
    asset: (v, platform) =>
      platform === 'linux-x64'
        ? { name: `trivy_${v}_Linux-64bit.tar.gz`, format: 'tar.gz', executable: 'trivy' }
        : undefined,
    checksums: () => checksums,
  }
}
const list = spec({ kind: 'checksums-file', name: 'trivy_checksums.txt' })

describe('describeInstallPlan', () => {
  it('shows the pinned sha256 for the pinned version', () => {
    expect(describeInstallPlan(list, { version: '0.70.0', platform: 'linux-x64' })).toEqual({
      tool: 'trivy',
      version: '0.70.0',
      resolved: true,
      tag: 'v0.70.0',
      url: 'https://github.com/aquasecurity/trivy/releases/download/v0.70.0/trivy_0.70.0_Linux-64bit.tar.gz',
      checksumSource: 'pinned sha256 in the action',
      sha256: '8b4376d5d6befe5c24d503f10ff136d9e0c49f9127a4279fd110b727929a5aa9',
    })
  })

  it('shows the checksum file (on the mirror) for another version', () => {
    const plan = describeInstallPlan(list, {
      version: 'v0.71.0',
      platform: 'linux-x64',
      mirror: 'https://m.example/gh/',
    })
    expect(plan).toEqual({
      tool: 'trivy',
      version: '0.71.0',
      resolved: true,
      tag: 'v0.71.0',
      url: 'https://m.example/gh/aquasecurity/trivy/releases/download/v0.71.0/trivy_0.71.0_Linux-64bit.tar.gz',
      checksumSource: 'https://m.example/gh/aquasecurity/trivy/releases/download/v0.71.0/trivy_checksums.txt',
    })
  })

  it('names the per-asset checksum file', () => {
    const perAsset = spec({ kind: 'per-asset', suffix: '.sha256' })
    expect(describeInstallPlan(perAsset, { version: '1.0.0', platform: 'linux-x64' }).checksumSource).toBe(
      'https://github.com/aquasecurity/trivy/releases/download/v1.0.0/trivy_1.0.0_Linux-64bit.tar.gz.sha256',
    )
  })

  it('uses an injected table', () => {
    const plan = describeInstallPlan(list, {
      version: '9.9.9',
      platform: 'linux-x64',
      knownSha256: () => 'ABC'.padEnd(64, '0'),
    })
    expect(plan.checksumSource).toBe('pinned sha256 in the action')
    expect(plan.sha256).toBe('abc'.padEnd(64, '0'))
  })

  it('leaves latest unresolved', () => {
    expect(describeInstallPlan(list, { version: 'latest', platform: 'linux-x64' })).toMatchObject({
      version: 'latest',
      resolved: false,
      tag: 'unresolved',
      url: 'https://github.com/aquasecurity/trivy/releases/latest',
    })
  })

  it('throws the installer errors for a bad version or platform', () => {
    expect(() => describeInstallPlan(list, { version: 'nightly', platform: 'linux-x64' })).toThrow(
      ConfigurationError,
    )
    expect(() => describeInstallPlan(list, { version: '1.0.0', platform: 'win32-x64' })).toThrow(
      new ScannerError('trivy', 'trivy does not publish a win32-x64 build'),
    )
  })
})
