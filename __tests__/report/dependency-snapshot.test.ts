import { afterEach, describe, expect, it } from '@jest/globals'
import type { ImageInventory } from '../../src/inventory/package.js'
import { buildDependencySnapshot, submitDependencySnapshot } from '../../src/report/dependency-snapshot.js'
import { readGitHubContext } from '../../src/report/github-context.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { startDependencyGraphApi, type DependencyGraphApi } from '../helpers/dependency-graph-server.js'

const SHA = 'a'.repeat(40)
const LAYER = `sha256:${'b'.repeat(64)}`

const inventory: ImageInventory = {
  target: 'ghcr.io/acme/app:1.2.3',
  distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  packages: [
    {
      name: 'libc6',
      version: '2.36-9+deb12u7',
      type: 'deb',
      purl: 'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12',
      licenses: [],
      layer: { index: 0, diffId: LAYER },
      path: 'var/lib/dpkg/status',
    },
    {
      name: 'left-pad',
      version: '1.3.0',
      type: 'npm',
      purl: 'pkg:npm/left-pad@1.3.0',
      licenses: ['WTFPL'],
      layer: { index: 0, diffId: LAYER },
      path: 'app/node_modules/left-pad/package.json',
    },
    {
      name: 'left-pad',
      version: '1.3.0',
      type: 'npm',
      purl: 'pkg:npm/left-pad@1.3.0',
      licenses: ['WTFPL'],
      layer: { index: 0, diffId: LAYER },
      path: 'app/node_modules/x/node_modules/left-pad/package.json',
    },
  ],
  packagesPerLayer: [3],
  notes: [],
}

function context(api: DependencyGraphApi, extra: Record<string, string> = {}) {
  return readGitHubContext(
    {
      GITHUB_API_URL: api.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: SHA,
      GITHUB_WORKFLOW: 'CI',
      GITHUB_JOB: 'image',
      GITHUB_RUN_ID: '4242',
      ...extra,
    },
    () => undefined,
  )
}

const detector = {
  name: 'container-security-gate',
  version: '0.1.0',
  url: 'https://github.com/container-security-gate/container-security-gate',
}

describe('buildDependencySnapshot', () => {
  it('keeps two tags of one repository apart (the second manifest takes its full reference)', () => {
    const ctx = readGitHubContext(
      { GITHUB_REPOSITORY: 'acme/app', GITHUB_WORKFLOW: 'CI', GITHUB_JOB: 'j' },
      () => undefined,
    )
    const snapshot = buildDependencySnapshot({
      images: [
        { inventory, repository: 'ghcr.io/acme/app' },
        { inventory: { ...inventory, target: 'ghcr.io/acme/app:debug' }, repository: 'ghcr.io/acme/app' },
      ],
      context: ctx,
      sha: SHA,
      ref: 'refs/heads/main',
      scanned: '2026-01-02T03:04:05.000Z',
      detector,
    })
    expect(Object.keys(snapshot.manifests)).toEqual(['ghcr.io/acme/app', 'ghcr.io/acme/app:debug'])
    expect(snapshot.job).toEqual({ correlator: 'CI_j_container-security-gate_ghcr.io/acme/app', id: 'local' })
  })
})

describe('submitDependencySnapshot', () => {
  let api: DependencyGraphApi | undefined
  afterEach(async () => {
    await api?.close()
    api = undefined
  })

  it('submits one manifest per image with every package as a resolved purl, and GitHub accepts it', async () => {
    api = await startDependencyGraphApi()
    const logger = new RecordingLogger()
    const result = await submitDependencySnapshot({
      images: [{ inventory, repository: 'ghcr.io/acme/app' }],
      context: context(api),
      token: 'ghs_test',
      logger,
      scanned: '2026-01-02T03:04:05.000Z',
      detector,
      dockerfile: 'Dockerfile',
    })
    expect(result).toEqual({ status: 'submitted', id: 1, result: 'SUCCESS', packages: 2 })
    expect(api.violations).toEqual([])
    expect(api.accepted).toEqual([
      {
        path: '/repos/acme/app/dependency-graph/snapshots',
        body: {
          version: 0,
          sha: SHA,
          ref: 'refs/heads/main',
          job: {
            correlator: 'CI_image_container-security-gate_ghcr.io/acme/app',
            id: '4242',
            html_url: 'https://github.com/acme/app/actions/runs/4242',
          },
          detector,
          scanned: '2026-01-02T03:04:05.000Z',
          manifests: {
            'ghcr.io/acme/app': {
              name: 'ghcr.io/acme/app',
              file: { source_location: 'Dockerfile' },
              metadata: { distro: 'Debian GNU/Linux 12 (bookworm)' },
              resolved: {
                'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12': {
                  package_url: 'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12',
                  metadata: { layer: LAYER, path: '/var/lib/dpkg/status' },
                  relationship: 'direct',
                  scope: 'runtime',
                },
                'pkg:npm/left-pad@1.3.0': {
                  package_url: 'pkg:npm/left-pad@1.3.0',
                  metadata: { layer: LAYER, path: '/app/node_modules/left-pad/package.json' },
                  relationship: 'direct',
                  scope: 'runtime',
                },
              },
            },
          },
        },
      },
    ])
    expect(logger.messages('warning')).toEqual([])
  })

  it('warns once and carries on when the token cannot write contents (403)', async () => {
    api = await startDependencyGraphApi({ readOnly: true })
    const logger = new RecordingLogger()
    const result = await submitDependencySnapshot({
      images: [{ inventory, repository: 'ghcr.io/acme/app' }],
      context: context(api),
      token: 'ghs_readonly',
      logger,
      scanned: '2026-01-02T03:04:05.000Z',
      detector,
      retries: 0,
    })
    const warning =
      'Dependency snapshot not submitted: GitHub answered 403 (Resource not accessible by integration). ' +
      'The job needs `permissions: contents: write` (and the dependency graph enabled) to submit one.'
    expect(result).toEqual({ status: 'skipped', warning })
    expect(logger.messages('warning')).toEqual([warning])
  })

  it('does not call GitHub for a fork pull request (read-only token)', async () => {
    api = await startDependencyGraphApi()
    const logger = new RecordingLogger()
    const event = JSON.stringify({
      pull_request: {
        number: 7,
        head: { sha: SHA, ref: 'feature', repo: { full_name: 'someone/app', fork: true } },
        base: { ref: 'main', repo: { full_name: 'acme/app', fork: false } },
      },
    })
    const ctx = readGitHubContext(
      {
        GITHUB_API_URL: api.url,
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: '/event.json',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_SHA: SHA,
      },
      () => event,
    )
    const result = await submitDependencySnapshot({
      images: [{ inventory, repository: 'ghcr.io/acme/app' }],
      context: ctx,
      token: 'ghs_fork',
      logger,
      scanned: '2026-01-02T03:04:05.000Z',
      detector,
    })
    expect(result.status).toBe('skipped')
    expect(api.requests).toEqual([])
    expect(logger.messages('warning')).toHaveLength(1)
  })

  it('the stand-in refuses a snapshot GitHub would refuse (short sha, bad purl)', async () => {
    api = await startDependencyGraphApi()
    const response = await fetch(`${api.url}/repos/acme/app/dependency-graph/snapshots`, {
      method: 'POST',
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({
        version: 0,
        sha: 'abc',
        ref: 'refs/heads/main',
        job: { id: '1', correlator: 'c' },
        detector,
        scanned: '2026-01-02T03:04:05Z',
        manifests: { m: { name: 'm', resolved: { x: { package_url: 'npm/x@1' } } } },
      }),
    })
    expect(response.status).toBe(422)
    expect(api.violations).toEqual([
      '/sha must NOT have fewer than 40 characters',
      '/manifests/m/resolved/x/package_url must match pattern "^pkg"',
    ])
  })
})
