/**
 * cosign's digest lookup against a real Docker engine and a real registry: an image pushed (`docker push`)
 * to Debian's docker-registry on a loopback port has a `RepoDigests` entry, and cosign must be given
 * exactly `<registry>/<repository>@<the digest the registry serves>` — scanned by its registry name or by
 * a local tag of the same image. A locally built image that was never pushed has no registry digest: the
 * "unverifiable" finding, and cosign is not run. Through the built CLI, cosign installed from a loopback
 * release host.
 *
 * Skipped (loudly) without the private engine (.ci/docker-up.sh) or docker-registry; CSG_REQUIRE_DOCKER=1
 * makes either a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cosignTool } from '../../src/scanners/cosign.js'
import { currentPlatform } from '../../src/tools/platform.js'
import { runCli } from '../helpers/cli-runner.js'
import { describeWithEngine, dockerCli, dockerOk, testDockerHost } from '../helpers/docker-engine.js'
import {
  registryUnavailableReason,
  startLoopbackRegistry,
  type LoopbackRegistry,
} from '../helpers/loopback-registry.js'
import { checksumsFile, startReleaseServer, type ReleaseServer } from '../helpers/release-server.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
const describeEngine = await describeWithEngine()
const noRegistry = await registryUnavailableReason()
if (noRegistry !== undefined) {
  if (process.env['CSG_REQUIRE_DOCKER'] === '1')
    throw new Error(`CSG_REQUIRE_DOCKER=1 but the cosign real-engine test cannot run: ${noRegistry}`)
  console.warn(`SKIPPED cosign real-engine tests: ${noRegistry}`)
}
const describeCosign = noRegistry === undefined ? describeEngine : describe.skip

const COSIGN_VERSION = '3.0.0' // unpinned: the loopback checksum file is used

/**
 * A stand-in for `cosign verify` (sigstore/cosign v3.1.1) that records its argv and then looks the image
 * up as cosign does: the manifest by digest, then the signature tag `sha256-<hex>.sig`
 * (pkg/oci/remote/remote.go `SignatureTag`, suffix `sig` in options.go), over plain HTTP for a loopback
 * registry as go-containerregistry does (name.Registry.Scheme). No signature: "no signatures found"
 * (pkg/cosign/verify.go `verifySignatures`) and exit 10 (cmd/cosign/errors/exit_codes.go
 * `ImageWithoutSignature`); an unknown manifest: exit 11 (`NonExistentTag`). It verifies nothing.
 */
function cosignStandIn(callLog: string): string {
  return `#!/usr/bin/env node
const fs = require('node:fs')
const argv = process.argv.slice(2)
fs.appendFileSync(${JSON.stringify(callLog)}, JSON.stringify({ argv }) + '\\n')
const m = /^([^/]+)\\/(.+)@(sha256):([0-9a-f]{64})$/.exec(argv[argv.length - 1] || '')
if (argv[0] !== 'verify' || m === null) {
  process.stderr.write('Error: the stand-in only verifies name@sha256:<digest>\\n')
  process.exit(1)
}
const [, registry, repository, algorithm, hex] = m
const manifest = (ref) =>
  fetch('http://' + registry + '/v2/' + repository + '/manifests/' + ref, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  }).then((r) => r.status)
;(async () => {
  if ((await manifest(algorithm + ':' + hex)) !== 200) {
    process.stderr.write('Error: image tag not found\\nerror during command execution: image tag not found\\n')
    process.exitCode = 11
  } else if ((await manifest(algorithm + '-' + hex + '.sig')) !== 200) {
    process.stderr.write('Error: no signatures found\\nerror during command execution: no signatures found\\n')
    process.exitCode = 10
  } else {
    process.stderr.write('Error: the stand-in does not verify signatures\\n')
    process.exitCode = 1
  }
})()
`
}

interface FindingJson {
  ruleId: string
  evidence?: string
}

describeCosign('cosign and RepoDigests on a real Docker engine and registry', () => {
  const host = testDockerHost() ?? ''
  let dir = ''
  let callLog = ''
  let registry: LoopbackRegistry | undefined
  let server: ReleaseServer | undefined
  let pushed = '' // <registry>/csg-e2e/cosign:ci
  let digest = ''
  const localTag = 'csg-e2e-cosign-app:ci' // the same image as `pushed`, under a local name
  const neverPushed = 'csg-e2e-cosign-local:ci'
  const tags: string[] = [localTag, neverPushed]

  beforeAll(async () => {
    dir = await tempDir('csg-e2e-cosign-')
    registry = await startLoopbackRegistry(await tempDir('csg-e2e-registry-'))
    pushed = `${registry.host}/csg-e2e/cosign:ci`
    tags.push(pushed)
    await writeFile(join(dir, 'pushed.txt'), 'pushed\n')
    await writeFile(join(dir, 'local.txt'), 'never pushed\n')
    await writeFile(join(dir, 'pushed.Dockerfile'), 'FROM scratch\nCOPY pushed.txt /pushed.txt\n')
    await writeFile(join(dir, 'local.Dockerfile'), 'FROM scratch\nCOPY local.txt /local.txt\n')
    const build = { cwd: dir, env: { DOCKER_BUILDKIT: '0' } }
    await dockerOk(
      host,
      ['build', '--network', 'none', '-q', '-t', pushed, '-f', 'pushed.Dockerfile', '.'],
      build,
    )
    await dockerOk(host, ['tag', pushed, localTag])
    await dockerOk(
      host,
      ['build', '--network', 'none', '-q', '-t', neverPushed, '-f', 'local.Dockerfile', '.'],
      build,
    )
    await dockerOk(host, ['push', pushed])
    digest = (await registry.manifestDigest('csg-e2e/cosign', 'ci')) ?? ''
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    server = await startReleaseServer()
    callLog = join(dir, 'cosign.calls.jsonl')
    const asset = cosignTool.asset(COSIGN_VERSION, currentPlatform())!
    const body = Buffer.from(cosignStandIn(callLog))
    const tag = cosignTool.tag(COSIGN_VERSION)
    server.addAsset(cosignTool.repository, tag, asset.name, body)
    server.addAsset(cosignTool.repository, tag, 'cosign_checksums.txt', checksumsFile({ [asset.name]: body }))
    await writeFile(
      join(dir, 'cosign.pub'),
      '-----BEGIN PUBLIC KEY-----\nstand-in\n-----END PUBLIC KEY-----\n',
    )
  }, 300_000)

  afterAll(async () => {
    await server?.close()
    await registry?.stop()
    await dockerCli(host, ['rmi', '-f', ...tags])
  }, 120_000)

  async function scan(image: string): Promise<{ findings: FindingJson[]; calls: string[][] }> {
    await writeFile(callLog, '')
    const json = join(dir, 'findings.json')
    const run = await runCli(
      [
        'scan',
        image,
        '--scanners',
        'cosign',
        '--cosign-version',
        COSIGN_VERSION,
        '--cosign-key',
        'cosign.pub',
        '--tools-mirror',
        server!.url,
        '--fail-on',
        'none',
        '--json',
        json,
      ],
      { cwd: dir, env: { DOCKER_HOST: host, RUNNER_TEMP: dir, RUNNER_TOOL_CACHE: join(dir, 'tool-cache') } },
    )
    expect([run.exitCode, run.stderr]).toEqual([0, ''])
    const calls = (await readFile(callLog, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { argv: string[] }).argv)
    return {
      findings: (JSON.parse(await readFile(json, 'utf8')) as { findings: FindingJson[] }).findings,
      calls,
    }
  }

  it.each([
    ['its registry name', () => pushed],
    ['a local tag of the pushed image', () => localTag],
  ])(
    'a pushed image scanned by %s: cosign verifies <registry>/<repository>@<digest>',
    async (_, image) => {
      const { findings, calls } = await scan(image())
      expect(calls).toEqual([
        [
          'verify',
          '--key',
          'cosign.pub',
          '--output',
          'json',
          '--timeout',
          expect.stringMatching(/^\d+s$/),
          `${registry!.host}/csg-e2e/cosign@${digest}`,
        ],
      ])
      // The registry has no `sha256-<hex>.sig`: unsigned.
      expect(findings.map((f) => [f.ruleId, f.evidence])).toEqual([
        ['csg/cosign-unsigned', 'the image has no signature'],
      ])
    },
    300_000,
  )

  it('a locally built image that was never pushed: unverifiable, and cosign is not run', async () => {
    const { findings, calls } = await scan(neverPushed)
    expect(calls).toEqual([])
    expect(findings.map((f) => f.ruleId)).toEqual(['csg/cosign-unverifiable'])
  }, 300_000)
})
