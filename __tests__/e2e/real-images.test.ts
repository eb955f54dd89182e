/**
 * The CLI on images built by a real image tool from real Dockerfiles: buildah (no daemon, no network),
 * exported by buildah itself as a docker-archive, an OCI archive and an OCI layout directory. The
 * planted image plants every problem the builtin checks look for; the clean one plants none.
 * Skipped where buildah cannot run, unless CSG_REQUIRE_REAL_TOOLS=1 (CI), where that is a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  buildWithBuildah,
  buildahUnavailableReason,
  type BuiltWithBuildah,
} from '../../scripts/lib/buildah.js'
import { planted, privateKeyBlock } from '../../scripts/lib/planted-secrets.js'
import { runCli } from '../helpers/cli-runner.js'

const BUSYBOX = '/bin/busybox'
const unavailable = await buildahUnavailableReason().then(async (reason) => {
  if (reason !== undefined) return reason
  try {
    await readFile(BUSYBOX)
    return undefined
  } catch {
    return `${BUSYBOX} (Debian's busybox-static) is needed as the base of the test images`
  }
})
if (unavailable !== undefined && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but real-tool images cannot be built: ${unavailable}`)
}
const describeReal = unavailable === undefined ? describe : describe.skip
if (unavailable !== undefined) console.warn(`skipping real-tool image tests: ${unavailable}`)

const BASE = `FROM scratch AS base
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
`

const plantedDockerfile = (url: string): string => `${BASE}
FROM base
ARG NPM_TOKEN
ENV AWS_ACCESS_KEY_ID=${planted.awsAccessKeyId} DB_PASSWORD=${planted.password}
RUN mkdir -p /app /usr/bin && echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > /app/.npmrc
COPY id_rsa /root/.ssh/id_rsa
RUN cp /bin/busybox /usr/bin/passwd && chmod 4755 /usr/bin/passwd
ADD ${url}/tool.tar.gz /opt/tool.tar.gz
EXPOSE 22 2375 8080
CMD ["/app/server"]
`

const CLEAN_DOCKERFILE = `${BASE}
FROM base AS build
RUN mkdir -p /out && printf '#!/bin/sh\\necho ok\\n' > /out/server && chmod 755 /out/server

FROM base
RUN mkdir -p /etc /home/app && echo 'app:x:10001:10001::/home/app:/bin/sh' > /etc/passwd
COPY --from=build /out/server /app/server
USER 10001
EXPOSE 8080
HEALTHCHECK --interval=30s CMD ["/app/server"]
CMD ["/app/server"]
`

const EXPECTED = [
  { ruleId: 'csg/root-user', severity: 'high' },
  { ruleId: 'csg/no-healthcheck', severity: 'low' },
  { ruleId: 'csg/risky-port', severity: 'medium', subject: '22/tcp' },
  { ruleId: 'csg/risky-port', severity: 'medium', subject: '2375/tcp' },
  { ruleId: 'csg/secret-in-env', severity: 'critical', subject: 'ENV AWS_ACCESS_KEY_ID' },
  { ruleId: 'csg/secret-in-env', severity: 'high', subject: 'ENV DB_PASSWORD' },
  { ruleId: 'csg/secret-in-history', severity: 'critical' },
  { ruleId: 'csg/secret-file', severity: 'critical', subject: '/root/.ssh/id_rsa' },
  { ruleId: 'csg/secret-file', severity: 'high', subject: '/app/.npmrc' },
  { ruleId: 'csg/setuid-files', severity: 'low' },
  { ruleId: 'csg/remote-add', severity: 'medium' },
] as const
const RANK = { critical: 4, high: 3, medium: 2, low: 1, unknown: 0 } as const

describeReal('the CLI on images built by buildah', () => {
  let work: string
  let server: Server
  let plantedImage: BuiltWithBuildah
  let cleanImage: BuiltWithBuildah

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'csg-buildah-'))
    server = createServer((_req, res) => res.end('tool bytes'))
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const storage = join(work, 'storage')
    const plantedContext = join(work, 'planted')
    await mkdir(plantedContext)
    await copyFile(BUSYBOX, join(plantedContext, 'busybox'))
    await writeFile(join(plantedContext, 'id_rsa'), privateKeyBlock())
    await writeFile(join(plantedContext, 'Dockerfile'), plantedDockerfile(url))
    plantedImage = await buildWithBuildah({
      context: plantedContext,
      tag: 'localhost/acme/planted:1.0',
      outDir: join(work, 'planted-out'),
      storage,
      buildArgs: { NPM_TOKEN: planted.npmToken },
    })
    const cleanContext = join(work, 'clean')
    await mkdir(cleanContext)
    await copyFile(BUSYBOX, join(cleanContext, 'busybox'))
    await writeFile(join(cleanContext, 'Dockerfile'), CLEAN_DOCKERFILE)
    cleanImage = await buildWithBuildah({
      context: cleanContext,
      tag: 'localhost/acme/clean:1.0',
      outDir: join(work, 'clean-out'),
      storage,
    })
  }, 180_000)

  afterAll(async () => {
    server.close()
    await rm(work, { recursive: true, force: true })
  })

  it.each(['dockerArchive', 'ociArchive', 'ociDir'] as const)(
    '%s: every planted problem at its severity or above, and exit 1 with --fail-on high',
    async (form) => {
      const json = join(work, `planted-${form}.json`)
      const run = await runCli([
        'scan',
        plantedImage[form],
        // buildah records a remote ADD as `ADD <hash> in /dst`: only the Dockerfile still shows the URL.
        '--dockerfile',
        join(work, 'planted', 'Dockerfile'),
        '--scanners',
        'builtin',
        '--fail-on',
        'high',
        '--json',
        json,
      ])
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(1)
      const text = await readFile(json, 'utf8')
      const doc = JSON.parse(text)
      for (const expected of EXPECTED) {
        const found = doc.findings.find(
          (f: { ruleId: string; subject?: string }) =>
            f.ruleId === expected.ruleId && (!('subject' in expected) || f.subject === expected.subject),
        )
        expect({ expected, found: found !== undefined }).toEqual({ expected, found: true })
        expect(RANK[found.severity as keyof typeof RANK]).toBeGreaterThanOrEqual(RANK[expected.severity])
      }
      for (const secret of [planted.awsAccessKeyId, planted.password, planted.npmToken]) {
        expect(text + run.stdout).not.toContain(secret)
      }
    },
  )

  it.each(['dockerArchive', 'ociArchive', 'ociDir'] as const)(
    '%s: the clean image has nothing at medium or above and exits 0 with --fail-on medium',
    async (form) => {
      const run = await runCli([
        'scan',
        cleanImage[form],
        '--dockerfile',
        join(work, 'clean', 'Dockerfile'),
        '--scanners',
        'builtin',
        '--fail-on',
        'medium',
        '--format',
        'json',
      ])
      expect(run.stderr).toBe('')
      expect(run.exitCode).toBe(0)
      const doc = JSON.parse(run.stdout)
      expect(
        doc.findings.filter((f: { severity: string }) => RANK[f.severity as keyof typeof RANK] >= 2),
      ).toEqual([])
    },
  )
})
