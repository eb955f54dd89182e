/**
 * The benchmark's stand-in scanner (after `__tests__/helpers/replay-scanner.ts`): a small executable that
 * appends the moment its process started (`performance.timeOrigin`, so its own Node start-up does not
 * count) to a stamp file, then writes a prepared report to the path after `--output`.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface BenchReplayScanner {
  path: string
  /** One line per call: the epoch milliseconds (fractional) at which the process started. */
  stampFile: string
}

export async function writeBenchReplayScanner(
  dir: string,
  options: { name: string; report: string },
): Promise<BenchReplayScanner> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, options.name)
  const stampFile = join(dir, `${options.name}.started`)
  const reportFile = join(dir, `${options.name}.replay-report`)
  await writeFile(reportFile, options.report)
  const config = { stampFile, reportFile }
  const script = `#!/usr/bin/env node
const fs = require('node:fs')
const config = ${JSON.stringify(config)}
fs.appendFileSync(config.stampFile, String(performance.timeOrigin) + '\\n')
const argv = process.argv.slice(2)
const at = argv.indexOf('--output')
const out = at >= 0 && at + 1 < argv.length ? argv[at + 1] : null
const report = fs.readFileSync(config.reportFile)
if (out === null) process.stdout.write(report)
else fs.writeFileSync(out, report)
`
  await writeFile(path, script)
  await chmod(path, 0o755)
  return { path, stampFile }
}
