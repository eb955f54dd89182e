/**
 * Puts each finding on the Dockerfile line that caused it: the RUN/COPY/ADD that created its layer, the
 * final stage's base image (FROM) for a layer the base image brought, or the instruction that sets an
 * image setting. Only when the image history lines up with the Dockerfile: a finding is better left
 * without a line than pointed at the wrong one. Pure.
 */
import type { Finding, SourceLocation } from './finding.js'
import type { HistoryEntry, LayerInfo } from '../target/image-types.js'
import {
  finalStage,
  finalFromLine,
  locationOf,
  type DockerfileModel,
  type DockerfileStage,
} from './dockerfile.js'
import { baseImageOf, baseImageStage, sameLine } from './base-image.js'
import { alignHistory, resolveWorkdir, type Alignment, type ChainStep } from './history-match.js'
import { locateSetting } from './setting-attribution.js'

export interface AttributionOptions {
  history: HistoryEntry[]
  layers: LayerInfo[]
  dockerfile?: DockerfileModel
  /** Repository-relative `/`-separated path for locations; defaults to the model's own path. */
  dockerfilePath?: string
}

export function attributeFindings(findings: readonly Finding[], options: AttributionOptions): Finding[] {
  const createdByDiffId = new Map<string, string>()
  for (const layer of options.layers) if (layer.createdBy) createdByDiffId.set(layer.diffId, layer.createdBy)
  const model =
    options.dockerfile && options.dockerfilePath !== undefined
      ? { ...options.dockerfile, path: options.dockerfilePath }
      : options.dockerfile
  const aligned = model ? alignBuild(model, options.history) : undefined
  const layerLocations =
    model && aligned
      ? locateLayers(model, aligned, options.history, options.layers)
      : new Map<string, SourceLocation>()
  const fromLine = model ? baseImageLine(model) : undefined
  // `FROM scratch` brings nothing: only a real base image's line marks findings `base`.
  const baseLine = model ? baseImageOf(model)?.location : undefined

  return findings.map((finding) => {
    const out: Finding = { ...finding }
    if (finding.layer && finding.layer.createdBy === undefined) {
      const createdBy = createdByDiffId.get(finding.layer.diffId)
      if (createdBy !== undefined) out.layer = { ...finding.layer, createdBy }
    }
    // A location from the scanner itself (a Dockerfile linter's line) is more precise than ours.
    if (finding.location || !model) return out
    const location = finding.layer ? layerLocations.get(finding.layer.diffId) : undefined
    if (location) {
      out.location = { ...location }
      // A layer below the build's first instruction came with the base image.
      if (sameLine(location, baseLine)) out.base = true
    } else if (finding.instruction) {
      // An image setting: the instruction whose history entry set it, or the base image's FROM when the
      // value came with the base — never merely the last instruction of the same keyword.
      const located =
        finding.instruction.keyword === 'FROM'
          ? finalFromLine(model)
          : locateSetting({ model, hint: finding.instruction, history: options.history, aligned, fromLine })
      if (located) out.location = located
      // A setting the base image's history set (something missing points at FROM, but is this file's).
      if (located && finding.instruction.keyword !== 'FROM' && sameLine(located, baseLine)) out.base = true
    }
    return out
  })
}

/** The build's instructions lined up with the image history, when the history comes from this Dockerfile. */
export interface AlignedBuild {
  chain: { steps: ChainStep[]; root: DockerfileStage }
  alignment: Alignment
}

function alignBuild(model: DockerfileModel, history: readonly HistoryEntry[]): AlignedBuild | undefined {
  const chain = buildChain(model)
  // No history at all is no evidence: every metadata step would "align" with it.
  if (!chain || history.length === 0) return undefined
  const alignment = alignHistory(history, chain.steps)
  return alignment ? { chain, alignment } : undefined
}

/** DiffID → the line that created the layer, or the FROM line for the base image's layers. */
function locateLayers(
  model: DockerfileModel,
  { chain, alignment }: AlignedBuild,
  history: readonly HistoryEntry[],
  layers: readonly LayerInfo[],
): Map<string, SourceLocation> {
  const located = new Map<string, SourceLocation>()
  const layerHistory = history.map((_, i) => i).filter((i) => !history[i]!.emptyLayer)
  // Layers and non-empty history entries pair up from the top. A base image may carry layers with no
  // history entry (`docker import` of a root filesystem, images written without history): those extra
  // bottom layers precede every entry, so they are the base image's too. More entries than layers: no pairing.
  if (layerHistory.length > layers.length) return located
  const unrecorded = layers.length - layerHistory.length

  const ordered = [...layers].sort((a, b) => a.index - b.index)
  ordered.forEach((layer, position) => {
    const h = position < unrecorded ? -1 : layerHistory[position - unrecorded]!
    if (h < alignment.baseEnd) {
      located.set(layer.diffId, locationOf(model, chain.root.from))
      return
    }
    const step = alignment.matched.get(h)
    // A layer no instruction claims (a builder's own entry): no line rather than a guess.
    if (step !== undefined) located.set(layer.diffId, locationOf(model, chain.steps[step]!.instruction))
  })
  return located
}

/**
 * The instructions that produced the final image, in order: those of the stages the final stage is built
 * on (`FROM build AS final`), then its own, with the shell and working directory each one ran with.
 */
function buildChain(model: DockerfileModel): { steps: ChainStep[]; root: DockerfileStage } | undefined {
  const last = finalStage(model)
  if (!last) return undefined
  const stages: DockerfileStage[] = []
  // A stage is only ever built on an earlier one (parseDockerfile links names already seen): no cycles.
  for (let stage: DockerfileStage | undefined = last; stage;) {
    stages.unshift(stage)
    stage = stage.baseStage !== undefined ? model.stages[stage.baseStage] : undefined
  }
  const windows = model.escapeChar === '`'
  let shell = windows ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c']
  let workdir: string | undefined
  const steps: ChainStep[] = []
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      const step: ChainStep = { instruction, shell }
      if (workdir !== undefined) step.workdir = workdir
      steps.push(step)
      if (instruction.keyword === 'SHELL' && instruction.execForm) shell = instruction.execForm
      if (instruction.keyword === 'WORKDIR') {
        const target = instruction.argumentPatterns[0] ?? ''
        workdir = target.includes('\u0000') ? undefined : resolveWorkdir(workdir, target)
      }
    }
  }
  return { steps, root: stages[0]! }
}

/** The line that names the base image: the FROM of the first stage in the final stage's chain. */
function baseImageLine(model: DockerfileModel): SourceLocation | undefined {
  const stage = baseImageStage(model)
  return stage ? locationOf(model, stage.from) : undefined
}
