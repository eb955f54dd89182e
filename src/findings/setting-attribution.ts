/**
 * Where an image setting (ENV, EXPOSE, USER, HEALTHCHECK, ARG, …) came from: the history entry that set
 * it, read back from the end, is either one of this Dockerfile's instructions or part of the base image's
 * history (then the final FROM). The same for the classic builder and BuildKit, since both record every
 * metadata instruction. Without history that lines up, only an instruction that names the value itself
 * is trusted: a base image's `EXPOSE 22` must not land on this Dockerfile's `EXPOSE 6379`. Pure.
 */
import type { InstructionHint, SourceLocation } from './finding.js'
import type { HistoryEntry } from '../target/image-types.js'
import {
  finalStage,
  locationOf,
  normalizePort,
  type DockerfileInstruction,
  type DockerfileModel,
} from './dockerfile.js'
import { UNKNOWN } from './dockerfile-words.js'
import { parseHistoryEntry } from './history-match.js'
import type { AlignedBuild } from './attribution.js'

export interface SettingQuery {
  model: DockerfileModel
  hint: InstructionHint
  history: readonly HistoryEntry[]
  aligned: AlignedBuild | undefined
  /** The final stage chain's base image line. */
  fromLine: SourceLocation | undefined
}

export function locateSetting(query: SettingQuery): SourceLocation | undefined {
  const { model, hint, history, aligned, fromLine } = query
  if (aligned) {
    const { chain, alignment } = aligned
    for (let h = history.length - 1; h >= 0; h--) {
      const parsed = parseHistoryEntry(history[h]!.createdBy)
      if (parsed.keyword !== hint.keyword || !entrySets(parsed.body, hint)) continue
      if (h < alignment.baseEnd) return locationOf(model, chain.root.from)
      const step = alignment.matched.get(h)
      if (step !== undefined) return locationOf(model, chain.steps[step]!.instruction)
      break // an entry of this build no instruction claims: fall back to the Dockerfile alone
    }
  }
  return locateFromDockerfile(model, hint, fromLine, aligned !== undefined)
}

/**
 * Without a history entry: the last instruction of the final stage that names the value. When none does,
 * the value came with the base image — unless one of them is built from build args (`EXPOSE $PORT`), when
 * nothing can be said.
 */
function locateFromDockerfile(
  model: DockerfileModel,
  hint: InstructionHint,
  fromLine: SourceLocation | undefined,
  historyAligned: boolean,
): SourceLocation | undefined {
  const stage = finalStage(model)
  if (!stage) return undefined
  const candidates = stage.instructions.filter((i) => i.keyword === hint.keyword)
  const argument = hint.argument
  if (argument === undefined || argument === '') {
    const last = candidates[candidates.length - 1]
    if (last) return locationOf(model, last)
    return fromLine
  }
  for (let i = candidates.length - 1; i >= 0; i--) {
    if (namesArgument(candidates[i]!, argument)) return locationOf(model, candidates[i]!)
  }
  if (!historyAligned && candidates.some((c) => c.pattern.includes(UNKNOWN))) return undefined
  return fromLine
}

function namesArgument(instruction: DockerfileInstruction, argument: string): boolean {
  if (instruction.keyword === 'EXPOSE') {
    const wanted = normalizePort(argument)
    return instruction.arguments.some((word) => normalizePort(word) === wanted)
  }
  const names = instruction.properties?.map((p) => p.name) ?? []
  if (names.length > 0) return names.includes(argument)
  if (instruction.keyword === 'USER')
    return instruction.arguments[0]?.split(':')[0] === argument.split(':')[0]
  return instruction.arguments.flatMap((word) => [word, ...word.split(/[=:]/)]).includes(argument)
}

/** Whether a history entry's body sets the hinted value (any entry of the keyword when no value is named). */
function entrySets(body: string, hint: InstructionHint): boolean {
  const argument = hint.argument
  if (argument === undefined || argument === '') return true
  switch (hint.keyword) {
    case 'ENV':
    case 'ARG':
    case 'LABEL': {
      // `NAME=value …` (classic and BuildKit), or the legacy one-pair `NAME value`.
      const text = body.trim()
      const escaped = argument.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return new RegExp(`(^|\\s)"?${escaped}"?(=|$)`).test(text) || new RegExp(`^${escaped}\\s`).test(text)
    }
    case 'EXPOSE': {
      // `22/tcp 2375/tcp` (classic) or `map[22/tcp:{} 2375/tcp:{}]` (BuildKit).
      const wanted = normalizePort(argument)
      return [...body.matchAll(/(\d+(?:-\d+)?)(?:\/([a-z]+))?/gi)].some((m) => normalizePort(m[0]) === wanted)
    }
    default:
      // USER, HEALTHCHECK, …: the last entry of the keyword is what the config holds.
      return true
  }
}
