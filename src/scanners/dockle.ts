/**
 * Dockle: CIS Docker image benchmark checks (CIS-DI-*) and Dockle's own (DKL-*). Reads a docker-archive
 * through `--input`; daemon images go through the tarball the pipeline saved, so no daemon is needed.
 * Dockle cannot read an OCI layout (its archive extractor needs `manifest.json`): one is written once as a
 * docker-archive for it. It publishes no Windows build.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding, InstructionHint } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'
import { imageSourceIn } from '../target/image-forms.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ToolSpec } from '../tools/tool-spec.js'
import { ScannerError } from '../util/errors.js'
import { isRecord, parseJsonText, reportFailure, truncate } from './report-json.js'
import { runScanner } from './run-scanner.js'
import type { ParseContext, ScanContext, Scanner } from './scanner.js'

const ID = 'dockle'

export const DOCKLE_WINDOWS_REASON = 'Dockle publishes no Windows build'

/** Dockle exits 0 when it completed (we pass `--exit-code 0`); any other code is an error. */
export const DOCKLE_EXIT_CODES: Readonly<Record<number, string>> = { 0: 'completed', 1: 'error' }

/** goreleaser archive names: `dockle_{V}_{Linux|macOS}-{64bit|ARM64}.tar.gz`; goos is darwin and linux only. */
const ASSET_PLATFORM: Partial<Record<Platform, string>> = {
  'linux-x64': 'Linux-64bit',
  'linux-arm64': 'Linux-ARM64',
  'darwin-x64': 'macOS-64bit',
  'darwin-arm64': 'macOS-ARM64',
}

const bare = (version: string): string => version.replace(/^v/, '')

export const dockleTool: ToolSpec = {
  name: ID,
  repository: 'goodwithtech/dockle',
  tag: (version) => `v${bare(version)}`,
  asset(version, platform) {
    const suffix = ASSET_PLATFORM[platform]
    if (suffix === undefined) return undefined
    return { name: `dockle_${bare(version)}_${suffix}.tar.gz`, format: 'tar.gz', executable: 'dockle' }
  },
  checksums: (version) => ({ kind: 'checksums-file', name: `dockle_${bare(version)}_checksums.txt` }),
}

/** Arguments of `dockle` for an image source. Pure. */
export function dockleArgs(options: {
  source: ImageSource
  reportFile: string
  timeoutMs: number
}): string[] {
  const { source, reportFile, timeoutMs } = options
  if (source.kind === 'oci-dir' || source.kind === 'oci-archive') {
    throw new ScannerError(
      ID,
      `dockle cannot read an OCI image layout (${source.input}): \`--input\` takes a docker-archive ` +
        '(docker save) tarball',
    )
  }
  return [
    '--format',
    'json',
    '--output',
    reportFile,
    '--exit-code',
    '0',
    // Dockle bounds the whole run by its own --timeout (90s by default); give it ours.
    '--timeout',
    `${Math.max(1, Math.ceil(timeoutMs / 1000))}s`,
    // A daemon image not exported yet is named by reference; otherwise dockle reads the tarball.
    ...(source.kind === 'daemon' && source.path.trim() === ''
      ? [source.reference ?? source.input]
      : ['--input', source.path]),
  ]
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  await mkdir(ctx.workDir, { recursive: true })
  const reportFile = join(ctx.workDir, 'dockle.json')
  // An OCI layout or archive is written once as a docker-archive (pkg/scanner/scan.go at v0.4.14 opens
  // `--input` with deckoder's NewDockerArchiveExtractor, which needs manifest.json).
  const source = await imageSourceIn(ctx, ['docker-archive'])
  const args = dockleArgs({ source, reportFile, timeoutMs: ctx.timeoutMs })
  const { report } = await runScanner(ctx, ID, { args, okExitCodes: [0], reportFile })
  return parseDockleReport(report ?? '', { target: ctx.target, origin: reportFile })
}

export const dockle: Scanner = {
  id: ID,
  name: 'Dockle',
  tool: dockleTool,
  unavailableReason: ({ platform }) => (platform === 'win32-x64' ? DOCKLE_WINDOWS_REASON : undefined),
  scan,
}

// ---------------------------------------------------------------------------------------------------
// Report parsing

/** Dockle levels → ours. PASS, SKIP and IGNORE are not findings. */
const LEVELS: Record<string, Severity | null> = {
  FATAL: 'high',
  WARN: 'medium',
  INFO: 'low',
  PASS: null,
  SKIP: null,
  IGNORE: null,
}

/** The Dockerfile instruction a check is about, so attribution can find its line. */
function instructionFor(code: string, alerts: string[]): InstructionHint | undefined {
  switch (code) {
    case 'CIS-DI-0001':
      return { keyword: 'USER' }
    case 'CIS-DI-0006':
      return { keyword: 'FROM' } // no HEALTHCHECK in the final stage
    case 'CIS-DI-0009':
      return { keyword: 'ADD' }
    case 'CIS-DI-0010': {
      const key = alerts
        .map((a) => /Suspicious ENV key found\s*:\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(a)?.[1])
        .find(Boolean)
      return key !== undefined ? { keyword: 'ENV', argument: key } : undefined
    }
    case 'CIS-DI-0007':
    case 'DKL-DI-0001':
    case 'DKL-DI-0003':
    case 'DKL-DI-0004':
    case 'DKL-DI-0005':
      return { keyword: 'RUN' }
    default:
      return undefined
  }
}

/** Reads a `dockle --format json` report. Pure. */
export function parseDockleReport(text: string, ctx: ParseContext): Finding[] {
  const fail = reportFailure(ID, ctx.origin)
  const root = parseJsonText(text, fail)
  if (!isRecord(root)) return fail('is not a JSON object')
  if (!Array.isArray(root.details)) return fail('has no "details" array')
  const target = ctx.target ?? (typeof root.image === 'string' && root.image !== '' ? root.image : ctx.origin)
  const details = root.details.map((detail, i) => {
    if (!isRecord(detail) || typeof detail.code !== 'string' || detail.code === '') {
      return fail(`details[${i}] has no "code"`)
    }
    if (typeof detail.level !== 'string') return fail(`details[${i}] (${detail.code}) has no "level"`)
    const alerts = Array.isArray(detail.alerts)
      ? detail.alerts.filter((a): a is string => typeof a === 'string')
      : []
    const title = typeof detail.title === 'string' && detail.title !== '' ? detail.title : detail.code
    return { code: detail.code, level: detail.level.toUpperCase(), title, alerts }
  })
  // Old dockle reported CIS-DI-0010 twice (ENV and files) with different titles: keep both apart.
  const codeCount = new Map<string, number>()
  for (const d of details) codeCount.set(d.code, (codeCount.get(d.code) ?? 0) + 1)
  const findings: Finding[] = []
  for (const d of details) {
    const mapped = Object.hasOwn(LEVELS, d.level) ? LEVELS[d.level] : 'unknown'
    if (mapped === null || mapped === undefined) continue
    const alerts = d.alerts.map(maskSecretValues)
    const finding: Finding = {
      kind: 'compliance',
      ruleId: d.code,
      aliases: [],
      title: d.title,
      description: alerts.length > 0 ? `${d.title}\n\n${alerts.map((a) => `- ${a}`).join('\n')}` : d.title,
      severity: mapped,
      severityBySource: { [ID]: { severity: mapped, original: d.level } },
      detectedBy: [ID],
      target,
      references: [`https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#${d.code}`],
    }
    if ((codeCount.get(d.code) ?? 0) > 1) finding.subject = d.title
    const instruction = instructionFor(d.code, d.alerts)
    if (instruction !== undefined) finding.instruction = instruction
    if (alerts[0] !== undefined) finding.evidence = truncate(alerts[0], 200)
    findings.push(finding)
  }
  return findings
}

const SENSITIVE_NAME = /pass|secret|key|access|token|credential|auth|private|api/i
const KNOWN_TOKENS: RegExp[] = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, // GitHub tokens
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g, // GitLab tokens
  /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g, // Slack tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
]

/**
 * Masks what looks like a secret value in an alert: `NAME=value` where the name looks sensitive
 * (dockle's CIS-DI-0010 quotes the history line; it masks only the value it flagged), credentials in
 * URLs, and well-known token formats. Names are kept: they identify the finding.
 */
export function maskSecretValues(text: string): string {
  let masked = text.replace(
    /\b([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|[^\s"'&;|]+)/g,
    (whole, name: string, value: string) =>
      SENSITIVE_NAME.test(name) && !/^\*+$/.test(value.replace(/["']/g, '')) ? `${name}=***` : whole,
  )
  masked = masked.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, '$1$2:***@')
  for (const pattern of KNOWN_TOKENS) masked = masked.replace(pattern, '***')
  return masked
}
