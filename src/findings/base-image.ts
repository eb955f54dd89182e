/**
 * The final image's base image as the Dockerfile names it: the `FROM` of the first stage in the final
 * stage's chain (`FROM alpine AS build` … `FROM build`), the line a team updates to get a patched base. Pure.
 */
import type { SourceLocation } from './finding.js'
import { finalStage, locationOf, type DockerfileModel, type DockerfileStage } from './dockerfile.js'

export interface BaseImageRef {
  /** The image the `FROM` names, build args substituted with their defaults (`alpine:3.19`). */
  image: string
  /** The `FROM` line. */
  location: SourceLocation
}

/** The first stage of the final stage's chain; undefined for an empty Dockerfile or a cycle. */
export function baseImageStage(model: DockerfileModel): DockerfileStage | undefined {
  let stage = finalStage(model)
  const seen = new Set<number>()
  while (stage?.baseStage !== undefined) {
    if (seen.has(stage.index)) return undefined
    seen.add(stage.index)
    stage = model.stages[stage.baseStage]
  }
  return stage
}

/** The final image's base image and its `FROM` line; undefined when the chain starts `FROM scratch`. */
export function baseImageOf(model: DockerfileModel): BaseImageRef | undefined {
  const stage = baseImageStage(model)
  if (stage === undefined || stage.baseImage.toLowerCase() === 'scratch') return undefined
  return { image: stage.baseImage, location: locationOf(model, stage.from) }
}

export function sameLine(a: SourceLocation, b: SourceLocation | undefined): boolean {
  return b !== undefined && a.path === b.path && a.startLine === b.startLine
}
