/**
 * `--report PATH` without a `format:` prefix: the CLI reads the file and names its format when the
 * content says it (Trivy, Grype, SARIF, our own findings JSON), so the rest of the pipeline sees `format:path` as the action does.
 */
import { readFile, stat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { decodeText } from './scanners/report-formats.js'
import { detectReportFormat } from './scanners/report-detect.js'
import { MAX_REPORT_BYTES } from './scanners/run-scanner.js'
import { REPORT_FORMATS, isReportFormat } from './scanners/scanner.js'
import { ConfigurationError } from './util/errors.js'

const ACCEPTED = `accepted FORMAT: prefixes: ${REPORT_FORMATS.join(', ')}`

/** Each `--report` item as `format:path`; items that already name a known format are kept as given. */
export async function withReportFormats(items: readonly string[], cwd: string): Promise<string[]> {
  return Promise.all(items.map((item) => withReportFormat(item.trim(), cwd)))
}

async function withReportFormat(item: string, cwd: string): Promise<string> {
  const colon = item.indexOf(':')
  if (colon > 0 && isReportFormat(item.slice(0, colon).trim().toLowerCase())) return item
  const path = isAbsolute(item) ? item : join(cwd, item)
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new ConfigurationError(`--report: ${item} is not a file`)
    size = info.size
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    // `clair:x.json`: a prefix meant as a format (a one-letter one is a Windows drive).
    const prefix = /^([a-z][a-z0-9-]+):/i.exec(item)?.[1]
    if (prefix !== undefined) {
      throw new ConfigurationError(`--report: unknown report format "${prefix}" in "${item}" (${ACCEPTED})`)
    }
    throw new ConfigurationError(`--report: ${item}: file not found`)
  }
  const detected =
    size > 0 && size <= MAX_REPORT_BYTES ? detectReportFormat(decodeText(await readFile(path))) : undefined
  if (detected !== undefined) return `${detected.format}:${item}`
  throw new ConfigurationError(
    `--report: cannot tell the format of ${item} from its content; name it with a FORMAT: prefix (${ACCEPTED}), e.g. --report trivy:${item}`,
  )
}
