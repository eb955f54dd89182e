/**
 * os-release(5) (freedesktop.org): newline-separated `KEY=value` assignments in a shell-compatible
 * subset — values may be enclosed in single or double quotes, and `\` escapes `"`, `\`, `$` and `` ` ``
 * inside double quotes. `/etc/os-release` wins over `/usr/lib/os-release` (the man page's search order).
 */
import type { Distro } from './package.js'

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const

export function parseOsRelease(text: string): Distro | undefined {
  const values = new Map<string, string>()
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line)
    if (!match) continue
    values.set(match[1]!, unquote(match[2]!))
  }
  const id = values.get('ID')
  if (id === undefined || id === '') return undefined
  const distro: Distro = { id }
  const versionId = values.get('VERSION_ID')
  if (versionId) distro.versionId = versionId
  const pretty = values.get('PRETTY_NAME')
  if (pretty) distro.prettyName = pretty
  return distro
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1)
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1')
  }
  return value
}
