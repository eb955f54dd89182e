/**
 * Runs an executable with an argument array (never a shell), a timeout and bounded output capture.
 * Scanners write their reports to files, so stdout and stderr are only kept as tails for error messages.
 */
import { spawn } from 'node:child_process'

export interface RunOptions {
  cwd?: string
  /** The complete environment of the child; defaults to the parent's. */
  env?: NodeJS.ProcessEnv
  /** Killed (SIGKILL, with its process group) after this many milliseconds. */
  timeoutMs?: number
  /** Bytes of stdout and of stderr kept (the last ones). Default 64 KiB. */
  maxOutputBytes?: number
  /** Written to the child's stdin, then closed. stdin is closed immediately when absent. */
  input?: string
  /** Called with each chunk of stdout (e.g. to stream it to a file). */
  onStdout?: (chunk: Buffer) => void
}

export interface RunResult {
  /** The exit code, or null when killed by a signal. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  /** The last `maxOutputBytes` of stdout / stderr, as UTF-8. */
  stdout: string
  stderr: string
  durationMs: number
}

/** The signature scanners and the installer depend on, so tests can substitute it. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<RunResult>

class TailBuffer {
  private chunks: Buffer[] = []
  private size = 0
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.size += chunk.length
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length
    }
  }
  toString(): string {
    const all = Buffer.concat(this.chunks)
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8')
  }
}

/** Spawns `command` directly. A missing executable rejects with the spawn error (ENOENT). */
export const runCommand: CommandRunner = (command, args, options = {}) => {
  const started = Date.now()
  const limit = options.maxOutputBytes ?? 64 * 1024
  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      // Its own process group, so a timeout kills what the scanner started too.
      detached: process.platform !== 'win32',
      windowsHide: true,
    })
    const stdout = new TailBuffer(limit)
    const stderr = new TailBuffer(limit)
    let timedOut = false
    let settled = false
    const kill = (): void => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL')
        else child.kill('SIGKILL')
      } catch {
        child.kill('SIGKILL')
      }
    }
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true
            kill()
          }, options.timeoutMs)
        : undefined
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      options.onStdout?.(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.stdin.on('error', () => undefined) // a child that exits without reading stdin is not our error
    if (options.input !== undefined) child.stdin.end(options.input)
    else child.stdin.end()
    child.on('error', (error) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      reject(error)
    })
    child.on('close', (exitCode, signal) => {
      if (settled) return
      settled = true
      if (timer) clearTimeout(timer)
      resolve({
        exitCode,
        signal,
        timedOut,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
        durationMs: Date.now() - started,
      })
    })
  })
}

/** The last `lines` non-empty lines of a scanner's stderr, for error messages. */
export function tailLines(text: string, lines = 20): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n')
}
