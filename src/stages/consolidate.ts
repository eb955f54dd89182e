/** Stage: one image's findings from every scanner as one list, merged and located in the Dockerfile. */
import { readFile } from 'node:fs/promises'
import type { Config } from '../config/config.js'
import { attributeFindings } from '../findings/attribution.js'
import { parseDockerfile, type DockerfileModel } from '../findings/dockerfile.js'
import type { Finding } from '../findings/finding.js'
import { mergeFindings } from '../findings/merge.js'
import type { ImageResult } from '../report/gate-result.js'
import { scannerById } from '../scanners/registry.js'
import { isScannerId } from '../scanners/scanner.js'
import type { ScanTarget } from './targets.js'

export interface LoadedDockerfile {
  model: DockerfileModel
  /** Workspace-relative, `/`-separated. */
  path: string
}

/** Reads and parses the Dockerfile once for attribution; an unreadable one is a configuration error. */
export async function loadDockerfile(config: Config): Promise<LoadedDockerfile | undefined> {
  if (config.dockerfile === undefined) return undefined
  const path = relativeToWorkspace(config.dockerfile, config.workspace)
  return { model: parseDockerfile(await readFile(config.dockerfile, 'utf8'), path), path }
}

/** One image's findings from every scanner as one list: merged across scanners, located in the Dockerfile. */
export function consolidate(
  image: ImageResult,
  target: ScanTarget | undefined,
  dockerfile: LoadedDockerfile | undefined,
  severitySource: string,
): Finding[] {
  const merged = mergeFindings(
    image.findings.map((f) => withDockerfilePath(f, dockerfile?.path)),
    { severitySource },
  )
  return attributeFindings(merged, {
    history: target?.image.history ?? [],
    layers: target?.image.layers ?? [],
    ...(dockerfile !== undefined ? { dockerfile: dockerfile.model, dockerfilePath: dockerfile.path } : {}),
  })
}

/** Lint findings name the Dockerfile as the scanner saw it; point them at the repository path. */
function withDockerfilePath(finding: Finding, dockerfilePath: string | undefined): Finding {
  if (
    dockerfilePath === undefined ||
    finding.location === undefined ||
    !finding.detectedBy.some((id) => isScannerId(id) && scannerById(id).locatesInDockerfile === true)
  )
    return finding
  return { ...finding, location: { ...finding.location, path: dockerfilePath } }
}

/** Runs the whole scan and returns the result every report is written from. */

export function relativeToWorkspace(path: string, workspace: string): string {
  const normalized = path.replace(/\\/g, '/')
  const root = workspace.replace(/\\/g, '/').replace(/\/+$/, '')
  return normalized.startsWith(`${root}/`)
    ? normalized.slice(root.length + 1)
    : normalized.replace(/^\/+/, '')
}
