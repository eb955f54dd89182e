/**
 * The scanners that start a container (cinc-auditor, docker-bench) against a real Docker engine: the
 * scanner module runs as the scan stage runs it (the real `docker` on PATH, DOCKER_HOST in its
 * environment), with a stand-in scanner that talks to the container the way the real one does and then
 * replays a report in the real format. The container must be created from the scanned image with no
 * network, be reachable by the scanner, and be gone afterwards — after a clean run, a failed run and a
 * run that times out (`docker ps -a`).
 *
 * Skipped (loudly) without the private engine .ci/docker-up.sh starts; CSG_REQUIRE_DOCKER=1 makes that a
 * failure.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals'
import { chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cincAuditor } from '../../src/scanners/cinc-auditor.js'
import { dockerBench } from '../../src/scanners/docker-bench.js'
import type { Scanner } from '../../src/scanners/scanner.js'
import type { OpenedImage } from '../../src/target/image-types.js'
import { describeWithEngine, dockerCli, dockerOk, testDockerHost } from '../helpers/docker-engine.js'
import { daemonSource, testScanContext } from '../helpers/scan-context.js'
import { tempDirs } from '../helpers/temp-dirs.js'
import { inspecJson } from '../scanners/inspec-fixtures.js'

const describeEngine = await describeWithEngine()
const tempDir = tempDirs()

const IMAGE = 'csg-e2e-containers:ci'
const LABEL = 'org.container-security-gate.scanner'

/** A docker-bench JSON log (`-l <file>` → `<file>.json`, functions/output_lib.sh of v1.6.1) with one WARN. */
const BENCH_LOG = JSON.stringify({
  dockerbenchsecurity: '1.6.1',
  start: 1700000000,
  tests: [
    {
      id: '5',
      desc: 'Container Runtime',
      results: [
        {
          id: '5.10',
          desc: "Ensure that the host's network namespace is not shared (Automated)",
          result: 'PASS',
        },
        {
          id: '5.26',
          desc: 'Ensure that container health is checked at runtime (Automated)',
          result: 'WARN',
          details: 'Containers without health checks',
          items: ['csg-container'],
          remediation: 'You should run the container using the --health-cmd parameter.',
        },
      ],
    },
  ],
  checks: 2,
  score: -1,
  end: 1700000100,
})

/**
 * What the stand-ins do, after finding the container as the real tool does: record what the daemon says
 * about it (`docker inspect`, as docker-bench v1.6.1's check_5_10 reads NetworkMode) and run a command
 * in it (`docker exec`, as InSpec's docker transport does for every resource), then either sleep, fail or
 * write the report. `$probe` is a file; `$container` the container found.
 */
const PROBE = `
{
  docker inspect --format 'image={{.Image}} network={{.HostConfig.NetworkMode}} running={{.State.Running}} label={{index .Config.Labels "${LABEL}"}}' "$container"
  printf 'exec=%s\\n' "$(docker exec "$container" sh -c 'echo alive')"
} >>"$probe" 2>&1
case "$CSG_STANDIN_MODE" in
  sleep) sleep 120 ;;
  fail) echo "stand-in failure" >&2; exit 1 ;;
esac
`

/**
 * docker-bench-security.sh: `-l <log>`, `-i <pattern>`; containers and images are found with the lines
 * of docker-bench-security.sh v1.6.1 (`docker ps | sed '1d' | awk '{print $NF}' | grep -E "$pattern"`).
 */
function benchStandIn(probe: string, report: string): string {
  return `#!/bin/bash
set -u
probe=${JSON.stringify(probe)}
while getopts bpl:c:i: opt; do
  case $opt in l) logger="$OPTARG" ;; i) include="$OPTARG" ;; *) ;; esac
done
pattern=$(echo "$include" | sed 's/,/|/g')
containers=$(docker ps | sed '1d' | awk '{print $NF}' | grep -E "$pattern")
images=$(docker images | sed '1d' | grep -E "$pattern" | awk '{print $3}')
echo "images=$images" >>"$probe"
container=$(echo "$containers" | head -1)
${PROBE}
cat >"$logger.json" <<'REPORT'
${report}
REPORT
`
}

/** Cinc Auditor's interpreter: `<stub> exec <profile> --target docker://<id> --reporter json:<file>`. */
function cincStandIn(probe: string, report: string): string {
  return `#!/bin/bash
set -u
probe=${JSON.stringify(probe)}
container="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --target) container="\${2#docker://}"; shift ;;
    --reporter) out="\${2#json:}"; shift ;;
  esac
  shift
done
${PROBE}
cat >"$out" <<'REPORT'
${report}
REPORT
`
}

/** The omnibus tree cinc-auditor.ts expects (see omnibusLayout), with the stand-in as its ruby. */
async function cincTree(dir: string, script: string): Promise<string> {
  const embedded = join(dir, 'opt', 'cinc-auditor', 'embedded')
  await mkdir(join(embedded, 'bin'), { recursive: true })
  await mkdir(join(embedded, 'lib', 'ruby', '3.1.0', 'x86_64-linux'), { recursive: true })
  await writeFile(join(embedded, 'lib', 'ruby', '3.1.0', 'x86_64-linux', 'rbconfig.rb'), '# rbconfig\n')
  await writeFile(join(embedded, 'bin', 'cinc-auditor'), '#!/opt/cinc-auditor/embedded/bin/ruby\n')
  const ruby = join(embedded, 'bin', 'ruby')
  await writeFile(ruby, script)
  await chmod(ruby, 0o755)
  return ruby
}

async function benchTree(dir: string, script: string): Promise<string> {
  const root = join(dir, 'docker-bench-security-1.6.1')
  await mkdir(root, { recursive: true })
  const path = join(root, 'docker-bench-security.sh')
  await writeFile(path, script)
  await chmod(path, 0o755)
  return path
}

interface Case {
  scanner: Scanner
  install: (dir: string, probe: string) => Promise<string>
  options: Record<string, string>
  findings: string[]
}

const CASES: Case[] = [
  {
    scanner: cincAuditor,
    install: (dir, probe) => cincTree(dir, cincStandIn(probe, inspecJson())),
    options: { inspecProfile: '/profiles/linux-baseline' },
    findings: ['cis-docker-benchmark-4.1', 'os-02'],
  },
  {
    scanner: dockerBench,
    install: (dir, probe) => benchTree(dir, benchStandIn(probe, BENCH_LOG)),
    options: {},
    findings: ['docker-bench/5.26'],
  },
]

describeEngine.each(CASES)(
  '$scanner.id against a real Docker engine',
  ({ scanner, install, options, findings }) => {
    const host = testDockerHost() ?? ''
    let imageId = ''

    beforeAll(async () => {
      const dir = await tempDir('csg-e2e-containers-')
      await copyFile('/bin/busybox', join(dir, 'busybox'))
      await writeFile(
        join(dir, 'Dockerfile'),
        'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n',
      )
      const tag = `${IMAGE.replace(':ci', '')}-${scanner.id}:ci`
      await dockerOk(host, ['build', '--network', 'none', '-q', '-t', tag, '.'], {
        cwd: dir,
        env: { DOCKER_BUILDKIT: '0' },
      })
      imageId = (await dockerOk(host, ['image', 'inspect', '--format', '{{.Id}}', tag])).trim()
    }, 300_000)

    /** `docker ps` filters for the containers of this scanner from this test's image (the engine is shared). */
    const ours = (): string[] => [
      '--filter',
      `label=${LABEL}=${scanner.id}`,
      '--filter',
      `ancestor=${imageId}`,
    ]

    afterAll(async () => {
      if (imageId === '') return
      // Containers a broken withContainer left behind, then the image.
      const left = await dockerCli(host, ['ps', '-a', '--quiet', ...ours()])
      const ids = left.stdout.split(/\s+/).filter((id) => id !== '')
      if (ids.length > 0) await dockerCli(host, ['rm', '-f', ...ids])
      await dockerOk(host, ['rmi', '-f', imageId])
    }, 120_000)

    async function run(mode: 'report' | 'fail' | 'sleep', timeoutMs = 60_000) {
      const dir = await tempDir('csg-e2e-container-scan-')
      const probe = join(dir, 'probe.txt')
      const tool = await install(join(dir, 'tool'), probe)
      const ctx = testScanContext({
        target: imageId,
        source: daemonSource(dir, imageId),
        image: { imageId } as OpenedImage,
        workDir: dir,
        timeoutMs,
        tool: { path: tool, version: 'stand-in' },
        env: { PATH: process.env['PATH'], DOCKER_HOST: host, CSG_STANDIN_MODE: mode },
        options,
      })
      const outcome = await scanner.scan(ctx).then(
        (found) => ({ found, error: undefined }),
        (error: unknown) => ({ found: undefined, error: error as Error }),
      )
      const left = await dockerOk(host, ['ps', '-a', '--quiet', ...ours()])
      return { ...outcome, probe: await readFile(probe, 'utf8').catch(() => ''), left: left.trim() }
    }

    it('creates the container from the scanned image with no network, lets the scanner in, then removes it', async () => {
      const { found, error, probe, left } = await run('report')
      expect(error).toBeUndefined()
      expect(found?.map((f) => f.ruleId).sort()).toEqual(findings)
      expect(probe).toContain(`image=${imageId} network=none running=true label=${scanner.id}\n`)
      expect(probe).toContain('exec=alive\n')
      if (scanner.id === 'docker-bench') expect(probe).toContain(`images=${imageId.slice(7, 19)}\n`)
      expect(left).toBe('')
    }, 120_000)

    it('removes the container when the scanner fails', async () => {
      const { error, probe, left } = await run('fail')
      expect(error?.message).toMatch(/exited with code 1/)
      expect(probe).toContain('exec=alive\n')
      expect(left).toBe('')
    }, 120_000)

    it('removes the container when the scanner times out', async () => {
      const { error, probe, left } = await run('sleep', 8_000)
      expect(error?.message).toMatch(/did not finish within the scan timeout/)
      expect(probe).toContain('exec=alive\n')
      expect(left).toBe('')
    }, 120_000)
  },
)
