/**
 * `npm run bench`: how much the gate itself costs next to the scanners, measured as ratios in one run.
 *
 * For 1k, 10k and 100k findings per scanner (half of them shared between Trivy and Grype) it writes a
 * Trivy JSON, a Grype JSON and both tools' SARIF logs of one image, then measures, each case in a fresh
 * child process (so peak RSS is the case's own):
 *   ours       import both reports → merge → attribution → policy → SARIF string, through runPipeline;
 *   floor      JSON.parse of both reports + JSON.stringify of one SARIF log with one result per finding;
 *   multitool  the SARIF Multitool's `merge` of the two SARIF logs (the binary, called directly).
 * It prints the table, the growth per finding, which targets are met (it never fails on them), the heap a
 * report needs per byte (for the report size limit), the start-up time to the first scanner exec, the
 * builtin scanner's time on a generated Debian-like image as a ratio to hashing the same archive, and how
 * the overlay walk's cost grows with the number of opaque whiteouts (linear, not quadratic).
 *
 * Usage: node --expose-gc scripts/run-ts.js scripts/bench.ts [--sizes 1000,10000,100000] [--reps N]
 *        [--startup-reps N] [--image-mb 300] [--image-dotenv 500] [--image-reps 3] [--keep]
 *        (--sizes '' or --image-mb 0 leave that part out)
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { getHeapStatistics } from 'node:v8'
import { appendAll } from '../src/util/arrays.js'
import { benchCatalogue } from './lib/bench-catalogue.js'
import {
  runFloor,
  runHeap,
  runOurs,
  type CaseFiles,
  type CaseResult,
  type HeapResult,
} from './lib/bench-cases.js'
import { writeGrypeJson, writeTrivyJson } from './lib/bench-json-reports.js'
import { median, runJsonChild, runProcess } from './lib/bench-measure.js'
import { writeGrypeSarif, writeTrivySarif } from './lib/bench-sarif-reports.js'
import { hashImage, runBuiltinOnImage, writeBenchImage, type ImageCaseResult } from './lib/bench-image.js'
import { measureStartup } from './lib/bench-startup.js'
import { formatWhiteouts, measureWhiteouts } from './lib/bench-whiteouts.js'
import {
  checkTargets,
  formatGrowth,
  formatHeap,
  formatTable,
  formatTargets,
  mib,
  ms,
  type HeapFigures,
  type SizeResult,
} from './lib/bench-table.js'

const SELF = fileURLToPath(import.meta.url)

const { values } = parseArgs({
  options: {
    case: { type: 'string' },
    trivy: { type: 'string' },
    grype: { type: 'string' },
    ignore: { type: 'string' },
    format: { type: 'string' },
    sizes: { type: 'string' },
    reps: { type: 'string' },
    'startup-reps': { type: 'string' },
    keep: { type: 'boolean' },
    image: { type: 'string' },
    'image-mb': { type: 'string' },
    'image-dotenv': { type: 'string' },
    'image-reps': { type: 'string' },
  },
})

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

interface SizeFiles extends CaseFiles {
  trivySarif: string
  grypeSarif: string
  inputBytes: number
}

async function generate(dir: string, size: number): Promise<SizeFiles> {
  await mkdir(dir, { recursive: true })
  const catalogue = benchCatalogue(size)
  const files = {
    trivy: join(dir, 'trivy.json'),
    grype: join(dir, 'grype.json'),
    trivySarif: join(dir, 'trivy.sarif'),
    grypeSarif: join(dir, 'grype.sarif'),
    ignoreFile: join(dir, '.trivyignore'),
  }
  const trivyBytes = await writeTrivyJson(files.trivy, catalogue.trivy)
  const grypeBytes = await writeGrypeJson(files.grype, catalogue.grype)
  await writeTrivySarif(files.trivySarif, catalogue.trivy)
  await writeGrypeSarif(files.grypeSarif, catalogue.grype)
  // A few accepted risks, as a real project has: the policy stage has rules to match.
  const ignored = catalogue.trivy.filter((_, i) => i % Math.max(1, Math.floor(size / 10)) === 0).slice(0, 10)
  await writeFile(
    files.ignoreFile,
    `# accepted risks\n${ignored.map((v) => `${v.cve} exp:2099-12-31`).join('\n')}\nCVE-1999-0001\n`,
  )
  return { ...files, inputBytes: trivyBytes + grypeBytes }
}

function caseArgs(name: string, files: CaseFiles): string[] {
  return ['--case', name, '--trivy', files.trivy, '--grype', files.grype, '--ignore', files.ignoreFile]
}

/** One case in a fresh Node process (so its peak RSS is its own), timed from spawn to exit. */
async function runCaseChild(name: string, files: CaseFiles): Promise<{ value: CaseResult; wallMs: number }> {
  const { value, wallMs } = await runJsonChild(SELF, caseArgs(name, files))
  return { value: value as CaseResult, wallMs }
}

function multitoolPath(): string | undefined {
  const platform = process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : 'linux'
  const exe = process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool'
  const path = resolve('node_modules', '@microsoft', `sarif-multitool-${platform}`, exe)
  return existsSync(path) ? path : undefined
}

async function runMultitool(
  files: SizeFiles,
  out: string,
): Promise<{ wallMs: number; peakRssBytes: number }> {
  const exe = multitoolPath()
  if (exe === undefined) throw new Error('the SARIF Multitool is not installed')
  const run = await runProcess(exe, [
    'merge',
    files.trivySarif,
    files.grypeSarif,
    '--output-file',
    out,
    '--log',
    'ForceOverwrite',
  ])
  if (run.exitCode !== 0 || !existsSync(out)) {
    throw new Error(
      `Sarif.Multitool merge exited with ${run.exitCode}:\n${(run.stdout + run.stderr).slice(-3000)}`,
    )
  }
  return { wallMs: run.wallMs, peakRssBytes: run.sampledPeakRssBytes }
}

function repetitionsFor(size: number): number {
  if (values.reps !== undefined) return Math.max(1, Number(values.reps))
  return size <= 1000 ? 5 : size <= 10_000 ? 3 : 1
}

async function measureSize(root: string, size: number): Promise<SizeResult> {
  progress(`${size} + ${size} findings: writing reports`)
  const files = await generate(join(root, String(size)), size)
  const reps = repetitionsFor(size)
  const ours: { value: CaseResult; wallMs: number }[] = []
  const floor: { value: CaseResult; wallMs: number }[] = []
  const multitool: { wallMs: number; peakRssBytes: number }[] = []
  for (let rep = 0; rep < reps; rep++) {
    progress(`${size}: repetition ${rep + 1}/${reps}`)
    ours.push(await runCaseChild('ours', files))
    floor.push(await runCaseChild('floor', files))
    if (multitoolPath() !== undefined)
      multitool.push(await runMultitool(files, join(root, String(size), 'merged.sarif')))
  }
  const first = ours[0]!.value
  return {
    size,
    inputBytes: files.inputBytes,
    repetitions: reps,
    ours: {
      workMs: median(ours.map((o) => o.value.workMs)),
      wallMs: median(ours.map((o) => o.wallMs)),
      maxRssBytes: Math.max(...ours.map((o) => o.value.maxRssBytes)),
      findingsIn: first.findingsIn,
      findingsOut: first.findingsOut,
      sarifResults: first.sarifResults,
    },
    floor: {
      workMs: median(floor.map((o) => o.value.workMs)),
      wallMs: median(floor.map((o) => o.wallMs)),
      maxRssBytes: Math.max(...floor.map((o) => o.value.maxRssBytes)),
    },
    ...(multitool.length > 0
      ? {
          multitool: {
            wallMs: median(multitool.map((m) => m.wallMs)),
            peakRssBytes: Math.max(...multitool.map((m) => m.peakRssBytes)),
          },
        }
      : {}),
  }
}

async function runCase(name: string): Promise<void> {
  const files: CaseFiles = {
    trivy: values.trivy ?? '',
    grype: values.grype ?? '',
    ignoreFile: values.ignore ?? '',
  }
  let result: CaseResult | HeapResult | ImageCaseResult
  if (name === 'builtin-image')
    result = await runBuiltinOnImage(values.image ?? '', dirname(values.image ?? ''))
  else if (name === 'hash-image') result = await hashImage(values.image ?? '')
  else if (name === 'ours') result = await runOurs(files)
  else if (name === 'floor') result = await runFloor(files)
  else if (name === 'heap') result = await runHeap(values.format === 'grype' ? 'grype' : 'trivy', files.trivy)
  else throw new Error(`unknown case ${name}`)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

interface ImageFigures {
  bytes: number
  dotenvFiles: number
  repetitions: number
  builtinMs: number[]
  hashMs: number[]
  findings: number
}

/** The builtin scanner and sha256 on one generated image, alternating, each run in a fresh process. */
async function measureImage(root: string): Promise<ImageFigures | undefined> {
  const megabytes = Number(values['image-mb'] ?? 300)
  if (!(megabytes > 0)) return undefined
  const dotenvFiles = Number(values['image-dotenv'] ?? 500)
  const reps = Math.max(1, Number(values['image-reps'] ?? 3))
  const path = join(root, 'image', 'debian-like.tar')
  await mkdir(dirname(path), { recursive: true })
  progress(`builtin: writing a ${megabytes} MB Debian-like image with ${dotenvFiles} .env files of 64 KiB`)
  const bytes = await writeBenchImage(path, megabytes, dotenvFiles)
  const figures: ImageFigures = {
    bytes,
    dotenvFiles,
    repetitions: reps,
    builtinMs: [],
    hashMs: [],
    findings: 0,
  }
  for (let rep = 0; rep < reps; rep++) {
    progress(`builtin: repetition ${rep + 1}/${reps}`)
    const hash = (await runJsonChild(SELF, ['--case', 'hash-image', '--image', path]))
      .value as ImageCaseResult
    const builtin = (await runJsonChild(SELF, ['--case', 'builtin-image', '--image', path]))
      .value as ImageCaseResult
    figures.hashMs.push(hash.workMs)
    figures.builtinMs.push(builtin.workMs)
    figures.findings = builtin.findings
  }
  return figures
}

function formatImage(f: ImageFigures): string {
  const builtin = median(f.builtinMs)
  const hash = median(f.hashMs)
  return [
    `builtin scanner on a generated Debian-like docker-archive (${mib(f.bytes)}, ${f.dotenvFiles} .env files of ` +
      `64 KiB), median of ${f.repetitions}, each in a fresh process:`,
    `  builtin scan ${ms(builtin)} [${f.builtinMs.map((v) => Math.round(v)).join(', ')}] (${f.findings} findings); ` +
      `sha256 of the archive ${ms(hash)} [${f.hashMs.map((v) => Math.round(v)).join(', ')}]`,
    `  builtin/hash ${(builtin / hash).toFixed(1)}× — target: about as fast as hashing it (reported, not enforced)`,
  ].join('\n')
}

async function main(): Promise<void> {
  const sizes = (values.sizes ?? '1000,10000,100000')
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => Number(s.trim()))
  const root = await mkdtemp(join(tmpdir(), 'csg-bench-'))
  try {
    const lines = [
      `container-security-gate benchmark — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    ]
    if (sizes.length > 0) appendAll(lines, await measureMerge(root, sizes))
    const image = await measureImage(root)
    if (image !== undefined) lines.push('', formatImage(image))
    progress('opaque whiteouts: 10k and 80k')
    lines.push('', formatWhiteouts(await measureWhiteouts([10_000, 80_000], 3)))
    process.stdout.write(`${lines.join('\n')}\n`)
  } finally {
    if (values.keep === true) progress(`kept ${root}`)
    else await rm(root, { recursive: true, force: true })
  }
}

async function measureMerge(root: string, sizes: number[]): Promise<string[]> {
  const results: SizeResult[] = []
  for (const size of sizes) results.push(await measureSize(root, size))
  const largest = sizes.at(-1)!
  progress('heap per report byte')
  const heap: HeapFigures[] = []
  for (const format of ['trivy', 'grype'] as const) {
    const path = join(root, String(largest), `${format}.json`)
    const { value } = await runJsonChild(SELF, ['--case', 'heap', '--format', format, '--trivy', path])
    heap.push({ format, ...(value as HeapResult) })
  }
  progress('start-up to the first scanner exec')
  const startup = await measureStartup({ workDir: root, repetitions: Number(values['startup-reps'] ?? 7) })
  return [
    `reports: Trivy JSON + Grype JSON of one image, N findings each, half shared; median of the repetitions`,
    '',
    formatTable(results),
    '',
    'ours, floor: work inside the process (reading both reports → SARIF string); multitool: its whole process;',
    'ours/multitool compares whole processes (Node start-up and module loading included for ours).',
    ...results.map(
      (r) =>
        `  ${r.size}: ${r.repetitions} repetition(s); ours ${r.ours.findingsIn} findings in → ${r.ours.findingsOut} merged → ` +
        `${r.ours.sarifResults} SARIF results; ours process ${ms(r.ours.wallMs)}; floor RSS ${mib(r.floor.maxRssBytes)}` +
        (r.multitool ? `; multitool RSS ≥ ${mib(r.multitool.peakRssBytes)}` : ''),
    ),
    '',
    formatGrowth(results),
    '',
    'targets (reported, not enforced):',
    formatTargets(checkTargets(results)),
    '',
    `report size (at ${largest} findings):`,
    formatHeap(heap, getHeapStatistics().heap_size_limit),
    '',
    `start-up (warm tool cache, Trivy ${startup.version} replaying): process start → first scanner exec ` +
      `median ${ms(startup.medianToExecMs)} over ${startup.toExecMs.length} runs ` +
      `[${startup.toExecMs.map((v) => Math.round(v)).join(', ')}]; whole CLI run ${ms(startup.medianTotalMs)} — ` +
      `target well under 1 s: ${startup.medianToExecMs < 1000 ? 'met' : 'MISSED'}`,
  ]
}

if (values.case !== undefined) await runCase(values.case)
else await main()
