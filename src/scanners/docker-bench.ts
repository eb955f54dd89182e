/**
 * Docker Bench for Security (docker/docker-bench-security): the CIS Docker Benchmark checks, run as the
 * project's shell script against the Docker daemon of the runner. By default only the image and runtime
 * sections run, limited (`-i`) to the scanned image and to a waiting container started from it, so the
 * runtime checks (section 5) describe that image run with Docker's defaults.
 *
 * Installed from the tag's source archive (the project publishes no binaries); its files are verified
 * against `docker-bench-security.sha256`, the per-file list the project's release workflow attaches to
 * every tagged release. Needs a Docker daemon and is meant to run as root (it warns otherwise).
 */
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Finding } from '../findings/finding.js'
import { platformOs } from '../tools/platform.js'
import type { ToolSpec } from '../tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import { containerName, findDaemonImage, withContainer } from './daemon-image.js'
import { dockerBenchFindings, readDockerBenchLog } from './docker-bench-report.js'
import { readReportFile, runScanner } from './run-scanner.js'
import type { ScanContext, Scanner } from './scanner.js'

const ID = 'docker-bench'

export const DOCKER_BENCH_NO_DAEMON = 'docker-bench needs a Docker daemon; none is reachable on this runner'
export const DOCKER_BENCH_LINUX_ONLY = 'docker-bench checks a Linux Docker host and runs on Linux only'

/** The script exits 0 when it ran; 1 when `docker ps` fails, a required program is missing or a flag is wrong. */
export const DOCKER_BENCH_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'completed',
  1: 'error (no Docker daemon, a missing program or a bad option)',
}

/** The default `-c`: the image and runtime sections, the ones about the scanned image. */
export const DEFAULT_DOCKER_BENCH_CHECKS = ['container_images', 'container_runtime'] as const

/** The section and group functions of functions/functions_lib.sh (1.5/1.6). */
export const DOCKER_BENCH_SECTIONS = [
  'host_configuration',
  'host_configuration_level1',
  'linux_hosts_specific_configuration',
  'host_general_configuration',
  'docker_daemon_configuration',
  'docker_daemon_configuration_level1',
  'docker_daemon_files',
  'docker_daemon_files_level1',
  'container_images',
  'container_images_level1',
  'container_runtime',
  'container_runtime_level1',
  'docker_security_operations',
  'docker_security_operations_level1',
  'docker_swarm_configuration',
  'docker_swarm_configuration_level1',
  'docker_enterprise_configuration',
  'docker_enterprise_configuration_level1',
  'universal_control_plane_configuration',
  'docker_trusted_registry_configuration',
  'community_checks',
  'cis',
  'cis_level1',
  'community',
  'all',
] as const

/** A CIS section number names its section function. */
const SECTION_NUMBERS: Record<string, string> = {
  '1': 'host_configuration',
  '2': 'docker_daemon_configuration',
  '3': 'docker_daemon_files',
  '4': 'container_images',
  '5': 'container_runtime',
  '6': 'docker_security_operations',
  '7': 'docker_swarm_configuration',
  '8': 'docker_enterprise_configuration',
}

const bare = (version: string): string => version.replace(/^v/, '')

/** The directory GitHub's source archive of tag `v<V>` unpacks to. */
const sourceRoot = (version: string): string => `docker-bench-security-${bare(version)}`

export const dockerBenchTool: ToolSpec = {
  name: ID,
  repository: 'docker/docker-bench-security',
  tag: (version) => `v${bare(version)}`,
  asset(version, platform) {
    if (platformOs(platform) !== 'linux') return undefined
    return {
      name: `${sourceRoot(version)}.tar.gz`,
      format: 'tar.gz',
      executable: `${sourceRoot(version)}/docker-bench-security.sh`,
    }
  },
  downloadUrl: (version) =>
    `https://github.com/docker/docker-bench-security/archive/refs/tags/v${bare(version)}.tar.gz`,
  // .github/workflows/slsa.yml: `find *.sh functions/* tests/* Dockerfile Vagrantfile -exec sha256sum {} \;`
  // uploaded as docker-bench-security.sha256 to the release of every tag.
  checksums: (version) => ({
    kind: 'file-list',
    name: 'docker-bench-security.sha256',
    root: sourceRoot(version),
    mustBeListed: /^(?:[^/]+\.sh|functions\/.+|tests\/.+)$/,
  }),
}

/**
 * The `docker-bench-checks` input as `-c` values: section names (`container_images`), check functions
 * (`check_5_4`), CIS ids (`5.4` → `check_5_4`) or section numbers (`5` → `container_runtime`), comma or
 * whitespace separated. Empty → the default. Anything else is a `ConfigurationError`.
 */
export function parseDockerBenchChecks(text: string | undefined): string[] {
  const tokens = (text ?? '').split(/[\s,]+/).filter((t) => t !== '')
  if (tokens.length === 0) return [...DEFAULT_DOCKER_BENCH_CHECKS]
  const checks = tokens.map((token) => {
    const t = token.toLowerCase()
    if ((DOCKER_BENCH_SECTIONS as readonly string[]).includes(t)) return t
    if (/^check_(?:\d+(?:_\d+)*|c(?:_\d+)*|running_containers|product_license)$/.test(t)) return t
    // Own keys only: `constructor` must be refused, not find Object.prototype's members.
    const section = Object.hasOwn(SECTION_NUMBERS, t) ? SECTION_NUMBERS[t] : undefined
    if (section !== undefined) return section
    if (/^\d+(?:\.\d+)+$/.test(t)) return `check_${t.replace(/\./g, '_')}`
    throw new ConfigurationError(
      `docker-bench-checks: "${token}" is not a docker-bench check; use section names ` +
        `(${DEFAULT_DOCKER_BENCH_CHECKS.join(', ')}, docker_daemon_configuration, ...), check functions ` +
        '(check_5_4) or CIS ids (5.4)',
    )
  })
  return [...new Set(checks)]
}

/** True when the checks include the runtime section (5), which inspects running containers. */
export function needsRuntimeContainer(checks: readonly string[]): boolean {
  return checks.some((c) => /^(container_runtime|cis|cis_level1|all)$|^check_5(_|$)/.test(c))
}

/** Arguments of `docker-bench-security.sh`. Pure. */
export function dockerBenchArgs(options: {
  checks: readonly string[]
  logFile: string
  include: string
}): string[] {
  return [
    '-b', // no colours
    '-p', // remediation into the JSON log
    '-l',
    options.logFile, // the JSON log is `<logFile>.json`
    '-c',
    options.checks.join(','),
    '-i',
    options.include, // a pattern matched against `docker images` lines and container names
  ]
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  const tool = ctx.tool
  if (tool === undefined) throw new ScannerError(ID, 'docker-bench is not installed')
  const checks = parseDockerBenchChecks(ctx.options.dockerBenchChecks)
  const image = await findDaemonImage(ctx, ID)
  const logFile = join(ctx.workDir, 'docker-bench.log')
  const jsonLog = `${logFile}.json`
  await rm(jsonLog, { force: true }) // a stale log must never pass for this run's
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    ctx.logger.warning('docker-bench is not running as root: checks that read root-only files report less')
  }
  const args = dockerBenchArgs({ checks, logFile, include: image.shortId })
  // The script sources ./functions and ./tests from its own directory.
  const invoke = () => runScanner(ctx, ID, { args, okExitCodes: [0], cwd: dirname(tool.path) })
  const result = needsRuntimeContainer(checks)
    ? await withContainer(
        ctx,
        { scannerId: ID, image: image.id, name: containerName(ID, image.shortId) },
        () => invoke(),
      )
    : await invoke()
  const text = await readReportFile(ID, jsonLog, tailLines(result.result.stderr || result.result.stdout))
  const log = readDockerBenchLog(text, { target: ctx.target, origin: jsonLog })
  if (log.repaired) {
    ctx.logger.warning(
      `docker-bench wrote a log that is not valid JSON (${jsonLog}); its results were recovered line by line`,
    )
  }
  if (!log.complete) ctx.logger.warning(`docker-bench's log ends before the run finished (${jsonLog})`)
  return dockerBenchFindings(log, { target: ctx.target, origin: jsonLog })
}

export const dockerBench: Scanner = {
  id: ID,
  name: 'Docker Bench for Security',
  tool: dockerBenchTool,
  validateOptions: (options) => void parseDockerBenchChecks(options.dockerBenchChecks),
  unavailableReason: ({ platform, dockerAvailable }) => {
    if (platformOs(platform) !== 'linux') return DOCKER_BENCH_LINUX_ONLY
    return dockerAvailable ? undefined : DOCKER_BENCH_NO_DAEMON
  },
  scan,
}
