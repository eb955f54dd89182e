/**
 * Runs benchmark processes and measures them from outside: wall time from spawn to exit, and for
 * processes that cannot report their own peak RSS (the SARIF Multitool) the kernel's high-water mark
 * (`VmHWM` in /proc/<pid>/status) sampled until the process ends.
 */
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'

export interface ProcessRun {
  wallMs: number
  exitCode: number | null
  stdout: string
  stderr: string
  /** Peak RSS in bytes as last sampled (a lower bound: growth in the last sampling interval is missed). */
  sampledPeakRssBytes: number
}

const SAMPLE_INTERVAL_MS = 10

async function vmHwmBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1]
    return kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    return undefined
  }
}

export async function runProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessRun> {
  const started = performance.now()
  const child = spawn(command, [...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  let peak = 0
  const state = { running: true }
  const pid = child.pid
  const sampler = (async () => {
    while (state.running && pid !== undefined) {
      const hwm = await vmHwmBytes(pid)
      if (hwm !== undefined) peak = Math.max(peak, hwm)
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS))
    }
  })()
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve(code))
  })
  const wallMs = performance.now() - started
  state.running = false
  await sampler
  return {
    wallMs,
    exitCode,
    stdout: Buffer.concat(stdout).toString('utf8'),
    stderr: Buffer.concat(stderr).toString('utf8'),
    sampledPeakRssBytes: peak,
  }
}

/** Runs a node child that prints one JSON line last on stdout; returns it with the wall time. */
export async function runJsonChild(
  script: string,
  args: readonly string[],
): Promise<{ value: unknown; wallMs: number }> {
  const run = await runProcess(process.execPath, ['--expose-gc', script, ...args])
  if (run.exitCode !== 0) {
    throw new Error(`${args.join(' ')} exited with ${run.exitCode}:\n${run.stderr.slice(-4000)}`)
  }
  const last = run.stdout.trim().split('\n').at(-1) ?? ''
  return { value: JSON.parse(last) as unknown, wallMs: run.wallMs }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
