/**
 * Runs the action bundled from the current sources (see ./bundle.ts) the way the runner does (inputs read as
 * actions/toolkit packages/core/src/core.ts `getInput` reads them, at @actions/core 3.0.1): every input as `INPUT_<NAME>`
 * (with action.yml's defaults filled in), `GITHUB_OUTPUT` / `GITHUB_STEP_SUMMARY` files, `RUNNER_TEMP`.
 * Returns the exit code, the workflow commands printed, the outputs and the summary.
 */
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { bundlePath } from './bundle.js'
import { tempDirs } from './temp-dirs.js'

// Every runner temp made here is removed after the calling test file's tests.
const tempDir = tempDirs()

export interface ActionRun {
  exitCode: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  runnerTemp: string
  /** `::error ...::message` style commands printed, by kind. */
  commands: { kind: string; properties: string; message: string }[]
}

interface ActionYml {
  inputs: Record<string, { default?: string }>
}

/** Parses the `name<<DELIMITER\nvalue\nDELIMITER` file format of GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '')
    if (match) {
      const [, name, delimiter] = match
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '')
      outputs[name!] = value.join('\n')
    } else if ((lines[i] ?? '').includes('=')) {
      const line = lines[i]!
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/**
 * A default as the runner evaluates it here: no token, and `toJson(matrix)` outside a matrix job is
 * `null` (a test passes `matrix` itself to act as a leg).
 */
function runnerDefault(value: string | undefined): string {
  if (value === '${{ github.token }}') return ''
  if (value === '${{ toJson(matrix) }}') return 'null'
  return value ?? ''
}

export async function runAction(options: {
  inputs: Record<string, string>
  env?: Record<string, string>
  cwd?: string
  timeoutMs?: number
}): Promise<ActionRun> {
  const root = resolve('.')
  const runnerTemp = await tempDir('csg-runner-')
  const outputFile = join(runnerTemp, 'github_output')
  const summaryFile = join(runnerTemp, 'step_summary.md')
  await writeFile(outputFile, '')
  await writeFile(summaryFile, '')
  const actionYml = parse(await readFile(join(root, 'action.yml'), 'utf8')) as ActionYml
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? runnerTemp,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: join(runnerTemp, 'tool-cache'),
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: options.cwd ?? runnerTemp,
    // Hermetic: CISA's KEV catalog (downloaded by default with `kev: auto`) from a closed loopback port,
    // unless a test serves one (the run then says KEV data is unavailable, with a warning). The real one is
    // https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json (CISA's KEV page);
    // the stand-in servers serve that document's shape (see src/policy/kev.ts for the schema it follows).
    CONTAINER_SECURITY_GATE_KEV_URL: 'http://127.0.0.1:9/known_exploited_vulnerabilities.json',
  }
  for (const [name, spec] of Object.entries(actionYml.inputs)) {
    const value = options.inputs[name] ?? runnerDefault(spec.default)
    env[`INPUT_${name.toUpperCase()}`] = value
  }
  Object.assign(env, options.env)
  const child = spawn(process.execPath, [bundlePath('index.js')], {
    cwd: options.cwd ?? runnerTemp,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  const exitCode = await new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  clearTimeout(timer)
  const commands = [...stdout.matchAll(/^::([a-z-]+)( [^:]*)?::(.*)$/gm)].map((m) => ({
    kind: m[1]!,
    properties: (m[2] ?? '').trim(),
    message: m[3]!,
  }))
  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    runnerTemp,
    commands,
  }
}

/**
 * The annotations of one level the runner shows for a step: the first 10 written ("Workflow commands for
 * GitHub Actions" and the runner's annotation limits: at most 10 error, 10 warning and 10 notice
 * annotations per step, 50 per job; later ones appear in the log only).
 */
export function shownAnnotations(run: ActionRun, level: 'error' | 'warning' | 'notice'): string[] {
  return run.commands
    .filter((c) => c.kind === level)
    .slice(0, 10)
    .map((c) => c.message)
}
