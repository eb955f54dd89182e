/**
 * Submits the image inventories to GitHub's dependency graph: `POST /repos/{owner}/{repo}/dependency-graph/
 * snapshots` (REST API 2022-11-28, "Create a snapshot of dependencies for a repository", docs.github.com/
 * rest/dependency-graph/dependency-submission; body schema `snapshot` of github/rest-api-description).
 * One manifest per image, named after the image repository (no tag or digest, so a new build replaces the
 * last); every package is a `resolved` entry with its `package_url`, `relationship: direct` and
 * `scope: runtime` (everything in an image ships), and the layer that brought it in as metadata.
 *
 * Only the latest snapshot per (`job.correlator`, `detector.name`) counts, so the correlator is the
 * workflow, the job and the image repositories, as the docs advise for matrix builds. The endpoint needs
 * `contents: write`; a read-only token (a fork's pull request) is skipped, and a 403/404 is one warning —
 * like the SARIF upload, a missing permission never fails the gate.
 */
import type { ImageInventory } from '../inventory/package.js'
import type { Logger } from '../util/logger.js'
import { isForkPullRequest, repositoryApiUrl, type GitHubContext } from './github-context.js'
import {
  apiMessage,
  githubRequest,
  GitHubNetworkError,
  type HttpTransport,
  type Sleep,
} from './github-http.js'

export interface SnapshotDependency {
  package_url: string
  metadata?: Record<string, string | number | boolean>
  relationship: 'direct' | 'indirect'
  scope: 'runtime' | 'development'
}

export interface SnapshotManifest {
  name: string
  file?: { source_location: string }
  metadata?: Record<string, string | number | boolean>
  resolved: Record<string, SnapshotDependency>
}

export interface DependencySnapshot {
  version: number
  sha: string
  ref: string
  job: { correlator: string; id: string; html_url?: string }
  detector: { name: string; version: string; url: string }
  scanned: string
  manifests: Record<string, SnapshotManifest>
}

export interface SnapshotImage {
  inventory: ImageInventory
  /** The image repository without tag or digest (`ghcr.io/acme/app`): the manifest's stable name. */
  repository: string
}

export interface BuildSnapshotOptions {
  images: readonly SnapshotImage[]
  context: GitHubContext
  sha: string
  ref: string
  scanned: string
  detector: { name: string; version: string; url: string }
  /** The Dockerfile (workspace-relative), the manifest's source file when known. */
  dockerfile?: string
}

export function buildDependencySnapshot(options: BuildSnapshotOptions): DependencySnapshot {
  const { context } = options
  const repositories = [...new Set(options.images.map((i) => i.repository))].sort()
  const job: DependencySnapshot['job'] = {
    correlator: [
      context.workflow ?? 'workflow',
      context.job ?? 'job',
      options.detector.name,
      ...repositories,
    ].join('_'),
    id: context.runId ?? 'local',
  }
  if (context.runId !== undefined && context.repository !== undefined) {
    job.html_url = `${context.serverUrl}/${context.repository.owner}/${context.repository.name}/actions/runs/${context.runId}`
  }
  const manifests: Record<string, SnapshotManifest> = {}
  for (const { inventory, repository } of options.images) {
    const resolved: Record<string, SnapshotDependency> = {}
    for (const pkg of inventory.packages) {
      // One entry per purl: the same package at two paths is one dependency of the image.
      resolved[pkg.purl] ??= {
        package_url: pkg.purl,
        metadata: { layer: pkg.layer.diffId, path: `/${pkg.path}` },
        relationship: 'direct',
        scope: 'runtime',
      }
    }
    // Two tags of one repository in one run: the second is named by its full reference instead.
    const name = manifests[repository] === undefined ? repository : inventory.target
    const manifest: SnapshotManifest = { name, resolved }
    if (options.dockerfile !== undefined) manifest.file = { source_location: options.dockerfile }
    if (inventory.distro?.prettyName !== undefined)
      manifest.metadata = { distro: inventory.distro.prettyName }
    manifests[name] = manifest
  }
  return {
    version: 0,
    sha: options.sha,
    ref: options.ref,
    job,
    detector: options.detector,
    scanned: options.scanned,
    manifests,
  }
}

export interface SubmitSnapshotOptions extends Omit<BuildSnapshotOptions, 'sha' | 'ref'> {
  token: string | undefined
  logger: Logger
  http?: HttpTransport
  retries?: number
  retryDelayMs?: number
  sleep?: Sleep
}

export type SnapshotResult =
  | { status: 'submitted'; id: number | undefined; result: string | undefined; packages: number }
  | { status: 'skipped' | 'failed'; warning: string }

function blockedReason(context: GitHubContext, token: string | undefined): string | undefined {
  if (token === undefined || token.trim() === '')
    return 'no GitHub token was given (the `token` input is empty).'
  if (!context.repository) return 'GITHUB_REPOSITORY is not set (this is not a GitHub Actions run).'
  if (isForkPullRequest(context)) {
    return 'this pull request comes from a fork, and its workflow token is read-only (it cannot write `contents`).'
  }
  if (!context.uploadTarget)
    return 'the event gives no branch, tag or pull-request ref and commit to file it under.'
  return undefined
}

/** Submits the snapshot; never throws (a skip or a refusal is one warning, logged here). */
export async function submitDependencySnapshot(options: SubmitSnapshotOptions): Promise<SnapshotResult> {
  const { context, logger } = options
  const blocked = blockedReason(context, options.token)
  if (blocked !== undefined) return warn(logger, 'skipped', `Dependency snapshot not submitted: ${blocked}`)
  const target = context.uploadTarget!
  const snapshot = buildDependencySnapshot({ ...options, sha: target.commitSha, ref: target.ref })
  const packages = Object.values(snapshot.manifests).reduce((n, m) => n + Object.keys(m.resolved).length, 0)
  const url = `${repositoryApiUrl(context)}/dependency-graph/snapshots`
  try {
    const response = await githubRequest(
      {
        token: options.token!,
        logger,
        ...(options.http !== undefined ? { http: options.http } : {}),
        ...(options.retries !== undefined ? { retries: options.retries } : {}),
        ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
        ...(options.sleep !== undefined ? { sleep: options.sleep } : {}),
      },
      'POST',
      url,
      snapshot,
    )
    if (response.status === 201 || response.status === 200) {
      const json = (response.json ?? {}) as { id?: unknown; result?: unknown }
      const id = typeof json.id === 'number' ? json.id : undefined
      const result = typeof json.result === 'string' ? json.result : undefined
      logger.info(
        `Dependency snapshot submitted: ${packages} package(s), id ${id ?? '?'}, result ${result ?? '?'}.`,
      )
      return { status: 'submitted', id, result, packages }
    }
    if (response.status === 403 || response.status === 404) {
      return warn(
        logger,
        'skipped',
        `Dependency snapshot not submitted: GitHub answered ${response.status} (${apiMessage(response)}). ` +
          'The job needs `permissions: contents: write` (and the dependency graph enabled) to submit one.',
      )
    }
    return warn(
      logger,
      'failed',
      `Dependency snapshot not submitted: GitHub answered ${response.status} (${apiMessage(response)}).`,
    )
  } catch (error) {
    const message =
      error instanceof GitHubNetworkError || error instanceof Error ? error.message : String(error)
    return warn(logger, 'failed', `Dependency snapshot not submitted: ${message}`)
  }
}

function warn(logger: Logger, status: 'skipped' | 'failed', warning: string): SnapshotResult {
  logger.warning(warning)
  return { status, warning }
}
