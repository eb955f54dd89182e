/**
 * Stage: the Dockerfile read and parsed once per run, for every scanner that reads it natively (the
 * builtin checks) and for attribution. One error policy: a Dockerfile that cannot be read is the user's
 * input to fix, raised before any scanner runs.
 */
import { readConfigFile } from '../util/read-config-file.js'
import type { Config } from '../config/config.js'
import { parseDockerfile, type DockerfileModel } from '../findings/dockerfile.js'
import { ConfigurationError, errorMessage } from '../util/errors.js'

export interface LoadedDockerfile {
  model: DockerfileModel
  /** Workspace-relative, `/`-separated. */
  path: string
}

export async function loadDockerfile(config: Config): Promise<LoadedDockerfile | undefined> {
  if (config.dockerfile === undefined) return undefined
  const path = relativeToWorkspace(config.dockerfile, config.workspace)
  let text: string
  try {
    text = await readConfigFile(config.dockerfile)
  } catch (error) {
    throw new ConfigurationError(
      `input dockerfile: ${config.dockerfile} could not be read: ${errorMessage(error)}`,
      {
        cause: error,
      },
    )
  }
  return { model: parseDockerfile(text, path), path }
}

/**
 * The Dockerfile's path as locations show it: relative to the workspace (the working directory for the
 * CLI), or relative to its own folder — its base name — when it is outside (`/tmp/build/Dockerfile` →
 * `Dockerfile`), never an absolute path made to look relative (`tmp/build/Dockerfile`).
 */
export function relativeToWorkspace(path: string, workspace: string): string {
  const normalized = path.replace(/\\/g, '/')
  const root = workspace.replace(/\\/g, '/').replace(/\/+$/, '')
  if (normalized.startsWith(`${root}/`)) return normalized.slice(root.length + 1)
  if (!normalized.startsWith('/') && !/^[A-Za-z]:\//.test(normalized))
    return normalized.replace(/^(\.\/)+/, '')
  return normalized.slice(normalized.lastIndexOf('/') + 1)
}
