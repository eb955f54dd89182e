/**
 * Start-up cost: from the start of `node dist/cli.js scan IMAGE --scanners trivy --trivy-version <pinned>`
 * to the moment the (replaying) Trivy process starts, with Trivy already in a warm tool cache laid out as
 * `@actions/tool-cache` keeps it: `<root>/trivy/<version>/<arch>/trivy` + `<root>/trivy/<version>/<arch>.complete`.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DEFAULT_VERSIONS } from '../../src/tools/versions.js'
import { BENCH_IMAGE } from './bench-catalogue.js'
import { median, runProcess } from './bench-measure.js'
import { writeBenchReplayScanner } from './bench-replay-scanner.js'
import { writeImage } from './image-builder.js'

export interface StartupResult {
  /** Process start → first scanner exec, one value per repetition (ms). */
  toExecMs: number[]
  medianToExecMs: number
  /** Whole CLI runs, for context (ms). */
  medianTotalMs: number
  version: string
}

export async function measureStartup(options: {
  workDir: string
  repetitions: number
}): Promise<StartupResult> {
  const cli = resolve('dist/cli.js')
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first')
  const version = DEFAULT_VERSIONS.trivy
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64'
  const root = join(options.workDir, 'startup')
  const toolCache = join(root, 'tool-cache')
  const toolDir = join(toolCache, 'trivy', version, arch)
  await mkdir(toolDir, { recursive: true })
  await writeFile(`${toolDir}.complete`, '')
  const report = JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: BENCH_IMAGE,
    ArtifactType: 'container_image',
    Results: [],
  })
  const scanner = await writeBenchReplayScanner(toolDir, { name: 'trivy', report })
  const image = join(root, 'image.tar')
  await writeImage(
    {
      config: { User: 'app', Cmd: ['/app/server'] },
      steps: [
        { createdBy: 'ADD rootfs.tar /', entries: [{ path: 'etc/os-release', content: 'ID=bench\n' }] },
        { createdBy: 'USER app' },
      ],
    },
    { format: 'docker-archive', out: image, repoTag: 'bench/startup:1' },
  )
  const toExecMs: number[] = []
  const totals: number[] = []
  for (let i = 0; i < options.repetitions; i++) {
    await rm(scanner.stampFile, { force: true })
    const runnerTemp = join(root, `temp-${i}`)
    await mkdir(runnerTemp, { recursive: true })
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? root,
      RUNNER_TOOL_CACHE: toolCache,
      RUNNER_TEMP: runnerTemp,
      NO_COLOR: '1',
    }
    const startedAt = performance.timeOrigin + performance.now()
    const run = await runProcess(
      process.execPath,
      [cli, 'scan', image, '--scanners', 'trivy', '--trivy-version', version],
      { env, cwd: root },
    )
    if (run.exitCode !== 0 && run.exitCode !== 1) {
      throw new Error(`the CLI exited with ${run.exitCode}:\n${run.stderr.slice(-3000)}`)
    }
    const stamps = (await readFile(scanner.stampFile, 'utf8')).trim().split('\n')
    toExecMs.push(Number(stamps[0]) - startedAt)
    totals.push(run.wallMs)
    await rm(runnerTemp, { recursive: true, force: true })
  }
  return { toExecMs, medianToExecMs: median(toExecMs), medianTotalMs: median(totals), version }
}
