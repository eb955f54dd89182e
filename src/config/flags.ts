/**
 * CLI arguments → the same `Inputs` the action reads, so both go through one validation. Flags mirror
 * action.yml inputs (see `INPUT_DEFINITIONS[].flag`); a few are CLI-only (output format, colour).
 */
import { parseArgs } from 'node:util'
import { closestFlag } from '../cli-help.js'
import { ConfigurationError } from '../util/errors.js'
import { INPUT_DEFINITIONS, splitList, type InputKind, type InputName, type Inputs } from './inputs.js'

export type CliCommand = 'scan' | 'install' | 'help' | 'version'

export interface CliScanOptions {
  inputs: Inputs
  format: 'table' | 'json'
  /** Findings the table lists: a number, or Infinity (`--all`); undefined for the default. */
  maxRows?: number
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
  | { command: 'help'; topic: 'top' | 'scan' | 'install' }
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
    all: { type: 'boolean' },
    'max-rows': { type: 'string' },
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
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0]
    return { command: 'help', topic: topic === 'scan' || topic === 'install' ? topic : 'top' }
  }
  if (command === 'version' || command === '--version' || command === '-V') return { command: 'version' }
  // Help wins over everything else on the line, even a bad flag: a person asking for it is unsure of them.
  const asksHelp = rest.some((arg) => arg === '--help' || arg === '-h')
  if (command === 'scan')
    return asksHelp ? { command: 'help', topic: 'scan' } : { command: 'scan', options: parseScan(rest) }
  if (command === 'install')
    return asksHelp
      ? { command: 'help', topic: 'install' }
      : { command: 'install', options: parseInstall(rest) }
  const suggestion = closestFlag(command, ['scan', 'install', 'help', 'version'])
  throw new ConfigurationError(
    `unknown command "${command}"${suggestion !== undefined ? `: did you mean ${suggestion.replace(/^--/, '')}?` : ''} (accepted: scan, install, help, version)`,
  )
}

function parseOrThrow(
  command: 'scan' | 'install',
  args: readonly string[],
  options: Record<string, FlagSpec>,
): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new ConfigurationError(describeParseError(error, { command, known: Object.keys(options) }))
  }
}

/**
 * node:util parseArgs errors, said in the CLI's words: the flag as typed, what is wrong with it, and the
 * nearest known flag for a typo.
 */
function describeParseError(
  error: unknown,
  { command, known }: { command: 'scan' | 'install'; known: readonly string[] },
): string {
  const help = `see container-security-gate ${command} --help`
  const code = (error as { code?: unknown }).code
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)
  const quoted = /'([^']+)'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    const suggestion = closestFlag(quoted, known)
    return `unknown flag ${quoted}${suggestion !== undefined ? `: did you mean ${suggestion}?` : ''} (${help})`
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    // "Option '--fail-on <value>' argument missing" / "Option '--only-fixed' does not take an argument"
    const flag = quoted.split(' ')[0] ?? quoted
    return message.includes('does not take an argument')
      ? `${flag} is a switch and takes no value`
      : `${flag} needs a value (${help})`
  }
  return `${message} (${help})`
}

function parseScan(args: readonly string[]): CliScanOptions {
  const { values, positionals } = parseOrThrow('scan', args, scanOptionSpecs())
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
  const options: CliScanOptions = {
    inputs,
    format,
    color: values['no-color'] !== true,
    verbose: values.verbose === true,
  }
  if (values.all === true) options.maxRows = Infinity
  else if (typeof values['max-rows'] === 'string') {
    const rows = values['max-rows']
    if (!/^\d+$/.test(rows)) throw new ConfigurationError(`--max-rows: "${rows}" is not a number of rows`)
    options.maxRows = Number(rows)
  }
  return options
}

function parseInstall(args: readonly string[]): CliInstallOptions {
  const specs: Record<string, FlagSpec> = {
    'dry-run': { type: 'boolean' },
    scanners: { type: 'string', multiple: true },
    platform: { type: 'string' },
    'tools-mirror': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }
  for (const { flag, kind } of INPUT_FLAGS) if (kind === 'version') specs[flag] = { type: 'string' }
  const { values, positionals } = parseOrThrow('install', args, specs)
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
