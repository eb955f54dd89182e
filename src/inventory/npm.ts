/**
 * npm packages installed in `node_modules` directories: `…/node_modules/<name>/package.json` and
 * `…/node_modules/@scope/<name>/package.json` at any depth (nested installs included). `name`, `version`
 * and `license` follow the package.json documentation of npm (docs.npmjs.com, "package.json": `license`
 * is an SPDX expression; the deprecated `license: {type}` object and `licenses: [{type}]` array are read
 * too). A package.json without a name or version (a test fixture, a stub) is not a package.
 */
import type { FoundPackage, PackageReader, ReadResult } from './reader.js'

const INSTALLED_PACKAGE_JSON = /(?:^|\/)node_modules\/(?:@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/

function licenseOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined
  if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') {
    return (value as { type: string }).type.trim() || undefined
  }
  return undefined
}

export function parsePackageJson(text: string, path: string): ReadResult {
  let json: unknown
  try {
    json = JSON.parse(text) as unknown
  } catch {
    return { packages: [], notes: [`${path}: not valid JSON; skipped`] }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { packages: [], notes: [] }
  const record = json as Record<string, unknown>
  const name = typeof record['name'] === 'string' ? record['name'].trim() : ''
  const version = typeof record['version'] === 'string' ? record['version'].trim() : ''
  if (name === '' || version === '') return { packages: [], notes: [] }
  const licenses: string[] = []
  const single = licenseOf(record['license'])
  if (single !== undefined) licenses.push(single)
  else if (Array.isArray(record['licenses'])) {
    for (const item of record['licenses']) {
      const license = licenseOf(item)
      if (license !== undefined) licenses.push(license)
    }
  }
  const found: FoundPackage = { name, version, type: 'npm', licenses }
  return { packages: [found], notes: [] }
}

export const npmReader: PackageReader = {
  id: 'npm',
  selects: (path) => INSTALLED_PACKAGE_JSON.test(path),
  maxBytes: 1024 * 1024,
  read: (path, content) => parsePackageJson(content.toString('utf8'), path),
}
