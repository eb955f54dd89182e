/**
 * Conformance run: imports every report under DIR with the project's parsers and prints, per file, the
 * format and the findings by kind and by severity. The format is the report's top-level folder name
 * (`trivy/`, `grype/`, `docker-bench-security/` → docker-bench, `inspec/` → cinc-auditor, ...);
 * `*.sarif`, `*.sarif.json` and `*.sarif.golden` files go through the SARIF importer. Folders that are
 * not a report format are listed as skipped. Exits 1 listing every report it could not read (a format
 * without a parser yet counts as one).
 *
 * Usage: node scripts/run-ts.js scripts/conformance.ts DIR
 */
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { KINDS, type Finding } from '../src/findings/finding.js'
import { SEVERITIES } from '../src/findings/severity.js'
import { REPORT_PARSERS, readReportText } from '../src/scanners/report-formats.js'
import { isReportFormat, type ReportFormat } from '../src/scanners/scanner.js'
import { errorMessage } from '../src/util/errors.js'

/** Folder names that name a format differently. */
const FOLDER_FORMATS: Record<string, ReportFormat> = {
  'docker-bench-security': 'docker-bench',
  inspec: 'cinc-auditor',
  cinc: 'cinc-auditor',
  'microsoft-defender': 'defender',
  'defender-for-cloud': 'defender',
  'osv-scanner': 'osv-scanner',
}

const SARIF_SUFFIXES = ['.sarif', '.sarif.json', '.sarif.golden']
/** Files in report folders that are notes, not reports. */
const NOT_REPORTS = /\.(md|txt|rst)$|^\./i

interface FileOutcome {
  file: string
  format: ReportFormat
  findings?: Finding[]
  error?: string
}

function folderFormat(name: string): ReportFormat | undefined {
  const lower = name.toLowerCase()
  return FOLDER_FORMATS[lower] ?? (isReportFormat(lower) ? lower : undefined)
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else if (entry.isFile() && !NOT_REPORTS.test(entry.name)) out.push(path)
  }
  return out.sort()
}

async function importFile(root: string, file: string, folderFmt: ReportFormat): Promise<FileOutcome> {
  const name = file.toLowerCase()
  const format: ReportFormat = SARIF_SUFFIXES.some((s) => name.endsWith(s)) ? 'sarif' : folderFmt
  const shown = relative(root, file)
  const parser = REPORT_PARSERS[format]
  try {
    const text = await readReportText(format, file)
    return { file: shown, format, findings: parser(text, { origin: shown }) }
  } catch (error) {
    return { file: shown, format, error: errorMessage(error) }
  }
}

function counts(findings: Finding[], keys: readonly string[], of: (f: Finding) => string): string {
  const tally = new Map<string, number>()
  for (const f of findings) tally.set(of(f), (tally.get(of(f)) ?? 0) + 1)
  return keys
    .filter((k) => tally.has(k))
    .map((k) => `${k}=${tally.get(k)}`)
    .join(' ')
}

async function main(): Promise<number> {
  const root = process.argv[2]
  if (root === undefined) {
    process.stderr.write('usage: node scripts/run-ts.js scripts/conformance.ts DIR\n')
    return 2
  }
  const outcomes: FileOutcome[] = []
  const skipped: string[] = []
  for (const entry of (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory()) {
      if (!NOT_REPORTS.test(entry.name))
        skipped.push(`${entry.name}: not in a scanner folder, so its format is unknown`)
      continue
    }
    const format = folderFormat(entry.name)
    if (format === undefined) {
      skipped.push(
        `${entry.name}/: not a report format (accepted folder names: the report formats and ${Object.keys(FOLDER_FORMATS).join(', ')})`,
      )
      continue
    }
    for (const file of await filesUnder(join(root, entry.name)))
      outcomes.push(await importFile(root, file, format))
  }

  const width = Math.max(4, ...outcomes.map((o) => o.file.length))
  process.stdout.write(
    `${'file'.padEnd(width)}  ${'format'.padEnd(12)}  ${'total'.padStart(5)}  by kind | by severity\n`,
  )
  for (const o of outcomes) {
    const head = `${o.file.padEnd(width)}  ${o.format.padEnd(12)}`
    if (o.findings === undefined) {
      process.stdout.write(`${head}  ${'FAIL'.padStart(5)}  ${o.error ?? ''}\n`)
      continue
    }
    const byKind = counts(o.findings, KINDS, (f) => f.kind) || '-'
    const bySeverity = counts(o.findings, SEVERITIES, (f) => f.severity) || '-'
    process.stdout.write(`${head}  ${String(o.findings.length).padStart(5)}  ${byKind} | ${bySeverity}\n`)
  }
  for (const s of skipped) process.stdout.write(`skipped ${s}\n`)

  const failures = outcomes.filter((o) => o.findings === undefined)
  const read = outcomes.length - failures.length
  process.stdout.write(
    `\n${read} report(s) read, ${failures.length} could not be read, ${skipped.length} skipped\n`,
  )
  if (failures.length > 0) {
    process.stderr.write(
      `could not read:\n${failures.map((f) => `  ${f.file} (${f.format}): ${f.error ?? ''}`).join('\n')}\n`,
    )
    return 1
  }
  return 0
}

process.exitCode = await main()
