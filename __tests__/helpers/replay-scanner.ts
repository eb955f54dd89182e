/**
 * Writes a small executable that stands in for a scanner: it records its argv and environment keys,
 * writes a prepared report (in the scanner's real format) to the path given after one of its output
 * flags — or to stdout — prints stderr text, optionally sleeps, and exits with a chosen code.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { IMAGE_INPUT_SOURCE, type ImageInputBehaviour } from './replay-image-input.js'

export interface ReplayScannerOptions {
  /** File name of the executable (`trivy`, `grype`). */
  name: string
  /** The report to replay. Omit to write none. */
  report?: string
  /** Flags whose next argument (or `--flag=value`) is the report path (`--output`, `--output-file`, `--file`, `-o`). */
  outputFlags?: string[]
  /** Write the report to stdout instead of a file. */
  reportToStdout?: boolean
  exitCode?: number
  stderr?: string
  /** Sleep this long before exiting (to test timeouts). */
  sleepMs?: number
  /** Print this to stdout when called with `--version` / `version`, and exit 0. */
  versionText?: string
  /**
   * Open the image named in argv as the real scanner does (see replay-image-input.ts): refuse a form it
   * cannot read, and fill `__IMAGE_ID__` / `__DIFF_ID_<n>__` in the report from the image.
   */
  imageInput?: ImageInputBehaviour
  /**
   * Refuse `--skip-java-db-update` when `<--cache-dir>/java-db/metadata.json` is missing, as Trivy 0.70
   * does (pkg/javadb/client.go `Updater.Update`: "'--skip-java-db-update' cannot be specified on the
   * first run", a FATAL error, exit 1).
   */
  trivyJavaDb?: boolean
  /**
   * The first `count` calls fail this way (no report), counted in `stateFile`: a DB download that fails
   * once, then a run that works.
   */
  firstCallsFail?: { count: number; stateFile: string; exitCode: number; stderr: string }
}

export interface ReplayScanner {
  path: string
  /** File the executable appends one JSON line per call to: `{ argv, envKeys }`. */
  callLog: string
}

/**
 * The source of a replaying scanner as a standalone executable script (the report embedded), e.g. to
 * put inside a release archive served by a loopback host. `callLog` may be a path or null.
 */
export function replayScannerScript(
  options: Omit<ReplayScannerOptions, 'name'> & { callLog: string | null },
): string {
  const config = {
    callLog: options.callLog,
    report: options.report !== undefined ? Buffer.from(options.report).toString('base64') : null,
    outputFlags: options.outputFlags ?? ['--output', '--output-file', '-o', '--file'],
    reportToStdout: options.reportToStdout ?? false,
    exitCode: options.exitCode ?? 0,
    stderr: options.stderr ?? '',
    sleepMs: options.sleepMs ?? 0,
    versionText: options.versionText ?? null,
    imageInput: options.imageInput ?? null,
    trivyJavaDb: options.trivyJavaDb ?? false,
    firstCallsFail: options.firstCallsFail ?? null,
  }
  return `#!/usr/bin/env node
const fs = require('node:fs')
const config = ${JSON.stringify(config)}
const argv = process.argv.slice(2)
if (config.callLog !== null) {
  fs.appendFileSync(config.callLog, JSON.stringify({ argv, envKeys: Object.keys(process.env).sort() }) + '\\n')
}
if (config.versionText !== null && (argv[0] === '--version' || argv[0] === 'version')) {
  process.stdout.write(config.versionText + '\\n')
  process.exit(0)
}
${options.imageInput !== undefined ? IMAGE_INPUT_SOURCE : ''}
if (config.trivyJavaDb && argv.includes('--skip-java-db-update')) {
  const cacheDir = argv[argv.indexOf('--cache-dir') + 1] || ''
  if (!fs.existsSync(require('node:path').join(cacheDir, 'java-db', 'metadata.json'))) {
    process.stderr.write("ERROR\\t[javadb] The first run cannot skip downloading Java DB\\n" +
      "FATAL\\tFatal error\\trun error: '--skip-java-db-update' cannot be specified on the first run\\n")
    process.exit(1)
  }
}
if (config.firstCallsFail !== null) {
  const state = config.firstCallsFail
  const calls = fs.existsSync(state.stateFile) ? Number(fs.readFileSync(state.stateFile, 'utf8')) : 0
  fs.writeFileSync(state.stateFile, String(calls + 1))
  if (calls < state.count) {
    process.stderr.write(state.stderr)
    process.exit(state.exitCode)
  }
}
let out = null
for (let i = 0; i < argv.length; i++) {
  for (const flag of config.outputFlags) {
    if (argv[i] === flag && i + 1 < argv.length) out = argv[i + 1]
    else if (argv[i].startsWith(flag + '=')) out = argv[i].slice(flag.length + 1)
  }
}
const finish = () => {
  let report = config.report === null ? null : Buffer.from(config.report, 'base64')
  if (config.imageInput !== null) report = readImageInput(argv, config.imageInput, report)
  if (report !== null) {
    if (config.reportToStdout || out === null) process.stdout.write(report)
    else fs.writeFileSync(out, report)
  }
  if (config.stderr) process.stderr.write(config.stderr)
  // exitCode, not exit(): exit() would cut off stdout still being flushed to a pipe.
  process.exitCode = config.exitCode
}
if (config.sleepMs > 0) setTimeout(finish, config.sleepMs)
else finish()
`
}

export async function writeReplayScanner(dir: string, options: ReplayScannerOptions): Promise<ReplayScanner> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, options.name)
  const callLog = join(dir, `${options.name}.calls.jsonl`)
  await writeFile(path, replayScannerScript({ ...options, callLog }))
  await chmod(path, 0o755)
  return { path, callLog }
}

/** The argv of every call the replay scanner received. */
export async function readCalls(callLog: string): Promise<{ argv: string[]; envKeys: string[] }[]> {
  const { readFile } = await import('node:fs/promises')
  const text = await readFile(callLog, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { argv: string[]; envKeys: string[] })
}
