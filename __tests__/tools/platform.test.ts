import { describe, it, expect } from '@jest/globals'
import { currentPlatform, parsePlatform, platformArch, platformOs } from '../../src/tools/platform.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ConfigurationError } from '../../src/util/errors.js'

describe('currentPlatform', () => {
  it.each<[string, string, Platform]>([
    ['linux', 'x64', 'linux-x64'],
    ['linux', 'arm64', 'linux-arm64'],
    ['darwin', 'x64', 'darwin-x64'],
    ['darwin', 'arm64', 'darwin-arm64'],
    ['win32', 'x64', 'win32-x64'],
  ])('maps %s/%s to %s', (os, arch, expected) => {
    expect(currentPlatform(os, arch)).toBe(expected)
  })

  it.each<[string, string]>([
    ['win32', 'arm64'],
    ['linux', 'ia32'],
    ['freebsd', 'x64'],
    ['linux', 's390x'],
  ])('rejects %s/%s', (os, arch) => {
    expect(() => currentPlatform(os, arch)).toThrow(ConfigurationError)
    expect(() => currentPlatform(os, arch)).toThrow(`unsupported platform ${os}/${arch}`)
  })

  it('defaults to this machine', () => {
    expect(() => currentPlatform()).not.toThrow()
  })
})

describe('parsePlatform', () => {
  it.each<[string, Platform]>([
    ['linux-x64', 'linux-x64'],
    ['linux/amd64', 'linux-x64'],
    ['Linux-X86_64', 'linux-x64'],
    ['linux-aarch64', 'linux-arm64'],
    ['macos-arm64', 'darwin-arm64'],
    ['darwin/amd64', 'darwin-x64'],
    ['windows-x64', 'win32-x64'],
    [' win32-amd64 ', 'win32-x64'],
  ])('reads %j as %s', (text, expected) => {
    expect(parsePlatform(text)).toBe(expected)
  })

  it.each(['', 'linux', 'windows-arm64', 'solaris-x64', 'linux-x64-musl', 'x64-linux'])(
    'rejects %j',
    (text) => {
      expect(() => parsePlatform(text)).toThrow(ConfigurationError)
      expect(() => parsePlatform(text)).toThrow(/use one of linux-x64, linux-arm64/)
    },
  )

  it('splits a platform into OS and architecture', () => {
    expect(platformArch('darwin-arm64')).toBe('arm64')
    expect(platformArch('win32-x64')).toBe('x64')
    expect(platformOs('darwin-arm64')).toBe('darwin')
    expect(platformOs('win32-x64')).toBe('win32')
    expect(platformOs('linux-arm64')).toBe('linux')
  })
})
