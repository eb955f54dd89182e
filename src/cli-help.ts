/**
 * The CLI's help texts, built from the input table (flags, value placeholders, defaults), and the
 * "did you mean" suggestion for a mistyped flag. Pure.
 */
import { INPUT_DEFINITIONS, type InputDefinition } from './config/inputs.js'
import { REPORT_FORMATS } from './scanners/scanner.js'

const PROGRAM = 'container-security-gate'
const WIDTH = 100
const FLAG_COLUMN = 34

/** What a flag's value is, when the input kind alone does not say it well. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  '--fail-on': '<severity>',
  '--severity-source': '<highest|scanner>',
  '--cosign-severity': '<severity>',
  '--platform': '<os/arch[/variant],...|all>',
  '--registry-username': '<user>',
  '--registry-password': '<password>',
  '--insecure-registries': '<hosts>',
  '--report': '<[format:]path>',
  '--tools-mirror': '<url>',
  '--trivy-db-repository': '<repos>',
  '--docker-bench-checks': '<checks>',
  '--inspec-profile': '<profile>',
  '--cosign-key': '<key>',
  '--cosign-certificate-identity': '<identity>',
  '--cosign-certificate-oidc-issuer': '<url>',
  '--sbom-format': '<cyclonedx-json|spdx-json>',
  '--fail-on-epss': '<0..1>',
  '--sarif-severity': '<severity>',
}

interface FlagRow {
  flag: string
  description: string
}

function placeholder(d: InputDefinition & { flag: string }): string {
  const explicit = PLACEHOLDERS[d.flag]
  if (explicit !== undefined) return ` ${explicit}`
  switch (d.kind) {
    case 'boolean':
      return ''
    case 'list':
      return ' <list>'
    case 'duration':
      return ' <duration>'
    case 'version':
      return ' <version>'
    case 'choice':
      return ` <${(d.choices ?? []).join('|')}>`
    default:
      return ' <path>'
  }
}

/** Where the CLI flag differs from the action input it carries (repeated, not one per line). */
const CLI_DESCRIPTIONS: Readonly<Record<string, string>> = {
  '--report':
    'An existing report to import instead of (or besides) running scanners, as FORMAT:PATH (FORMAT one of ' +
    `${REPORT_FORMATS.join(', ')}), or PATH alone for Trivy, Grype, SARIF and findings JSON (a matrix leg's --json file), which say what they are. ` +
    'Repeatable.',
}

function inputRow(d: InputDefinition & { flag: string }): FlagRow {
  // `false` is what a switch means when absent; an empty default says nothing.
  const shown = d.default !== undefined && d.default !== '' && d.kind !== 'boolean'
  // The group heading says what a version defaults to.
  const description =
    d.kind === 'version'
      ? d.description.replace(/ \(default: [^)]*\)/, ': latest or a version number')
      : (CLI_DESCRIPTIONS[d.flag] ?? d.description)
  return {
    flag: `${d.flag}${placeholder(d)}`,
    description: shown ? `${description} [default: ${d.default}]` : description,
  }
}

const FLAGGED: readonly (InputDefinition & { flag: string })[] = (
  INPUT_DEFINITIONS as readonly InputDefinition[]
).filter((d): d is InputDefinition & { flag: string } => d.flag !== undefined)

const CLI_ONLY_SCAN_FLAGS: readonly FlagRow[] = [
  {
    flag: '--format <table|json>',
    description: 'Output on stdout: a table or the findings JSON. [default: table]',
  },
  { flag: '--max-rows <n>', description: 'Findings the table lists, most severe first. [default: 25]' },
  { flag: '--all', description: 'List every finding in the table.' },
  { flag: '--no-color', description: 'No ANSI colours.' },
  { flag: '-v, --verbose', description: 'Log progress to stderr.' },
  { flag: '-h, --help', description: 'This help.' },
]

/** Words wrapped at `WIDTH`, continuation lines indented under the description column. */
function formatRows(rows: readonly FlagRow[]): string {
  const lines: string[] = []
  for (const { flag, description } of rows) {
    const words = description.split(/\s+/)
    const head = `  ${flag}`
    let line = head.length >= FLAG_COLUMN ? `${head}\n${' '.repeat(FLAG_COLUMN)}` : head.padEnd(FLAG_COLUMN)
    let lineStart = line.lastIndexOf('\n') + 1
    let empty = true
    for (const word of words) {
      if (!empty && line.length - lineStart + 1 + word.length > WIDTH) {
        line += `\n${' '.repeat(FLAG_COLUMN)}`
        lineStart = line.lastIndexOf('\n') + 1
        empty = true
      }
      line += empty ? word : ` ${word}`
      empty = false
    }
    lines.push(line)
  }
  return lines.join('\n')
}

const EXIT_CODES = `Exit codes: 0 pass, 1 the gate failed, 2 bad usage or configuration, 3 an image, scanner or report
could not be read.`

export const TOP_HELP = `${PROGRAM} — gate CI on the security of a container image

Usage:
  ${PROGRAM} scan IMAGE... [options]      scan images (${PROGRAM} scan --help)
  ${PROGRAM} install --scanners <list>    install scanners (${PROGRAM} install --help)
  ${PROGRAM} -h, --help | -V, --version

${examples()}

${EXIT_CODES}
`

function examples(): string {
  return `Examples:
  ${PROGRAM} scan app:ci
  ${PROGRAM} scan app.tar --scanners builtin,trivy,grype --fail-on critical --sarif app.sarif
  ${PROGRAM} scan app:ci --scanners builtin --report trivy.json --format json`
}

export function scanHelp(): string {
  const general = FLAGGED.filter((d) => d.kind !== 'version').map(inputRow)
  const versions = FLAGGED.filter((d) => d.kind === 'version').map(inputRow)
  return `Usage: ${PROGRAM} scan IMAGE... [options]

IMAGE is a local Docker reference (app:ci), a docker save tarball, an OCI layout directory, an OCI
archive (prefixes docker-archive:, oci-archive:, oci-dir:, docker: force the form), or
registry:HOST/REPO:TAG or registry:HOST/REPO@sha256:... (pulled from its registry, no daemon needed).

Options:
${formatRows([...general, ...CLI_ONLY_SCAN_FLAGS])}

Scanner versions (default: the pinned, checksum-verified version):
${formatRows(versions)}

${examples()}

${EXIT_CODES}
`
}

export function installHelp(): string {
  const versions = FLAGGED.filter((d) => d.kind === 'version').map(inputRow)
  return `Usage: ${PROGRAM} install --scanners <list> [--dry-run] [--platform <platform>] [options]

Downloads and verifies scanners into the tool cache, as the action does (or, with --dry-run, shows what
it would download).

Options:
${formatRows([
  { flag: '--scanners <list>', description: 'Scanners to install, comma separated (required).' },
  { flag: '--dry-run', description: 'Show the asset URL and checksum source; download nothing.' },
  {
    flag: '--platform <platform>',
    description: 'linux-x64, linux-arm64, darwin-x64, darwin-arm64 or win32-x64. [default: this machine]',
  },
  { flag: '--tools-mirror <url>', description: 'Download release assets from this mirror of github.com.' },
  { flag: '-h, --help', description: 'This help.' },
])}

Scanner versions (default: the pinned, checksum-verified version):
${formatRows(versions)}

Examples:
  ${PROGRAM} install --scanners trivy,grype
  ${PROGRAM} install --scanners trivy --trivy-version latest --dry-run
  ${PROGRAM} install --scanners grype --platform linux-arm64 --dry-run
`
}

/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** The known flag closest to a mistyped one, when it is close enough to be a typo (a third of its length). */
export function closestFlag(given: string, known: readonly string[]): string | undefined {
  const bare = given.replace(/^-+/, '').split('=')[0] ?? ''
  let best: { flag: string; distance: number } | undefined
  for (const flag of known) {
    const distance = editDistance(bare, flag)
    if (best === undefined || distance < best.distance) best = { flag, distance }
  }
  if (best === undefined || best.distance > Math.max(2, Math.floor(bare.length / 3))) return undefined
  return `--${best.flag}`
}
