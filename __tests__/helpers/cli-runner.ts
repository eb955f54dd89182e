/** Runs the CLI bundled from the current sources (see ./bundle.ts) and returns its exit code and output. */
import { spawn } from 'node:child_process'
import { bundlePath } from './bundle.js'

export interface CliRun {
  exitCode: number | null
  stdout: string
  stderr: string
}

export async function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [bundlePath('cli.js'), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      NO_COLOR: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const exitCode = await new Promise<number | null>((done) => child.on('close', (code) => done(code)))
  return { exitCode, stdout, stderr }
}
