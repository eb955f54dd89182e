/**
 * Snyk Container (`snyk container test`): OS packages plus the application dependencies Snyk finds in the
 * image. Needs SNYK_TOKEN, which is passed to the child through its environment only and is scrubbed
 * from anything we surface. Reads `docker-archive:` and `oci-archive:` tarballs; not OCI layout
 * directories. Daemon images go through the tarball the pipeline saved.
 */
import { join } from 'node:path'
import { mkdir, stat } from 'node:fs/promises'
import type { Finding, FixState } from '../findings/finding.js'
import { normalizeSeverity, type Severity } from '../findings/severity.js'
import { imageSourceIn } from '../target/image-forms.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ToolSpec } from '../tools/tool-spec.js'
import { ScannerError, errorMessage } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import {
  isRecord,
  nonBlankString,
  parseJsonText,
  reportFailure,
  stringItems,
  unique,
  type JsonRecord,
} from './report-json.js'
import { readReportFile, runScanner } from './run-scanner.js'
import type { ParseContext, ScanContext, Scanner } from './scanner.js'

const ID = 'snyk'

export const SNYK_NO_TOKEN = 'snyk needs SNYK_TOKEN in the environment (a secret)'

/** `snyk container test` exit codes (help/cli-commands/container-test.md). */
export const SNYK_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'no vulnerabilities found',
  1: 'vulnerabilities found',
  2: 'failure',
  3: 'no supported projects detected',
}

const ASSETS: Record<Platform, string> = {
  'linux-x64': 'snyk-linux',
  'linux-arm64': 'snyk-linux-arm64',
  'darwin-x64': 'snyk-macos',
  'darwin-arm64': 'snyk-macos-arm64',
  'win32-x64': 'snyk-win.exe',
}

/** Raw binaries from `https://github.com/snyk/cli/releases/download/v<V>/…`, each with `<asset>.sha256`. */
export const snykTool: ToolSpec = {
  name: ID,
  repository: 'snyk/cli',
  tag: (version) => `v${version.replace(/^v/, '')}`,
  asset: (_version, platform) => ({
    name: ASSETS[platform],
    format: 'raw',
    executable: platform === 'win32-x64' ? 'snyk.exe' : 'snyk',
  }),
  checksums: () => ({ kind: 'per-asset', suffix: '.sha256' }),
}

/** Arguments of `snyk container test` for an image source. Pure; the token is never an argument. */
export function snykArgs(options: { source: ImageSource; reportFile: string }): string[] {
  const { source, reportFile } = options
  let image: string
  if (source.kind === 'oci-archive') image = `oci-archive:${source.path}`
  else if (source.kind === 'oci-dir') {
    throw new ScannerError(
      ID,
      `snyk cannot read an OCI layout directory (${source.input}): it takes docker-archive or oci-archive ` +
        'tarballs',
    )
  } else if (source.kind === 'daemon' && source.path.trim() === '') {
    image = source.reference ?? source.input // not exported yet: snyk reads it from the daemon
  } else image = `docker-archive:${source.path}`
  return ['container', 'test', image, `--json-file-output=${reportFile}`]
}

/** Replaces every occurrence of the token so it can never reach a log, an annotation or the summary. */
export function scrubToken(text: string, token: string | undefined): string {
  return token !== undefined && token.length >= 4 ? text.split(token).join('***') : text
}

function scrubbed(error: unknown, token: string): ScannerError {
  // The cause is dropped on purpose: its message may hold the token.
  return new ScannerError(ID, scrubToken(errorMessage(error), token))
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  const token = ctx.env.SNYK_TOKEN
  if (token === undefined || token === '') throw new ScannerError(ID, SNYK_NO_TOKEN)
  await mkdir(ctx.workDir, { recursive: true })
  const reportFile = join(ctx.workDir, 'snyk.json')
  // Snyk reads docker-archive and oci-archive tarballs, not an OCI directory: that is written once as a
  // docker-archive, shared with the other scanners that need one.
  const source = ctx.source.kind === 'oci-dir' ? await imageSourceIn(ctx, ['docker-archive']) : ctx.source
  const args = snykArgs({ source, reportFile })
  let exitCode: number | null
  let tail: string
  try {
    const { result } = await runScanner(ctx, ID, { args, okExitCodes: [0, 1, 2, 3] })
    exitCode = result.exitCode
    tail = tailLines(result.stderr || result.stdout)
  } catch (error) {
    throw scrubbed(error, token)
  }
  const parseContext = { target: ctx.target, origin: reportFile }
  if (exitCode === 0 || exitCode === 1) {
    try {
      return parseSnykReport(await readReportFile(ID, reportFile, tail), parseContext)
    } catch (error) {
      throw scrubbed(error, token)
    }
  }
  // A failure often still writes `{ ok: false, error }`: that error says more than the exit code.
  const reported = await reportedError(reportFile)
  if (reported !== undefined) {
    throw new ScannerError(ID, scrubToken(`snyk exited with code ${exitCode}: ${reported}`, token))
  }
  const message = `snyk exited with code ${exitCode} (${SNYK_EXIT_CODES[exitCode ?? -1] ?? 'error'})`
  throw new ScannerError(ID, scrubToken(tail ? `${message}\n${tail}` : message, token))
}

/** The `error` of a `{ ok: false, error }` report, when the failed run wrote one. */
async function reportedError(reportFile: string): Promise<string | undefined> {
  const size = await stat(reportFile).then(
    (s) => s.size,
    () => 0,
  )
  if (size === 0) return undefined
  try {
    parseSnykReport(await readReportFile(ID, reportFile), { origin: reportFile })
    return undefined
  } catch (error) {
    return error instanceof SnykReportedError ? error.reported : undefined
  }
}

export const snyk: Scanner = {
  id: ID,
  name: 'Snyk',
  tool: snykTool,
  unavailableReason: ({ env }) =>
    env.SNYK_TOKEN === undefined || env.SNYK_TOKEN === '' ? SNYK_NO_TOKEN : undefined,
  scan,
}

// ---------------------------------------------------------------------------------------------------
// Report parsing

/** A report that is Snyk's own error (`{ ok: false, error }`), not a result. */
class SnykReportedError extends ScannerError {
  constructor(readonly reported: string) {
    super(ID, `snyk reported an error: ${reported}`)
  }
}

/** Package managers of the OS project, whose package names are `source/binary`. */
const OS_PACKAGE_MANAGERS = new Set(['apk', 'deb', 'rpm', 'linux', 'dpkg'])

interface Project {
  type: string
  os: boolean
  path?: string
}

/**
 * Reads `snyk container test --json` output: one project object, or an array of them. Each has the OS
 * vulnerabilities, `applications[]` (npm, maven, … with `targetFile`) and `docker.binariesVulns`. One
 * finding per (vulnerability, package, version), however many dependency paths repeat it. Pure.
 */
export function parseSnykReport(text: string, ctx: ParseContext): Finding[] {
  const fail = reportFailure(ID, ctx.origin)
  const root = parseJsonText(text, fail)
  const projects = Array.isArray(root) ? root : [root]
  if (projects.length === 0) return fail('is an empty array')
  const findings = new Map<string, Finding>()
  const add = (vuln: unknown, project: Project, target: string, where: string): void => {
    if (!isRecord(vuln) || nonBlankString(vuln.id) === undefined) return fail(`${where} has no "id"`)
    const finding = vulnFinding(vuln, project, target)
    const p = finding.package!
    const key = [finding.ruleId, vuln.id, p.type, p.name, p.version, p.path ?? ''].join('\u0000')
    if (!findings.has(key)) findings.set(key, finding)
  }
  projects.forEach((project: unknown, i) => {
    const at = Array.isArray(root) ? `[${i}]` : ''
    if (!isRecord(project)) return fail(`${at || 'root'} is not an object`)
    const error = nonBlankString(project.error)
    if (error !== undefined) throw new SnykReportedError(error)
    if (!Array.isArray(project.vulnerabilities)) return fail(`${at}.vulnerabilities is missing`)
    const target = ctx.target ?? nonBlankString(project.path) ?? ctx.origin
    const type = (nonBlankString(project.packageManager) ?? 'unknown').toLowerCase()
    const osProject: Project = {
      type,
      os: OS_PACKAGE_MANAGERS.has(type) && nonBlankString(project.targetFile) === undefined,
    }
    const appPath = nonBlankString(project.targetFile)
    if (!osProject.os && appPath !== undefined) osProject.path = appPath
    project.vulnerabilities.forEach((v, k) => {
      add(v, osProject, target, `${at}.vulnerabilities[${k}]`)
    })
    const applications = Array.isArray(project.applications) ? project.applications : []
    applications.forEach((app: unknown, a) => {
      if (!isRecord(app) || !Array.isArray(app.vulnerabilities))
        return fail(`${at}.applications[${a}] has no vulnerabilities`)
      const appProject: Project = {
        type: (nonBlankString(app.packageManager) ?? 'unknown').toLowerCase(),
        os: false,
      }
      const file = nonBlankString(app.targetFile) ?? nonBlankString(app.displayTargetFile)
      if (file !== undefined) appProject.path = file
      app.vulnerabilities.forEach((v, k) => {
        add(v, appProject, target, `${at}.applications[${a}].vulnerabilities[${k}]`)
      })
    })
    for (const [k, v] of binariesVulns(project.docker).entries())
      add(v, { type: 'binary', os: false }, target, `${at}.docker.binariesVulns[${k}]`)
  })
  return [...findings.values()]
}

/** `docker.binariesVulns`: `{ issuesData: {id: vuln}, affectedPkgs: {"node/5.10.1": {pkg, issues}} }`. */
function binariesVulns(docker: unknown): JsonRecord[] {
  if (!isRecord(docker) || !isRecord(docker.binariesVulns)) return []
  const { issuesData, affectedPkgs } = docker.binariesVulns
  if (!isRecord(issuesData) || !isRecord(affectedPkgs)) return []
  const vulns: JsonRecord[] = []
  for (const affected of Object.values(affectedPkgs)) {
    if (!isRecord(affected) || !isRecord(affected.pkg) || !isRecord(affected.issues)) continue
    for (const issue of Object.values(affected.issues)) {
      const issueId = isRecord(issue) ? nonBlankString(issue.issueId) : undefined
      const data = issueId !== undefined ? issuesData[issueId] : undefined
      if (!isRecord(data) || !isRecord(issue)) continue
      const nearest = isRecord(issue.fixInfo)
        ? nonBlankString(issue.fixInfo.nearestFixedInVersion)
        : undefined
      vulns.push({
        ...data,
        id: nonBlankString(data.id) ?? issueId,
        name: affected.pkg.name,
        version: affected.pkg.version,
        ...(nearest !== undefined ? { nearestFixedInVersion: nearest } : {}),
      })
    }
  }
  return vulns
}

function vulnFinding(vuln: JsonRecord, project: Project, target: string): Finding {
  const snykId = vuln.id as string
  const identifiers = isRecord(vuln.identifiers) ? vuln.identifiers : {}
  const cves = stringItems(identifiers.CVE)
  const ruleId = cves[0] ?? snykId
  const aliases = unique([
    ...cves,
    ...stringItems(identifiers.GHSA),
    snykId,
    ...stringItems(identifiers.ALTERNATIVE),
  ]).filter((id) => id !== ruleId)
  const original = nonBlankString(vuln.severityWithCritical) ?? nonBlankString(vuln.severity)
  const severity = normalizeSeverity(original)
  let name = nonBlankString(vuln.name) ?? nonBlankString(vuln.packageName) ?? ''
  // OS packages are named `source/binary` (`openssl/libssl1.1`); other scanners name the binary package.
  if (project.os && name.includes('/')) name = name.slice(name.lastIndexOf('/') + 1)
  const finding: Finding = {
    kind: 'vulnerability',
    ruleId,
    aliases,
    title: nonBlankString(vuln.title) ?? ruleId,
    description: nonBlankString(vuln.description) ?? nonBlankString(vuln.title) ?? ruleId,
    severity,
    severityBySource: { [ID]: original !== undefined ? { severity, original } : { severity } },
    detectedBy: [ID],
    target,
    package: { name, version: nonBlankString(vuln.version) ?? '', type: project.type },
    fix: fixOf(vuln),
    references: unique(
      (Array.isArray(vuln.references) ? vuln.references : [])
        .map((r: unknown) => (isRecord(r) ? nonBlankString(r.url) : undefined))
        .filter((u): u is string => u !== undefined),
    ),
  }
  if (project.path !== undefined) finding.package!.path = project.path
  if (typeof vuln.cvssScore === 'number' && Number.isFinite(vuln.cvssScore)) finding.score = vuln.cvssScore
  const vendor = vendorSeverities(vuln)
  if (Object.keys(vendor).length > 0) finding.vendorSeverity = vendor
  return finding
}

function vendorSeverities(vuln: JsonRecord): Record<string, Severity> {
  const vendor: Record<string, Severity> = {}
  for (const detail of Array.isArray(vuln.cvssDetails) ? vuln.cvssDetails : []) {
    if (!isRecord(detail)) continue
    const assigner = nonBlankString(detail.assigner)?.toLowerCase().replace(/\s+/g, '')
    const severity = normalizeSeverity(nonBlankString(detail.severity))
    if (assigner !== undefined && severity !== 'unknown') vendor[assigner] = severity
  }
  const nvd = normalizeSeverity(nonBlankString(vuln.nvdSeverity))
  if (nvd !== 'unknown') vendor.nvd = nvd
  return vendor
}

function fixOf(vuln: JsonRecord): { state: FixState; versions: string[] } {
  const versions = unique([...stringItems(vuln.fixedIn), ...stringItems([vuln.nearestFixedInVersion])])
  if (versions.length > 0) return { state: 'fixed', versions }
  if (vuln.isUpgradable === true || vuln.isPatchable === true) return { state: 'fixed', versions: [] }
  return { state: Array.isArray(vuln.fixedIn) ? 'not-fixed' : 'unknown', versions: [] }
}
