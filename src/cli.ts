/** The CLI entry point (dist/cli.js, the `container-security-gate` bin). */
import { main } from './cli-app.js'

async function start(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY,
  })
}

await start()
