/**
 * CLI arguments → the same `Inputs` the action reads, so both go through one validation. Flags mirror
 * action.yml inputs (see `INPUT_DEFINITIONS[].flag`); a few are CLI-only (output format, colour).
 */
import { parseArgs } from 'node:util'
import { ConfigurationError } from '../util/errors.js'
import { INPUT_DEFINITIONS, splitList, type InputKind, type InputName, type Inputs } from './inputs.js'

export type CliCommand = 'scan' | 'install' | 'help' | 'version'

export interface CliScanOptions {
  inputs: Inputs
  format: 'table' | 'json'
  color: boolean
  verbose: boolean
}

export interface CliInstallOptions {
  scanners: string[]
  dryRun: boolean
  platform?: string
  versions: Partial<Record<string, string>>
  toolsMirror?: string
}

export type ParsedCommandLine =
  | { command: 'scan'; options: CliScanOptions }
  | { command: 'install'; options: CliInstallOptions }
  | { command: 'help' }
  | { command: 'version' }

type FlagSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string }

/** Flags derived from the input table: `--scanners` ↔ `scanners`, `--json` ↔ `findings-file`, ... */
const INPUT_FLAGS: readonly { flag: string; input: InputName; kind: InputKind }[] = INPUT_DEFINITIONS.flatMap(
  (d) => ('flag' in d ? [{ flag: d.flag.replace(/^--/, ''), input: d.name, kind: d.kind }] : []),
)

function scanOptionSpecs(): Record<string, FlagSpec> {
  const specs: Record<string, FlagSpec> = {
    format: { type: 'string' },
    'no-color': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  }
  for (const { flag, kind } of INPUT_FLAGS) {
    specs[flag] =
      kind === 'boolean'
        ? { type: 'boolean' }
        : { type: 'string', multiple: kind === 'list' || kind === 'lines' }
  }
  return specs
}

export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const [command, ...rest] = argv
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' }
  if (command === 'version' || command === '--version') return { command: 'version' }
  if (command === 'scan') return { command: 'scan', options: parseScan(rest) }
  if (command === 'install') return { command: 'install', options: parseInstall(rest) }
  throw new ConfigurationError(`unknown command "${command}" (accepted: scan, install, help, version)`)
}

function parseOrThrow(
  args: readonly string[],
  options: Record<string, FlagSpec>,
): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new ConfigurationError(`${message ?? 'bad arguments'} (see container-security-gate --help)`)
  }
}

function parseScan(args: readonly string[]): CliScanOptions {
  const { values, positionals } = parseOrThrow(args, scanOptionSpecs())
  if (values.help === true) throw new ConfigurationError('use `container-security-gate --help` for usage')
  const inputs: Inputs = { image: positionals }
  for (const { flag, input, kind } of INPUT_FLAGS) {
    const value = values[flag]
    if (value === undefined) continue
    if (typeof value === 'boolean') {
      ;(inputs as Record<string, unknown>)[input] = String(value)
    } else if (kind === 'list' || kind === 'lines') {
      // A `lines` item (a report path) may hold commas: one per flag. A `list` flag also takes commas.
      const items = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')
      ;(inputs as Record<string, unknown>)[input] = kind === 'lines' ? items : items.flatMap(splitList)
    } else {
      const items = Array.isArray(value) ? value : [value]
      ;(inputs as Record<string, unknown>)[input] = String(items[items.length - 1])
    }
  }
  const format = typeof values.format === 'string' ? values.format : 'table'
  if (format !== 'table' && format !== 'json') {
    throw new ConfigurationError(`--format: "${format}" is not table or json`)
  }
  return { inputs, format, color: values['no-color'] !== true, verbose: values.verbose === true }
}

function parseInstall(args: readonly string[]): CliInstallOptions {
  const specs: Record<string, FlagSpec> = {
    'dry-run': { type: 'boolean' },
    scanners: { type: 'string', multiple: true },
    platform: { type: 'string' },
    'tools-mirror': { type: 'string' },
  }
  for (const { flag, kind } of INPUT_FLAGS) if (kind === 'version') specs[flag] = { type: 'string' }
  const { values, positionals } = parseOrThrow(args, specs)
  if (positionals.length > 0)
    throw new ConfigurationError(`install: unexpected argument "${positionals[0] ?? ''}"`)
  const scanners = ((values.scanners as string[] | undefined) ?? []).flatMap(splitList)
  if (scanners.length === 0)
    throw new ConfigurationError('install: --scanners LIST is required (e.g. --scanners trivy,grype)')
  const versions: Partial<Record<string, string>> = {}
  for (const [key, value] of Object.entries(values)) {
    if (key.endsWith('-version') && typeof value === 'string') versions[key.replace(/-version$/, '')] = value
  }
  const result: CliInstallOptions = { scanners, dryRun: values['dry-run'] === true, versions }
  if (typeof values.platform === 'string') result.platform = values.platform
  if (typeof values['tools-mirror'] === 'string') result.toolsMirror = values['tools-mirror']
  return result
}

export const USAGE = `container-security-gate — gate CI on the security of a container image

Usage:
  container-security-gate scan IMAGE... [options]
  container-security-gate install --dry-run --scanners LIST [--platform linux-x64|linux-arm64|darwin-x64|darwin-arm64|win32-x64]
  container-security-gate --help | --version

IMAGE is a local Docker reference (app:ci), a docker save tarball, an OCI layout directory or an OCI
archive (prefixes docker-archive:, oci-archive:, oci-dir:, docker: force the form).

Scan options:
${INPUT_DEFINITIONS.flatMap((d) => ('flag' in d ? [`  ${d.flag.padEnd(30)} ${d.description}`] : [])).join('\n')}
  --format table|json            Output on stdout: a table (default) or the findings JSON.
  --no-color                     No ANSI colours.
  -v, --verbose                  Log progress to stderr.

Exit codes: 0 pass, 1 the gate failed, 2 bad usage or configuration, 3 an image, scanner or report
could not be read.
`
