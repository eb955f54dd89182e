/**
 * The inventory on a real Debian image: a bookworm minbase root filesystem made by mmdebstrap (apt and dpkg
 * install every package, so the status file is Debian's own), turned into an image by buildah (`ADD` of
 * the rootfs tarball, then `COPY` of an npm app whose node_modules are real published packages). Expected
 * packages come from the tools that own the formats, never from our readers: `dpkg-query --admindir` on
 * the rootfs's dpkg database, and `npm query '*'` on the app. Both SBOM formats must list every one of
 * them with its exact version as a purl and validate against their schemas; the action must submit a
 * snapshot the loopback dependency graph accepts.
 * Skipped where mmdebstrap, buildah, dpkg-query or npm cannot run (or Debian's archive cannot be reached
 * and nothing is cached), unless CSG_REQUIRE_REAL_TOOLS=1, where that is a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { cp, link, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { PackageURL } from 'packageurl-js'
import {
  buildWithBuildah,
  buildahUnavailableReason,
  type BuiltWithBuildah,
} from '../../scripts/lib/buildah.js'
import { debianRootfsTarball, mmdebstrapUnavailableReason } from '../../scripts/lib/debian-rootfs.js'
import { runAction } from '../helpers/action-runner.js'
import { runCli } from '../helpers/cli-runner.js'
import { startDependencyGraphApi, type DependencyGraphApi } from '../helpers/dependency-graph-server.js'
import { cycloneDxErrors, spdxErrors } from '../helpers/sbom-check.js'

const execFileAsync = promisify(execFile)

/** Real npm packages of this repository's own node_modules, copied into the app with their dependencies. */
const APP_DEPENDENCIES = ['p-limit', 'packageurl-js', '@actions/http-client']

async function toolMissing(command: string, args: string[]): Promise<string | undefined> {
  try {
    await execFileAsync(command, args)
    return undefined
  } catch {
    return `${command} is not available`
  }
}

let tarball: string | undefined
const unavailable = await (async (): Promise<string | undefined> => {
  const reason =
    (await buildahUnavailableReason()) ??
    (await mmdebstrapUnavailableReason()) ??
    (await toolMissing('dpkg-query', ['--version'])) ??
    (await toolMissing('npm', ['--version']))
  if (reason !== undefined) return reason
  try {
    tarball = await debianRootfsTarball({
      suite: 'bookworm',
      variant: 'minbase',
      cacheDir: join(process.env['CSG_FIXTURE_CACHE'] ?? resolve('.cache'), 'mmdebstrap'),
    })
    return undefined
  } catch (error) {
    return `mmdebstrap could not build a bookworm rootfs: ${String(error).slice(0, 500)}`
  }
})()
if (unavailable !== undefined && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but the Debian SBOM test cannot run: ${unavailable}`)
}
const describeReal = unavailable === undefined ? describe : describe.skip
if (unavailable !== undefined) console.warn(`skipping the real Debian SBOM tests: ${unavailable}`)

interface Expected {
  purl: string
  layer: number
}

/** Copies `names` and, recursively, their dependencies from this repository's node_modules. */
async function copyPackages(names: readonly string[], into: string): Promise<void> {
  const done = new Set<string>()
  const queue = [...names]
  while (queue.length > 0) {
    const name = queue.shift()!
    if (done.has(name)) continue
    done.add(name)
    await cp(resolve('node_modules', name), join(into, name), { recursive: true })
    const manifest = JSON.parse(await readFile(resolve('node_modules', name, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>
    }
    queue.push(...Object.keys(manifest.dependencies ?? {}))
  }
}

/** Every installed package of the rootfs, as dpkg itself reports it. */
async function dpkgExpected(rootfsTar: string, work: string): Promise<Expected[]> {
  const root = join(work, 'dpkg-root')
  await mkdir(root, { recursive: true })
  await execFileAsync('tar', ['-xf', rootfsTar, '-C', root, './var/lib/dpkg'])
  const { stdout } = await execFileAsync(
    'dpkg-query',
    [
      `--admindir=${join(root, 'var/lib/dpkg')}`,
      '-W',
      '-f=${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\n',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([state]) => state === 'installed')
    .map(([, name, version, arch, source]) => {
      const qualifiers: Record<string, string> = { arch: arch!, distro: 'debian-12' }
      if (source !== name) qualifiers['upstream'] = source!
      return { purl: new PackageURL('deb', 'debian', name!, version, qualifiers).toString(), layer: 0 }
    })
}

/** Every package of the app's node_modules, as npm itself reports it. */
async function npmExpected(appDir: string): Promise<Expected[]> {
  const { stdout } = await execFileAsync('npm', ['query', '*', '--prefix', appDir], {
    maxBuffer: 16 * 1024 * 1024,
  })
  const nodes = JSON.parse(stdout) as { name: string; version: string; location: string }[]
  return nodes
    .filter((node) => node.location.startsWith('node_modules/'))
    .map((node) => {
      const scoped = /^(@[^/]+)\/(.+)$/.exec(node.name)
      const purl = new PackageURL(
        'npm',
        scoped?.[1],
        scoped?.[2] ?? node.name,
        node.version,
        undefined,
      ).toString()
      return { purl, layer: 1 }
    })
}

describeReal('SBOMs of a real Debian image with an npm app layer', () => {
  let work = ''
  let image: BuiltWithBuildah
  let expected: Expected[]
  let api: DependencyGraphApi | undefined

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'csg-debian-sbom-'))
    const context = join(work, 'context')
    await mkdir(join(context, 'app', 'node_modules'), { recursive: true })
    await link(tarball!, join(context, 'rootfs.tar')).catch(() => cp(tarball!, join(context, 'rootfs.tar')))
    await copyPackages(APP_DEPENDENCIES, join(context, 'app', 'node_modules'))
    await writeFile(
      join(context, 'app', 'package.json'),
      JSON.stringify({ name: 'sbom-app', version: '1.0.0', private: true, dependencies: {} }),
    )
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM scratch\nADD rootfs.tar /\nCOPY app /app\nCMD ["/bin/sh"]\n',
    )
    image = await buildWithBuildah({
      context,
      tag: 'localhost/acme/debian-app:1.0',
      outDir: join(work, 'out'),
      storage: join(work, 'storage'),
    })
    const dpkg = await dpkgExpected(tarball!, work)
    const npm = await npmExpected(join(context, 'app'))
    // Guard against a vacuous pass: a minbase system has ~90 packages, the app 6.
    expect(dpkg.length).toBeGreaterThan(50)
    expect(npm.length).toBe(6)
    expected = [...dpkg, ...npm]
  }, 600_000)

  afterAll(async () => {
    await api?.close()
    if (work !== '') await rm(work, { recursive: true, force: true })
  })

  it('CycloneDX 1.6: every dpkg and npm package with its exact version as a purl and its layer; valid', async () => {
    const sbom = join(work, 'sbom.cdx.json')
    const run = await runCli([
      'scan',
      image.dockerArchive,
      '--scanners',
      'builtin',
      '--fail-on',
      'none',
      '--sbom',
      sbom,
    ])
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const text = await readFile(sbom, 'utf8')
    expect(await cycloneDxErrors(text)).toBeUndefined()
    const bom = JSON.parse(text) as {
      components: { purl: string; properties: { name: string; value: string }[] }[]
    }
    const layerOf = new Map(
      bom.components.map((c) => [
        c.purl,
        Number(c.properties.find((p) => p.name === 'container-security-gate:layer:index')?.value),
      ]),
    )
    const missing = expected.filter((e) => !layerOf.has(e.purl))
    expect(missing).toEqual([])
    expect(expected.filter((e) => layerOf.get(e.purl) !== e.layer)).toEqual([])
    expect(bom.components).toHaveLength(expected.length)
  }, 120_000)

  it('SPDX 2.3: every dpkg and npm package with its exact version as a purl; valid', async () => {
    const sbom = join(work, 'sbom.spdx.json')
    const run = await runCli([
      'scan',
      image.ociArchive,
      '--scanners',
      'builtin',
      '--fail-on',
      'none',
      '--sbom',
      sbom,
      '--sbom-format',
      'spdx-json',
    ])
    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const text = await readFile(sbom, 'utf8')
    expect(spdxErrors(text)).toBeUndefined()
    const doc = JSON.parse(text) as { packages: { externalRefs?: { referenceLocator: string }[] }[] }
    const purls = new Set(doc.packages.flatMap((p) => p.externalRefs?.map((r) => r.referenceLocator) ?? []))
    expect(expected.filter((e) => !purls.has(e.purl))).toEqual([])
    expect(purls.size).toBe(expected.length)
  }, 120_000)

  it('the action submits a dependency snapshot the loopback GitHub accepts, and summarises packages per layer', async () => {
    api = await startDependencyGraphApi()
    const sbom = join(work, 'action-sbom.json')
    const run = await runAction({
      inputs: {
        image: image.ociDir,
        scanners: 'builtin',
        'fail-on': 'none',
        upload: 'never',
        'sbom-file': sbom,
        'dependency-snapshot': 'true',
        token: 'ghs_loopback',
      },
      env: {
        GITHUB_API_URL: api.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/debian-app',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_SHA: 'c'.repeat(40),
        GITHUB_WORKFLOW: 'CI',
        GITHUB_JOB: 'image',
        GITHUB_RUN_ID: '99',
      },
      timeoutMs: 120_000,
    })
    try {
      expect(run.exitCode).toBe(0)
      // No warning about the snapshot or the SBOM (findings' own annotations carry a title).
      expect(run.commands.filter((c) => c.kind === 'warning' && !c.properties.includes('title='))).toEqual([])
      expect(api.violations).toEqual([])
      expect(api.accepted).toHaveLength(1)
      const body = api.accepted[0]!.body as {
        manifests: Record<string, { resolved: Record<string, { package_url: string }> }>
      }
      const manifests = Object.values(body.manifests)
      expect(manifests).toHaveLength(1)
      const submitted = new Set(Object.values(manifests[0]!.resolved).map((d) => d.package_url))
      expect(expected.filter((e) => !submitted.has(e.purl))).toEqual([])
      expect(submitted.size).toBe(expected.length)
      expect(run.outputs['sbom-file']).toBe(sbom)
      const dpkgCount = expected.filter((e) => e.layer === 0).length
      expect(run.summary).toContain(
        `**${expected.length}** package(s) — layer 0: ${dpkgCount}, layer 1: ${expected.length - dpkgCount}`,
      )
    } finally {
      await rm(run.runnerTemp, { recursive: true, force: true })
    }
  }, 180_000)
})
