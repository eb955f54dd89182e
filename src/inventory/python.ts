/**
 * Installed Python distributions: `*.dist-info/METADATA` (wheels, pip) and `*.egg-info/PKG-INFO` (or an
 * `*.egg-info` file, distutils). Both use the core metadata format of the Python Packaging User Guide
 * ("Core metadata specifications"): RFC 822 style headers — `Name`, `Version`, `License`,
 * `License-Expression` (metadata 2.4), `Classifier: License :: …` — then an empty line and the
 * description, which is not read. A multi-line `License` (a whole license text) is not a license name
 * and is left out.
 */
import type { PackageReader, ReadResult } from './reader.js'

const LICENSE_CLASSIFIER = /^License :: (?:OSI Approved :: )?(.+)$/

export function parseCoreMetadata(text: string, path: string): ReadResult {
  const headers: [string, string][] = []
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      const last = headers[headers.length - 1]!
      last[1] = `${last[1]}\n${line.trim()}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()])
  }
  const first = (key: string): string | undefined => headers.find(([k]) => k === key)?.[1]
  const name = first('name')
  const version = first('version')
  if (!name || !version) return { packages: [], notes: [`${path}: no Name or Version header; skipped`] }
  let licenses: string[]
  const expression = first('license-expression')
  const license = first('license')
  if (expression) licenses = [expression]
  else if (license && !license.includes('\n') && license.length <= 100 && license !== 'UNKNOWN') {
    licenses = [license]
  } else {
    licenses = headers
      .filter(([k]) => k === 'classifier')
      .map(([, v]) => LICENSE_CLASSIFIER.exec(v)?.[1])
      .filter((v): v is string => v !== undefined)
  }
  return { packages: [{ name, version, type: 'pypi', licenses }], notes: [] }
}

export const pythonReader: PackageReader = {
  id: 'python',
  selects: (path) =>
    /\.dist-info\/METADATA$/.test(path) || /\.egg-info\/PKG-INFO$/.test(path) || /\.egg-info$/.test(path),
  maxBytes: 1024 * 1024,
  // The description after the headers can be long; the headers come first, so a cut body is harmless.
  read: (path, content) => parseCoreMetadata(content.toString('utf8'), path),
}
