// npm run screenshot: docs/job-summary.png, the job summary of a real run of the action. The action is
// bundled from the current sources and run as the runner runs it (INPUT_* env with action.yml's
// defaults, GITHUB_STEP_SUMMARY, RUNNER_TEMP — as __tests__/helpers/action-runner.ts does) on the demo
// image with planted problems and its Dockerfile, with a Trivy report of that image imported; the
// summary's markdown is rendered to HTML in GitHub's style and photographed by headless Chromium
// (`apt-get install -y chromium`). No network, no Docker.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { PLANTED_DOCKERFILE, plantedImage } from './lib/demo-images.js'
import { writeImage } from './lib/image-builder.js'
import { renderSummaryHtml } from './lib/summary-html.js'

async function main(): Promise<void> {
  const root = resolve('.')
  const out = join(root, 'docs', 'job-summary.png')
  const work = mkdtempSync(join(tmpdir(), 'csg-screenshot-'))
  try {
    const bundle = join(work, 'bundle')
    execFileSync(process.execPath, ['scripts/build.js', '--outdir', bundle], { stdio: 'inherit' })
    const workspace = join(work, 'workspace')
    const runnerTemp = join(work, 'runner')
    mkdirSync(workspace)
    mkdirSync(runnerTemp)
    writeFileSync(join(workspace, 'Dockerfile'), PLANTED_DOCKERFILE)
    const image = await writeImage(plantedImage(), {
      format: 'docker-archive',
      out: join(workspace, 'app.tar'),
      repoTag: 'acme/app:1.0',
    })
    // The base image's layer carries the OS packages, so attribution puts their CVEs on FROM.
    const baseLayer = image.layers[0]?.diffId ?? ''
    writeFileSync(join(workspace, 'trivy.json'), trivyReport(baseLayer))

    const summaryFile = join(runnerTemp, 'step_summary.md')
    writeFileSync(summaryFile, '')
    writeFileSync(join(runnerTemp, 'github_output'), '')
    const actionYml = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>
    }
    const inputs: Record<string, string> = {
      image: 'app.tar',
      scanners: 'builtin',
      reports: 'trivy:trivy.json',
      'fail-on': 'high',
      'only-fixed': 'true',
      upload: 'never',
    }
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: runnerTemp,
      RUNNER_TEMP: runnerTemp,
      RUNNER_TOOL_CACHE: join(runnerTemp, 'tool-cache'),
      GITHUB_OUTPUT: join(runnerTemp, 'github_output'),
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
    }
    for (const [name, spec] of Object.entries(actionYml.inputs)) {
      const fallback = spec.default?.includes('${{') ? '' : (spec.default ?? '')
      env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? (name === 'matrix' ? 'null' : fallback)
    }
    const run = spawnSync(process.execPath, [join(bundle, 'index.js')], {
      cwd: workspace,
      env,
      encoding: 'utf8',
    })
    console.log(`action exit code ${run.status ?? 'none'}`)
    const html = join(work, 'summary.html')
    writeFileSync(html, renderSummaryHtml(readFileSync(summaryFile, 'utf8')))
    mkdirSync(join(root, 'docs'), { recursive: true })
    const shot = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        `--user-data-dir=${join(work, 'chromium')}`,
        '--window-size=1200,1300',
        `--screenshot=${out}`,
        `file://${html}`,
      ],
      { encoding: 'utf8' },
    )
    if (shot.status !== 0) throw new Error(`chromium failed (${shot.status}): ${shot.stderr.slice(-2000)}`)
    console.log(`wrote ${out}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

await main()

/** A Trivy JSON report (pkg/types/report.go, SchemaVersion 2) of the image's base-layer packages. */
function trivyReport(diffId: string): string {
  const vuln = (id: string, pkg: string, version: string, severity: string, fixed?: string) => ({
    VulnerabilityID: id,
    PkgName: pkg,
    InstalledVersion: version,
    ...(fixed !== undefined ? { FixedVersion: fixed, Status: 'fixed' } : { Status: 'affected' }),
    Layer: { DiffID: diffId },
    Title: `${pkg}: ${severity.toLowerCase()} severity issue`,
    Description: `A vulnerability in ${pkg}.`,
    Severity: severity,
    References: [`https://nvd.nist.gov/vuln/detail/${id}`],
  })
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: 'acme/app:1.0',
    ArtifactType: 'container_image',
    Metadata: { DiffIDs: [diffId] },
    Results: [
      {
        Target: 'acme/app:1.0 (busybox 1.36)',
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: [
          vuln('CVE-2022-48174', 'busybox', '1.36.0-r0', 'CRITICAL', '1.36.1-r1'),
          vuln('CVE-2023-42363', 'busybox', '1.36.0-r0', 'MEDIUM', '1.36.1-r4'),
          vuln('CVE-2023-42366', 'busybox', '1.36.0-r0', 'MEDIUM', '1.36.1-r6'),
          vuln('CVE-2023-5363', 'libssl3', '3.1.2-r0', 'HIGH', '3.1.4-r0'),
          vuln('CVE-2024-5535', 'libssl3', '3.1.2-r0', 'CRITICAL'),
          vuln('CVE-2023-45853', 'zlib', '1.2.13-r1', 'CRITICAL'),
        ],
      },
    ],
  })
}
