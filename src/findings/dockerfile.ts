/**
 * A Dockerfile as stages of instructions with their line ranges (1-based, continuations and heredocs
 * included) and their arguments with ARG/ENV values substituted, so findings can point at the line that
 * causes them. Parsing is `dockerfile-ast`'s; this module adds the builder's view of each instruction. Pure.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast'
import type { SourceLocation } from './finding.js'
import {
  expandVariables,
  joinArguments,
  parseJsonArray,
  splitWords,
  UNKNOWN,
  type Heredoc,
  type VariableScope,
  type VariableValue,
} from './dockerfile-words.js'

export interface DockerfileInstruction {
  /** Upper case: `RUN`, `COPY`, ... */
  keyword: string
  /** Argument words with variables substituted, without `--flags` and heredoc bodies. */
  arguments: string[]
  /**
   * The same words as history matching sees them: substituted only where the builder substitutes, with a
   * value the build may change (a build arg, the base image's environment) marked `UNKNOWN`.
   */
  argumentPatterns: string[]
  /** The instruction's argument line as written: continuations joined, comment lines dropped. */
  rawText: string
  /** `rawText` with variables substituted (default values). */
  text: string
  /**
   * `rawText` with variables substituted, where a value the build may change (a build arg, the base image's
   * environment) is `UNKNOWN`: what history matching compares against.
   */
  pattern: string
  /** `--name=value` flags (`--link` → `''`). */
  flags: Record<string, string>
  /** The exec-form (JSON) arguments, when the instruction uses that form. */
  execForm?: string[]
  heredocs: Heredoc[]
  startLine: number
  endLine: number
  stageIndex: number
  /** For ENV, LABEL, ARG: the names it sets and their values (default values for ARG). */
  properties?: { name: string; value?: VariableValue }[]
}

export interface DockerfileStage {
  index: number
  /** `FROM x AS name`. */
  name?: string
  /** The image (or stage name) after substitution. */
  baseImage: string
  /** The stage this one is built on, when `FROM` names an earlier stage. */
  baseStage?: number
  from: DockerfileInstruction
  /** The stage's instructions after its FROM. */
  instructions: DockerfileInstruction[]
}

export interface DockerfileModel {
  /** Repository-relative, `/`-separated path: the `path` of every location. */
  path: string
  escapeChar: string
  stages: DockerfileStage[]
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>
}

const WITH_HEREDOCS = new Set(['RUN', 'COPY', 'ADD'])
/** Instructions whose arguments the builder substitutes (RUN, CMD, ... are left to the shell). */
const SUBSTITUTED = new Set([
  'ADD',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
  'ARG',
])

export function parseDockerfile(text: string, path: string): DockerfileModel {
  const document = DockerfileParser.parse(text)
  const escapeChar = document.getEscapeCharacter()
  const model: DockerfileModel = { path, escapeChar, stages: [], globalArgs: {} }
  const globals = new Map<string, VariableValue>()
  let scope = new Map<string, VariableValue>()
  let current: DockerfileStage | undefined

  for (const node of document.getInstructions()) {
    const keyword = node.getKeyword().toUpperCase()
    const isFrom = keyword === 'FROM'
    const stageIndex = isFrom ? model.stages.length : (current?.index ?? -1)
    const instruction = describe(node, keyword, stageIndex, isFrom || !current ? globals : scope, escapeChar)

    if (isFrom) {
      const words = instruction.arguments
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS')
      const baseImage = words[0] ?? ''
      const stage: DockerfileStage = { index: stageIndex, baseImage, from: instruction, instructions: [] }
      const name = asIndex >= 0 ? words[asIndex + 1] : undefined
      if (name) stage.name = name
      const parent = model.stages.find(
        (s) => s.name !== undefined && s.name.toLowerCase() === baseImage.toLowerCase(),
      )
      scope = new Map<string, VariableValue>()
      if (parent) {
        stage.baseStage = parent.index
        // A stage built on another inherits its environment (not its build args).
        for (const [k, v] of envOf(parent)) scope.set(k, v)
      }
      model.stages.push(stage)
      current = stage
      continue
    }
    if (!current) {
      // Before the first FROM only ARG is allowed: global build args, visible to FROM lines.
      if (keyword === 'ARG') {
        for (const p of instruction.properties ?? []) {
          globals.set(p.name, { value: p.value?.value ?? '', pattern: UNKNOWN })
          model.globalArgs[p.name] = p.value?.value
        }
      }
      continue
    }
    current.instructions.push(instruction)
    if (keyword === 'ARG') {
      for (const p of instruction.properties ?? []) {
        const inherited = globals.get(p.name)
        // A build arg may be overridden on the command line: its value is never certain.
        scope.set(p.name, { value: p.value?.value ?? inherited?.value ?? '', pattern: UNKNOWN })
      }
    } else if (keyword === 'ENV') {
      for (const p of instruction.properties ?? []) scope.set(p.name, p.value ?? { value: '', pattern: '' })
    }
  }
  return model
}

/** The environment a stage leaves to stages built on it (ENV only), including what it inherited. */
function envOf(stage: DockerfileStage): Map<string, VariableValue> {
  const env = new Map<string, VariableValue>()
  for (const instruction of stage.instructions) {
    if (instruction.keyword !== 'ENV') continue
    for (const p of instruction.properties ?? []) env.set(p.name, p.value ?? { value: '', pattern: '' })
  }
  return env
}

function describe(
  node: Instruction,
  keyword: string,
  stageIndex: number,
  scope: VariableScope,
  escapeChar: string,
): DockerfileInstruction {
  const range = node.getRange()
  const joined = joinArguments(node.getRawArgumentsContent() ?? '', escapeChar, WITH_HEREDOCS.has(keyword))
  // dockerfile-ast leaves a modifiable instruction's `--flags` (FROM, RUN, COPY, ADD, HEALTHCHECK) out
  // of its argument text and gives them here.
  const flags: Record<string, string> = {}
  const withFlags = node as Instruction & {
    getFlags?: () => { getName(): string; getValue(): string | null }[]
  }
  if (typeof withFlags.getFlags === 'function') {
    for (const flag of withFlags.getFlags()) flags[flag.getName()] = flag.getValue() ?? ''
  }
  const words = splitWords(joined.line)
  const rawText = words.join(' ')
  const substitute = SUBSTITUTED.has(keyword)
  const display = expandVariables(rawText, scope, { escapeChar, removeQuotes: false })
  const execForm = parseJsonArray(rawText)
  const expanded = (execForm ?? words).map((w) =>
    expandVariables(w, scope, { escapeChar, removeQuotes: true }),
  )
  const instruction: DockerfileInstruction = {
    keyword,
    arguments: expanded.map((e) => e.value),
    // What the builder does not substitute (RUN, CMD, …) it passes on as written.
    argumentPatterns: substitute ? expanded.map((e) => e.pattern) : (execForm ?? words),
    rawText,
    text: display.value,
    pattern: substitute ? display.pattern : rawText,
    flags,
    heredocs: joined.heredocs,
    startLine: range.start.line + 1,
    endLine: range.end.line + 1,
    stageIndex,
  }
  if (execForm) instruction.execForm = execForm
  if (keyword === 'ENV' || keyword === 'LABEL' || keyword === 'ARG') {
    instruction.properties = propertiesOf(node, scope, escapeChar)
  }
  return instruction
}

function propertiesOf(
  node: Instruction,
  scope: VariableScope,
  escapeChar: string,
): DockerfileInstruction['properties'] {
  const withProperties = node as Instruction & {
    getProperties?: () => { getName(): string; getUnescapedValue(): string | null }[]
  }
  if (typeof withProperties.getProperties !== 'function') return []
  return withProperties.getProperties().map((p) => {
    const raw = p.getUnescapedValue()
    const property: { name: string; value?: VariableValue } = { name: p.getName() }
    // ENV values in one instruction see the scope before it, as the builder does.
    if (raw !== null) property.value = expandVariables(raw, scope, { escapeChar, removeQuotes: true })
    return property
  })
}

/** The final stage: the one `docker build` produces without `--target`. */
export function finalStage(model: DockerfileModel): DockerfileStage | undefined {
  return model.stages[model.stages.length - 1]
}

export function locationOf(model: DockerfileModel, instruction: DockerfileInstruction): SourceLocation {
  return { path: model.path, startLine: instruction.startLine, endLine: instruction.endLine }
}

/** The final stage's FROM line: where a setting the final stage lacks (no USER, no HEALTHCHECK) is put. */
export function finalFromLine(model: DockerfileModel): SourceLocation | undefined {
  const stage = finalStage(model)
  return stage ? locationOf(model, stage.from) : undefined
}

/** `22` and `22/tcp` are the same port; protocols are compared case-insensitively. */
export function normalizePort(word: string): string {
  const [port, protocol] = word.trim().toLowerCase().split('/')
  return `${port ?? ''}/${protocol && protocol !== '' ? protocol : 'tcp'}`
}
