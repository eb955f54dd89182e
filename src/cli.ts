/** The CLI entry point (dist/cli.js, the `container-security-gate` bin). */
import { main } from './cli-app.js'

/**
 * `@actions/tool-cache` and `@actions/exec` print workflow commands (`::debug::…`) and `[command]…` lines
 * to stdout, where a runner would hide or fold them; in a terminal they are noise, and they would corrupt
 * `--format json`. Child processes they run (tar while a scanner is installed, `tar -v` listing every file
 * with RUNNER_DEBUG=1) write to the same stream. The CLI writes its own output through the original stream;
 * every other write goes to stderr (workflow-command lines only with `--verbose`), so stdout holds only
 * what the CLI means to print.
 */
function quietActionsOutput(verbose: boolean): (text: string) => void {
  const original = process.stdout.write.bind(process.stdout)
  const actionsLine = /^(::[a-z-]+( [^:]*)?::|\[command\])/
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    const kept = text
      .split(/(?<=\n)/)
      .filter((line) => verbose || !actionsLine.test(line))
      .join('')
    const callback = rest.find((r): r is () => void => typeof r === 'function')
    if (kept === '') {
      callback?.()
      return true
    }
    return process.stderr.write(kept, callback)
  }
  return (text) => {
    original(text)
  }
}

async function start(): Promise<void> {
  const argv = process.argv.slice(2)
  const stdout = quietActionsOutput(argv.includes('--verbose') || argv.includes('-v'))
  process.exitCode = await main(argv, {
    stdout,
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY,
    // Not a terminal (a pipe, a file): no width; the table assumes 80.
    ...(process.stdout.isTTY ? { columns: process.stdout.columns } : {}),
  })
}

await start()
