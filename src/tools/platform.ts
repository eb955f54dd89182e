/**
 * The platform scanners are downloaded for. Pure: the caller passes `process.platform` / `process.arch`
 * (they are only defaults), so tests and `install --platform` can ask for any of them.
 */
import { ConfigurationError } from '../util/errors.js'
import { PLATFORMS, type Platform } from './tool-spec.js'

export type PlatformArch = 'x64' | 'arm64'
export type PlatformOs = 'linux' | 'darwin' | 'win32'

function isPlatform(value: string): value is Platform {
  return (PLATFORMS as readonly string[]).includes(value)
}

/** The platform of this machine, or a `ConfigurationError` when no scanner publishes builds for it. */
export function currentPlatform(
  nodePlatform: string = process.platform,
  arch: string = process.arch,
): Platform {
  const candidate = `${nodePlatform}-${arch}`
  if (isPlatform(candidate)) return candidate
  throw new ConfigurationError(
    `unsupported platform ${nodePlatform}/${arch}: scanners can be downloaded for ${PLATFORMS.join(', ')}`,
  )
}

const OS_ALIASES: Readonly<Record<string, PlatformOs>> = {
  linux: 'linux',
  darwin: 'darwin',
  macos: 'darwin',
  osx: 'darwin',
  win32: 'win32',
  windows: 'win32',
  win: 'win32',
}

const ARCH_ALIASES: Readonly<Record<string, PlatformArch>> = {
  x64: 'x64',
  amd64: 'x64',
  x86_64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
}

/**
 * Reads a platform named by a user (`linux-x64`, also `linux/amd64`, `darwin-aarch64`, `windows-x64`).
 * `ConfigurationError` names the accepted values.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split(/[-/]/)
  if (parts.length === 2) {
    const os = OS_ALIASES[parts[0] ?? '']
    const arch = ARCH_ALIASES[parts[1] ?? '']
    if (os !== undefined && arch !== undefined) {
      const candidate = `${os}-${arch}`
      if (isPlatform(candidate)) return candidate
    }
  }
  throw new ConfigurationError(`unknown platform "${text}": use one of ${PLATFORMS.join(', ')}`)
}

/** The architecture part, which is also the tool-cache `arch`. */
export function platformArch(platform: Platform): PlatformArch {
  return platform.endsWith('-arm64') ? 'arm64' : 'x64'
}

export function platformOs(platform: Platform): PlatformOs {
  if (platform.startsWith('darwin-')) return 'darwin'
  if (platform.startsWith('win32-')) return 'win32'
  return 'linux'
}
