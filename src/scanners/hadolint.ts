/**
 * hadolint: lints the Dockerfile (DL* rules and the ShellCheck SC* rules of RUN scripts). It needs the
 * Dockerfile, not the image. It prints its JSON report to stdout (it has no output-file flag).
 *
 * Severity mapping (hadolint's levels are lint levels, not CVSS): `error` → high, `warning` → medium,
 * `info` and `style` → low. So only hadolint errors fail a `high` gate; warnings (unpinned packages, root
 * USER) fail a `medium` one. The original level is kept in `severityBySource`.
 */
import type { Finding } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'
import type { Platform, ToolSpec } from '../tools/tool-spec.js'
import { ScannerError } from '../util/errors.js'
import { tailLines, type CommandRunner } from '../util/exec.js'
import { isRecord, parseJsonText, reportFailure } from './report-json.js'
import { runScanner } from './run-scanner.js'
import type { ParseContext, ScanContext, Scanner, UnavailabilityContext } from './scanner.js'

const ID = 'hadolint'

export const HADOLINT_NO_DOCKERFILE = 'hadolint needs a Dockerfile (input `dockerfile`)'

/**
 * With `--no-fail` hadolint exits 0 whatever it found; 1 is a failure (bad config, unreadable file) unless
 * stdout still holds a report with findings (older builds without `--no-fail` semantics).
 */
export const HADOLINT_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'completed',
  1: 'rule violations (without --no-fail) or an error',
}

/** Levels → ours; see the file comment. */
export const HADOLINT_SEVERITY: Readonly<Record<string, Severity>> = {
  error: 'high',
  warning: 'medium',
  info: 'low',
  style: 'low',
}

/** Largest stdout report kept in memory. */
const MAX_STDOUT_BYTES = 64 * 1024 * 1024

/** Release names from v2.13 on (release.yml: `hadolint-{linux,macos,windows}-…`, macOS arm64 added). */
const CURRENT_ASSETS: Record<Platform, string> = {
  'linux-x64': 'hadolint-linux-x86_64',
  'linux-arm64': 'hadolint-linux-arm64',
  'darwin-x64': 'hadolint-macos-x86_64',
  'darwin-arm64': 'hadolint-macos-arm64',
  'win32-x64': 'hadolint-windows-x86_64.exe',
}
/** Release names up to v2.12 (`hadolint-{Linux,Darwin,Windows}-…`, no macOS arm64 build). */
const LEGACY_ASSETS: Partial<Record<Platform, string>> = {
  'linux-x64': 'hadolint-Linux-x86_64',
  'linux-arm64': 'hadolint-Linux-arm64',
  'darwin-x64': 'hadolint-Darwin-x86_64',
  'win32-x64': 'hadolint-Windows-x86_64.exe',
}

const bare = (version: string): string => version.replace(/^v/, '')

/** True for versions from `major.minor` on. */
function atLeast(version: string, wantedMinor: number): boolean {
  const [major = 0, minor = 0] = bare(version)
    .split(/[.-]/)
    .map((part) => Number.parseInt(part, 10))
  return major > 2 || (major === 2 && minor >= wantedMinor)
}

/** True for versions that publish the lower-case asset names (2.13.0 and later). */
const usesCurrentAssetNames = (version: string): boolean => atLeast(version, 13)

/**
 * Raw binaries. Up to v2.14 each has a `<asset>.sha256` (release.yml at v2.14.0: `sha256sum -b
 * hadolint-linux-x86_64 > hadolint-linux-x86_64.sha256`, …); from v2.15.0 the release carries one
 * `checksums.sha256` instead (release.yml at v2.15.0 and v2.15.1: `sha256sum -b hadolint* >
 * checksums.sha256`, lines `<sha256> *<asset>`).
 */
export const hadolintTool: ToolSpec = {
  name: ID,
  repository: 'hadolint/hadolint',
  tag: (version) => `v${bare(version)}`,
  asset(version, platform) {
    const name = (usesCurrentAssetNames(version) ? CURRENT_ASSETS : LEGACY_ASSETS)[platform]
    if (name === undefined) return undefined
    return { name, format: 'raw', executable: platform === 'win32-x64' ? 'hadolint.exe' : 'hadolint' }
  },
  checksums: (version) =>
    atLeast(version, 15)
      ? { kind: 'checksums-file', name: 'checksums.sha256' }
      : { kind: 'per-asset', suffix: '.sha256' },
}

/** Arguments of `hadolint` for a Dockerfile. Pure. */
export function hadolintArgs(options: { dockerfile: string }): string[] {
  return ['--format', 'json', '--no-fail', options.dockerfile]
}

/**
 * hadolint lints the Dockerfile, not the image: without one (input `dockerfile`) it cannot run, which this
 * says before anything is installed. `scan()` checks again for callers that run it directly.
 */
function unavailableReason(ctx: UnavailabilityContext): string | undefined {
  return ctx.dockerfile === undefined || ctx.dockerfile === '' ? HADOLINT_NO_DOCKERFILE : undefined
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  const dockerfile = ctx.dockerfile
  if (dockerfile === undefined || dockerfile === '') throw new ScannerError(ID, HADOLINT_NO_DOCKERFILE)
  // runScanner keeps only a tail of stdout; collect all of it, since that is where the report is.
  const captured = { chunks: [] as Buffer[], size: 0, overflow: false }
  const run: CommandRunner = (command, args, options) =>
    ctx.run(command, args, {
      ...options,
      onStdout: (chunk) => {
        options?.onStdout?.(chunk)
        captured.size += chunk.length
        if (captured.size > MAX_STDOUT_BYTES) captured.overflow = true
        else captured.chunks.push(chunk)
      },
    })
  const { result } = await runScanner({ ...ctx, run }, ID, {
    args: hadolintArgs({ dockerfile }),
    okExitCodes: [0, 1],
  })
  const origin = `hadolint ${dockerfile}`
  if (captured.overflow) {
    throw new ScannerError(
      ID,
      `hadolint printed more than ${MAX_STDOUT_BYTES / 1048576} MiB for ${dockerfile}`,
    )
  }
  const stdout = Buffer.concat(captured.chunks).toString('utf8')
  const tail = tailLines(result.stderr)
  if (stdout.trim() === '') {
    const how =
      result.exitCode === 0
        ? 'printed no report'
        : `exited with code ${result.exitCode} and printed no report`
    throw new ScannerError(ID, tail ? `hadolint ${how}\n${tail}` : `hadolint ${how}`)
  }
  let findings: Finding[]
  try {
    findings = parseHadolintReport(stdout, { target: ctx.target, origin })
  } catch (error) {
    if (result.exitCode === 0) throw error
    throw new ScannerError(
      ID,
      tail ? `hadolint exited with code 1\n${tail}` : 'hadolint exited with code 1',
      {
        cause: error,
      },
    )
  }
  // Exit 1 with an empty report is a failure that happened to print `[]`, not a clean Dockerfile.
  if (result.exitCode === 1 && findings.length === 0) {
    throw new ScannerError(ID, tail ? `hadolint exited with code 1\n${tail}` : 'hadolint exited with code 1')
  }
  return findings
}

export const hadolint: Scanner = {
  id: ID,
  name: 'hadolint',
  tool: hadolintTool,
  // Its report names the Dockerfile as hadolint was given it (an absolute or temp path).
  locatesInDockerfile: true,
  unavailableReason,
  scan,
}

// ---------------------------------------------------------------------------------------------------
// Report parsing

/** The rule's documentation: hadolint's wiki for DL rules, ShellCheck's for SC rules. */
export function hadolintRuleUrl(code: string): string {
  if (/^SC\d+$/.test(code)) return `https://www.shellcheck.net/wiki/${code}`
  // A lone surrogate (from a corrupt report) would make encodeURIComponent throw a URIError.
  return `https://github.com/hadolint/hadolint/wiki/${encodeURIComponent(code.replace(/\p{Cs}/gu, '\uFFFD'))}`
}

/** Reads a `hadolint --format json` report (an array of `{line, code, message, column, file, level}`). Pure. */
export function parseHadolintReport(text: string, ctx: ParseContext): Finding[] {
  const fail = reportFailure(ID, ctx.origin)
  const root = parseJsonText(text, fail)
  if (!Array.isArray(root)) return fail('is not a JSON array of findings')
  return root.map((item: unknown, i): Finding => {
    if (!isRecord(item)) return fail(`[${i}] is not an object`)
    const entry = item
    const code = entry.code
    if (typeof code !== 'string' || code === '') return fail(`[${i}] has no "code"`)
    const message = typeof entry.message === 'string' && entry.message !== '' ? entry.message : code
    const level = typeof entry.level === 'string' ? entry.level.toLowerCase() : ''
    // Own keys only: a level like `constructor` must not find Object.prototype's members.
    const severity = Object.hasOwn(HADOLINT_SEVERITY, level) ? HADOLINT_SEVERITY[level]! : 'unknown'
    // Windows paths (`dir\\Dockerfile`) are kept as one path with `/` separators.
    const file =
      typeof entry.file === 'string' && entry.file !== '' ? entry.file.replace(/\\/g, '/') : 'Dockerfile'
    const line =
      typeof entry.line === 'number' && Number.isInteger(entry.line) && entry.line > 0 ? entry.line : 1
    const url = hadolintRuleUrl(code)
    return {
      kind: 'misconfiguration',
      ruleId: code,
      aliases: [],
      title: message,
      description: message,
      severity,
      severityBySource: { [ID]: level !== '' ? { severity, original: level } : { severity } },
      detectedBy: [ID],
      target: ctx.target ?? file,
      location: { path: file, startLine: line },
      subject: file,
      references: [url],
      help: { text: `${message}\n${url}`, markdown: `${message}\n\nSee [${code}](${url}).` },
    }
  })
}
