import { describe, it, expect } from '@jest/globals'
import { SCANNER_IDS } from '../../src/scanners/scanner.js'
import { validateVersion } from '../../src/tools/release-urls.js'
import { DEFAULT_VERSIONS, DOWNLOADABLE_TOOLS, knownSha256 } from '../../src/tools/versions.js'

describe('DEFAULT_VERSIONS', () => {
  it('pins every scanner that is downloaded', () => {
    expect(Object.keys(DEFAULT_VERSIONS).sort()).toEqual(SCANNER_IDS.filter((id) => id !== 'builtin').sort())
    expect([...DOWNLOADABLE_TOOLS].sort()).toEqual(Object.keys(DEFAULT_VERSIONS).sort())
  })

  it.each(DOWNLOADABLE_TOOLS)('pins %s to a concrete version the installer accepts', (tool) => {
    const version = DEFAULT_VERSIONS[tool]
    expect(validateVersion(tool, version)).toBe(version)
  })

  it('does not pin a Trivy release from the March 2026 compromise (0.69.4 – 0.69.6)', () => {
    expect(['0.69.4', '0.69.5', '0.69.6']).not.toContain(DEFAULT_VERSIONS.trivy)
  })
})

describe('knownSha256', () => {
  it('gives the pinned digest of a pinned asset, with or without a v prefix', () => {
    const expected = '8b4376d5d6befe5c24d503f10ff136d9e0c49f9127a4279fd110b727929a5aa9'
    expect(knownSha256('trivy', '0.70.0', 'trivy_0.70.0_Linux-64bit.tar.gz')).toBe(expected)
    expect(knownSha256('trivy', 'v0.70.0', 'trivy_0.70.0_Linux-64bit.tar.gz')).toBe(expected)
  })

  it.each<[string, string, string]>([
    ['trivy', '0.69.4', 'trivy_0.69.4_Linux-64bit.tar.gz'],
    ['trivy', '0.70.0', 'trivy_0.70.0_linux-64bit.tar.gz'],
    ['trivy', '0.70.0', 'trivy_0.70.0_FreeBSD-64bit.tar.gz'],
    ['builtin', '1.0.0', 'anything'],
    ['docker-bench', DEFAULT_VERSIONS['docker-bench'], 'docker-bench-security.tar.gz'],
    ['constructor', '1.0.0', 'toString'],
    ['trivy', '0.70.0', 'constructor'],
    ['trivy', '0.70.0', '__proto__'],
  ])('has nothing for %s %s %s', (tool, version, asset) => {
    expect(knownSha256(tool, version, asset)).toBeUndefined()
  })

  it('holds only well-formed digests keyed by asset names of the pinned version', () => {
    for (const tool of DOWNLOADABLE_TOOLS) {
      const version = DEFAULT_VERSIONS[tool]
      for (const platformAsset of assetNamesOf(tool)) {
        const digest = knownSha256(tool, version, platformAsset)
        expect(digest).toMatch(/^[0-9a-f]{64}$/)
      }
    }
  })
})

/** The asset names the table is expected to hold, written out independently of it. */
function assetNamesOf(tool: (typeof DOWNLOADABLE_TOOLS)[number]): string[] {
  const v = DEFAULT_VERSIONS[tool]
  switch (tool) {
    case 'trivy':
      return [
        'Linux-64bit.tar.gz',
        'Linux-ARM64.tar.gz',
        'macOS-64bit.tar.gz',
        'macOS-ARM64.tar.gz',
        'windows-64bit.zip',
      ].map((s) => `trivy_${v}_${s}`)
    case 'grype':
      return [
        'linux_amd64.tar.gz',
        'linux_arm64.tar.gz',
        'darwin_amd64.tar.gz',
        'darwin_arm64.tar.gz',
        'windows_amd64.zip',
      ].map((s) => `grype_${v}_${s}`)
    case 'osv-scanner':
      return ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64', 'windows_amd64.exe'].map(
        (s) => `osv-scanner_${s}`,
      )
    case 'dockle':
      return ['Linux-64bit.tar.gz', 'Linux-ARM64.tar.gz', 'macOS-64bit.tar.gz', 'macOS-ARM64.tar.gz'].map(
        (s) => `dockle_${v}_${s}`,
      )
    case 'hadolint':
      return ['linux-x86_64', 'linux-arm64', 'macos-x86_64', 'macos-arm64', 'windows-x86_64.exe'].map(
        (s) => `hadolint-${s}`,
      )
    case 'snyk':
      return ['snyk-linux', 'snyk-linux-arm64', 'snyk-macos', 'snyk-macos-arm64']
    case 'cosign':
      return ['linux-amd64', 'linux-arm64', 'darwin-amd64', 'darwin-arm64', 'windows-amd64.exe'].map(
        (s) => `cosign-${s}`,
      )
    case 'cinc-auditor':
      return [`cinc-auditor_${v}-1_amd64.deb`, `cinc-auditor_${v}-1_arm64.deb`]
    case 'docker-bench':
      return []
  }
}
