/**
 * Existing reports fed in instead of running a scanner (`reports: trivy:trivy.json`, `--report
 * sarif:any.sarif`): the parser of each format, the `format:path` syntax, and reading a report file.
 */
import { stat } from 'node:fs/promises'
import type { Finding } from '../findings/finding.js'
import { ConfigurationError, ScannerError, errorMessage } from '../util/errors.js'
import { parseFindingsReport } from './findings-report.js'
import { parseGrypeReport } from './grype-report.js'
import { checkReportSize, readReportContent } from './run-scanner.js'
import { parseSarifReport } from './sarif-import.js'
import { REPORT_FORMATS, isReportFormat, type ParseContext, type ReportFormat } from './scanner.js'
import { parseTrivyReport } from './trivy-report.js'
import { parseDefenderReport } from './defender.js'
import { parseDockerBenchReport } from './docker-bench-report.js'
import { parseInspecReport } from './inspec-report.js'
import { parseDockleReport } from './dockle.js'
import { parseHadolintReport } from './hadolint.js'
import { parseOsvScannerReport } from './osv-scanner-report.js'
import { parseSnykReport } from './snyk.js'

export type ReportParser = (text: string, ctx: ParseContext) => Finding[]

/** The parser of each report format that has one. */
export const REPORT_PARSERS: Readonly<Record<ReportFormat, ReportParser>> = {
  trivy: parseTrivyReport,
  grype: parseGrypeReport,
  'osv-scanner': parseOsvScannerReport,
  dockle: parseDockleReport,
  hadolint: parseHadolintReport,
  snyk: parseSnykReport,
  'docker-bench': parseDockerBenchReport,
  'cinc-auditor': parseInspecReport,
  defender: parseDefenderReport,
  sarif: parseSarifReport,
  findings: parseFindingsReport,
}

export interface ReportSpec {
  format: ReportFormat
  path: string
}

/**
 * Splits `format:path` at the first colon only, so Windows paths keep their drive (`trivy:C:\r.json`).
 * An unknown format or a missing path is a `ConfigurationError` that lists the accepted formats.
 */
export function parseReportSpec(spec: string): ReportSpec {
  const text = spec.trim()
  const colon = text.indexOf(':')
  const accepted = `accepted formats: ${REPORT_FORMATS.join(', ')}`
  if (colon <= 0) {
    throw new ConfigurationError(
      `reports: "${spec}" should be <format>:<path>, e.g. trivy:trivy.json (${accepted})`,
    )
  }
  const format = text.slice(0, colon).trim().toLowerCase()
  const path = text.slice(colon + 1).trim()
  if (!isReportFormat(format)) {
    throw new ConfigurationError(`reports: unknown report format "${format}" in "${spec}" (${accepted})`)
  }
  if (path === '') throw new ConfigurationError(`reports: "${spec}" names no file after "${format}:"`)
  return { format, path }
}

/**
 * Reads a report file and parses it in `format`. The file may be at most `MAX_REPORT_BYTES`; a UTF-8 or
 * UTF-16 byte order mark is honoured. A missing file is a `ConfigurationError` naming the `reports` entry;
 * an empty, oversized or unreadable report a `ScannerError` naming the format and the file.
 */
export async function parseReportFile(
  format: ReportFormat,
  path: string,
  ctx: { target?: string; origin?: string } = {},
): Promise<Finding[]> {
  const entry = `${format}:${path}`
  const parser = REPORT_PARSERS[format]
  const text = await readReportText(format, path)
  return parser(text, {
    origin: ctx.origin ?? entry,
    ...(ctx.target !== undefined ? { target: ctx.target } : {}),
  })
}

/** The text of a report file, with the checks of `parseReportFile`. */
export async function readReportText(format: ReportFormat, path: string): Promise<string> {
  const entry = `${format}:${path}`
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new ConfigurationError(`reports: ${entry}: not a file`)
    size = info.size
  } catch (error) {
    if (error instanceof ConfigurationError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new ConfigurationError(`reports: ${entry}: file not found`)
    throw new ScannerError(format, `${format} report ${path} could not be read: ${errorMessage(error)}`, {
      cause: error,
    })
  }
  if (size === 0) throw new ScannerError(format, `${format} report ${path} is empty`)
  checkReportSize(format, path, size)
  return readReportContent(format, path, decodeText)
}

/** UTF-8 (BOM dropped), or UTF-16 when the file starts with its BOM (PowerShell's `>` writes UTF-16LE). */
export function decodeText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le')
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    // swap16 needs an even length; a dangling last byte cannot be a character anyway.
    const swapped = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
    swapped.swap16()
    return swapped.toString('utf16le')
  }
  const text = bytes.toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
