/**
 * What one benchmark child process measures, each in a fresh process so its peak RSS is its own:
 * - `ours`: the real pipeline on two imported reports (runPipeline with `reports:` and no image: import →
 *   merge → attribution → policy → gate), then the SARIF string (buildLimitedSarif + JSON.stringify);
 * - `floor`: what any JavaScript tool must at least do: JSON.parse both reports and JSON.stringify one
 *   SARIF-shaped log with one result per finding;
 * - `heap`: bytes of heap per byte of report text, for the report size limit.
 */
import { existsSync, readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { buildConfig } from '../../src/config/config.js'
import { runPipeline, type PipelineDeps } from '../../src/pipeline.js'
import { buildLimitedSarif } from '../../src/report/files.js'
import { parseGrypeReport } from '../../src/scanners/grype-report.js'
import { parseTrivyReport } from '../../src/scanners/trivy-report.js'
import type { Finding } from '../../src/findings/finding.js'
import { silentLogger } from '../../src/util/logger.js'

export interface CaseFiles {
  trivy: string
  grype: string
  /** A `.trivyignore` so the policy stage has rules to match. */
  ignoreFile: string
}

export interface CaseResult {
  /** Milliseconds of work inside the process (reading the reports to holding the SARIF string). */
  workMs: number
  /** Peak resident set size of the process, bytes. */
  maxRssBytes: number
  findingsIn: number
  findingsOut: number
  sarifResults: number
  sarifChars: number
}

function peakRssBytes(): number {
  // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss).
  return process.resourceUsage().maxRSS * 1024
}

function unavailable(what: string): never {
  throw new Error(`the benchmark runs no ${what}`)
}

export async function runOurs(files: CaseFiles): Promise<CaseResult> {
  const started = performance.now()
  const config = buildConfig(
    {
      reports: [`trivy:${files.trivy}`, `grype:${files.grype}`],
      scanners: ['trivy', 'grype'],
      'ignore-file': files.ignoreFile,
    },
    {
      workspace: dirname(files.trivy),
      tempDir: tmpdir(),
      exists: existsSync,
      readFile: (path) => readFileSync(path, 'utf8'),
      defaultOutputs: 'none',
    },
  )
  const deps: PipelineDeps = {
    run: () => unavailable('command'),
    logger: silentLogger,
    env: {},
    platform: 'linux-x64',
    now: () => new Date('2026-04-20T10:00:00Z'),
    install: () => unavailable('installer'),
  }
  const result = await runPipeline(config, deps)
  const sarif = buildLimitedSarif(result, { runPer: config.sarifRuns })
  // The SARIF text as the action writes and uploads it (serialised once, by the limits guard).
  const text = sarif.json
  const workMs = performance.now() - started
  const failed = result.images.flatMap((i) => i.scanners).filter((s) => s.status !== 'ok')
  if (failed.length > 0) throw new Error(`import failed: ${failed.map((f) => f.message ?? '').join('; ')}`)
  return {
    workMs,
    maxRssBytes: peakRssBytes(),
    findingsIn: result.images.flatMap((i) => i.scanners).reduce((n, s) => n + s.findings, 0),
    findingsOut: result.images.reduce((n, i) => n + i.findings.length, 0),
    sarifResults: sarif.log.runs.reduce((n, r) => n + (r.results?.length ?? 0), 0),
    sarifChars: text.length,
  }
}

interface FloorFinding {
  id: string
  pkg: string
  version: string
  severity: string
  text: string
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** The least a tool can do with the two reports: parse them and write one SARIF result per finding. */
export async function runFloor(files: CaseFiles): Promise<CaseResult> {
  const started = performance.now()
  const trivy = record(JSON.parse(await readFile(files.trivy, 'utf8')))
  const grype = record(JSON.parse(await readFile(files.grype, 'utf8')))
  const findings: FloorFinding[] = []
  for (const result of list(trivy['Results'])) {
    for (const raw of list(record(result)['Vulnerabilities'])) {
      const v = record(raw)
      findings.push({
        id: text(v['VulnerabilityID']),
        pkg: text(v['PkgName']),
        version: text(v['InstalledVersion']),
        severity: text(v['Severity']),
        text: text(v['Title']),
      })
    }
  }
  for (const raw of list(grype['matches'])) {
    const m = record(raw)
    const vuln = record(m['vulnerability'])
    const artifact = record(m['artifact'])
    findings.push({
      id: text(vuln['id']),
      pkg: text(artifact['name']),
      version: text(artifact['version']),
      severity: text(vuln['severity']),
      text: text(vuln['description']),
    })
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'floor', rules: [] } },
        results: findings.map((f) => ({
          ruleId: f.id,
          level:
            f.severity.toLowerCase() === 'critical' || f.severity.toLowerCase() === 'high'
              ? 'error'
              : 'warning',
          message: { text: `${f.id} in ${f.pkg} ${f.version}: ${f.text}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'registry.example.com/shop/api' },
                region: { startLine: 1 },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: `${f.id}/${f.pkg}:1` },
        })),
      },
    ],
  }
  const out = JSON.stringify(log)
  return {
    workMs: performance.now() - started,
    maxRssBytes: peakRssBytes(),
    findingsIn: findings.length,
    findingsOut: findings.length,
    sarifResults: findings.length,
    sarifChars: out.length,
  }
}

export interface HeapResult {
  reportBytes: number
  findings: number
  /** Heap the text itself takes (a one-byte string for ASCII reports). */
  textHeapBytes: number
  /** Heap of the JSON.parse tree, retained. */
  treeHeapBytes: number
  /** Heap of the parsed `Finding[]`, retained. */
  findingsHeapBytes: number
  /** The process's peak RSS while doing all that. */
  maxRssBytes: number
}

function heapUsedAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with --expose-gc')
  gc()
  gc()
  return getHeapStatistics().used_heap_size
}

/** Heap with the JSON tree of `text` alive (the tree is dropped when this returns). */
function heapWithTree(text: string): number {
  const tree: unknown = JSON.parse(text)
  const used = heapUsedAfterGc()
  // Reading the tree after the measurement keeps it alive through it.
  return typeof tree === 'object' ? used : used
}

/** The text's heap, the tree's, and the findings parsed from it; the text is dropped when this returns. */
function measureText(
  bytes: Buffer,
  parse: (text: string) => Finding[],
): { withText: number; withTree: number; findings: Finding[] } {
  const text = bytes.toString('utf8')
  const withText = heapUsedAfterGc()
  const withTree = heapWithTree(text)
  return { withText, withTree, findings: parse(text) }
}

/** Heap per report byte: the text, its JSON tree, and the findings our parser keeps. */
export async function runHeap(format: 'trivy' | 'grype', path: string): Promise<HeapResult> {
  const bytes = await readFile(path)
  const parser = format === 'trivy' ? parseTrivyReport : parseGrypeReport
  const base = heapUsedAfterGc()
  const { withText, withTree, findings } = measureText(bytes, (text) => parser(text, { origin: path }))
  const withFindings = heapUsedAfterGc()
  return {
    reportBytes: bytes.length,
    findings: findings.length,
    textHeapBytes: withText - base,
    treeHeapBytes: withTree - withText,
    findingsHeapBytes: withFindings - base,
    maxRssBytes: peakRssBytes(),
  }
}
