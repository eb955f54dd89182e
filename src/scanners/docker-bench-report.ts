/**
 * Reads the JSON log of Docker Bench for Security (`<logfile>.json`):
 *   {dockerbenchsecurity, start, tests: [{id, desc, results: [{id, desc, result, details?, items?,
 *    remediation?, remediation-impact?}]}], checks, score, end}
 * The shell script prints it with printf and no escaping, so a real log can hold unescaped quotes,
 * backslashes and control characters inside `desc`/`details`, and a killed run leaves it truncated.
 * Strict JSON is tried first; otherwise the log is read line by line in the layout the script prints
 * (one `"key": value` per line) so that every result, WARN above all, is still recovered. Pure.
 */
import type { Finding, InstructionHint } from '../findings/finding.js'
import { ScannerError } from '../util/errors.js'
import { isRecord, stripBom, truncate } from './report-json.js'
import type { ParseContext } from './scanner.js'

const ID = 'docker-bench'

export interface DockerBenchResult {
  id: string
  desc: string
  /** `PASS`, `WARN`, `INFO`, `NOTE` (upper-cased as found). */
  result: string
  details?: string
  items: string[]
  remediation?: string
  remediationImpact?: string
}

export interface DockerBenchLog {
  version?: string
  results: DockerBenchResult[]
  /** True when the log was closed (`checks`/`end` written): the run finished. */
  complete: boolean
  /** True when strict JSON failed and the line reader recovered the results. */
  repaired: boolean
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

function fromJson(root: unknown): DockerBenchLog | undefined {
  if (!isRecord(root) || !Array.isArray(root.tests)) return undefined
  const results: DockerBenchResult[] = []
  const take = (entry: unknown): void => {
    if (!isRecord(entry)) return
    const id = str(entry.id)
    const result = str(entry.result)
    if (id === undefined || result === undefined) return
    const item: DockerBenchResult = {
      id,
      desc: str(entry.desc) ?? id,
      result: result.toUpperCase(),
      items: Array.isArray(entry.items) ? entry.items.map(String) : [],
    }
    const details = str(entry.details)
    const remediation = str(entry.remediation)
    const impact = str(entry['remediation-impact'])
    if (details !== undefined) item.details = details
    if (remediation !== undefined) item.remediation = remediation
    if (impact !== undefined) item.remediationImpact = impact
    results.push(item)
  }
  for (const test of root.tests) {
    // `-c check_5_4` without its section header writes results straight into `tests`.
    if (isRecord(test) && Array.isArray(test.results)) test.results.forEach(take)
    else take(test)
  }
  const version = str(root.dockerbenchsecurity)
  return {
    ...(version !== undefined ? { version } : {}),
    results,
    complete: root.end !== undefined || root.checks !== undefined,
    repaired: false,
  }
}

const KEY_LINE =
  /^\s*"(dockerbenchsecurity|start|tests|id|desc|result|details|items|remediation|remediation-impact|results|checks|score|end)"\s*:\s?(.*)$/
const STRUCTURE_LINE = /^\s*[[\]{}],?\s*$/

/** A string value as printed: from the first quote to the last one, a trailing comma dropped. */
function unquote(raw: string): string {
  let text = raw.trim().replace(/,$/, '').trim()
  if (text.startsWith('"')) text = text.slice(1)
  if (text.endsWith('"')) text = text.slice(0, -1)
  // What is escaped correctly is unescaped; what is not stays as written.
  return text
    .replace(/\\(["\\/])/g, '$1')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t')
}

/**
 * The items of an `items` array as printed: `"a","b"` on one line. Items are words (the script splits
 * them on whitespace), so `","` separates them even when an item holds a stray quote.
 */
function itemsOf(lines: readonly string[]): string[] {
  const body = lines
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '[' && !/^\],?$/.test(l))
    .join(',')
    .replace(/^\[/, '')
    .replace(/\],?$/, '')
    .trim()
  if (body === '') return []
  return body
    .replace(/^"/, '')
    .replace(/"$/, '')
    .split('","')
    .map((item) => item.replace(/\\(["\\/])/g, '$1'))
}

/** The line reader: key lines start fields, other lines continue a multi-line value. */
function fromLines(text: string): DockerBenchLog {
  const lines = text.split(/\r?\n/)
  const fields: { key: string; value: string[] }[] = []
  let inItems = false
  for (const line of lines) {
    const key = KEY_LINE.exec(line)
    if (key !== null) {
      fields.push({ key: key[1]!, value: [key[2]!] })
      inItems = key[1] === 'items' && !/\]\s*,?\s*$/.test(key[2]!)
      continue
    }
    const last = fields[fields.length - 1]
    if (inItems && last !== undefined) {
      if (/^\s*\]\s*,?\s*$/.test(line)) inItems = false
      else last.value.push(line)
      continue
    }
    if (STRUCTURE_LINE.test(line) || line.trim() === '') continue
    // A value with a raw newline in it: the rest belongs to the field before.
    if (last !== undefined && last.key !== 'items') last.value.push(line)
  }
  const results: DockerBenchResult[] = []
  let version: string | undefined
  let complete = false
  let current: Partial<DockerBenchResult> = {}
  const flush = (): void => {
    const { id, result } = current
    if (id !== undefined && result !== undefined) {
      const item: DockerBenchResult = { id, result, desc: current.desc ?? id, items: current.items ?? [] }
      if (current.details !== undefined) item.details = current.details
      if (current.remediation !== undefined) item.remediation = current.remediation
      if (current.remediationImpact !== undefined) item.remediationImpact = current.remediationImpact
      results.push(item)
    }
    current = {}
  }
  for (const { key, value } of fields) {
    const joined = value.join('\n')
    switch (key) {
      case 'dockerbenchsecurity':
        version = unquote(joined)
        break
      case 'id':
        flush()
        current.id = unquote(joined)
        break
      case 'desc':
        current.desc = unquote(joined)
        break
      case 'result': {
        const word = /^"?([A-Za-z]+)/.exec(joined.trim())?.[1]
        if (word !== undefined) current.result = word.toUpperCase()
        break
      }
      case 'details':
        current.details = unquote(joined)
        break
      case 'items':
        current.items = itemsOf(value)
        break
      case 'remediation':
        current.remediation = unquote(joined)
        break
      case 'remediation-impact':
        current.remediationImpact = unquote(joined)
        break
      case 'checks':
      case 'end':
        complete = true
        break
      default:
        break
    }
  }
  flush()
  return { ...(version !== undefined ? { version } : {}), results, complete, repaired: true }
}

/**
 * A last resort for a log without its line layout (re-formatted onto one line): every
 * `"id": "…", "desc": "…", "result": "…"` run.
 */
function fromRuns(text: string): DockerBenchResult[] {
  const pattern =
    /"id"\s*:\s*"([^"]{1,64})"\s*,\s*"desc"\s*:\s*"((?:(?!"id"\s*:).)*?)"\s*,\s*"result"\s*:\s*"([A-Za-z]+)"(?:\s*,\s*"details"\s*:\s*"(.*?)"\s*(?=[,}]))?/gs
  return [...text.matchAll(pattern)].map((m) => ({
    id: m[1]!,
    desc: m[2]!,
    result: m[3]!.toUpperCase(),
    items: [],
    ...(m[4] !== undefined ? { details: m[4] } : {}),
  }))
}

/**
 * Reads a docker-bench JSON log, repairing what the script writes without escaping. A `ScannerError`
 * when nothing in the text is a docker-bench log.
 */
export function readDockerBenchLog(text: string, ctx: ParseContext): DockerBenchLog {
  const body = stripBom(text)
  if (body.trim() === '') throw new ScannerError(ID, `docker-bench log is empty (${ctx.origin})`)
  try {
    const strict = fromJson(JSON.parse(body))
    if (strict !== undefined) return strict
  } catch {
    // Not strict JSON: read it the way the script wrote it.
  }
  const lines = fromLines(body)
  if (lines.results.length > 0) return lines
  const runs = fromRuns(body)
  if (runs.length > 0) return { ...lines, results: runs }
  if (lines.version !== undefined && lines.complete) return lines // a finished run with no results
  const looksLikeLog = lines.version !== undefined
  throw new ScannerError(
    ID,
    looksLikeLog
      ? `docker-bench log ${ctx.origin} holds no check result: the run stopped before any check finished`
      : `docker-bench log ${ctx.origin} is not a docker-bench-security JSON log (no "dockerbenchsecurity" header and no check results)`,
  )
}

/** The test files of each section, for references. */
const SECTION_FILES: Record<string, string> = {
  '1': '1_host_configuration.sh',
  '2': '2_docker_daemon_configuration.sh',
  '3': '3_docker_daemon_configuration_files.sh',
  '4': '4_container_images.sh',
  '5': '5_container_runtime.sh',
  '6': '6_docker_security_operations.sh',
  '7': '7_docker_swarm_configuration.sh',
  '8': '8_docker_enterprise_configuration.sh',
}

/** Image checks whose Dockerfile instruction attribution can point at (CIS Docker Benchmark 4.x). */
const INSTRUCTIONS: Record<string, InstructionHint> = {
  '4.1': { keyword: 'USER' },
  '4.6': { keyword: 'FROM' }, // no HEALTHCHECK in the final stage
  '4.7': { keyword: 'RUN' }, // update instructions alone
  '4.9': { keyword: 'ADD' },
}

const MAX_ITEMS = 20
const MAX_TEXT = 2000

function describe(result: DockerBenchResult): string {
  const parts = [result.desc]
  if (result.details !== undefined && result.details.trim() !== '')
    parts.push(truncate(result.details.trim(), MAX_TEXT))
  if (result.items.length > 0) {
    const shown = result.items.slice(0, MAX_ITEMS).map((i) => `- ${truncate(i, 200)}`)
    if (result.items.length > MAX_ITEMS) shown.push(`- … and ${result.items.length - MAX_ITEMS} more`)
    parts.push(shown.join('\n'))
  }
  if (result.remediation !== undefined) parts.push(`Remediation: ${truncate(result.remediation, MAX_TEXT)}`)
  if (result.remediationImpact !== undefined) {
    parts.push(`Remediation impact: ${truncate(result.remediationImpact, MAX_TEXT)}`)
  }
  return parts.join('\n\n')
}

/** One finding per WARN result (rule `docker-bench/<id>`, medium, compliance). PASS/INFO/NOTE are not findings. */
export function dockerBenchFindings(log: DockerBenchLog, ctx: ParseContext): Finding[] {
  const target = ctx.target ?? ctx.origin
  const seen = new Set<string>()
  const findings: Finding[] = []
  for (const result of log.results) {
    if (result.result !== 'WARN' || seen.has(result.id)) continue
    seen.add(result.id)
    const section = result.id.split('.')[0] ?? ''
    // Own keys only: ids like `constructor` come from the log and must not find Object.prototype's members.
    const file = Object.hasOwn(SECTION_FILES, section) ? SECTION_FILES[section] : undefined
    const finding: Finding = {
      kind: 'compliance',
      ruleId: `docker-bench/${result.id}`,
      aliases: [],
      title: truncate(result.desc, 200),
      description: describe(result),
      severity: 'medium',
      severityBySource: { [ID]: { severity: 'medium', original: 'WARN' } },
      detectedBy: [ID],
      target,
      references: [
        ...(file !== undefined
          ? [`https://github.com/docker/docker-bench-security/blob/master/tests/${file}`]
          : []),
        'https://www.cisecurity.org/benchmark/docker',
      ],
    }
    const instruction = Object.hasOwn(INSTRUCTIONS, result.id) ? INSTRUCTIONS[result.id] : undefined
    if (instruction !== undefined) finding.instruction = instruction
    if (result.details !== undefined && result.details.trim() !== '')
      finding.evidence = truncate(result.details.trim(), 200)
    findings.push(finding)
  }
  return findings
}

/** Reads a docker-bench JSON log into findings. Pure. */
export function parseDockerBenchReport(text: string, ctx: ParseContext): Finding[] {
  return dockerBenchFindings(readDockerBenchLog(text, ctx), ctx)
}
