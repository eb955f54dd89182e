/**
 * Lines an image's history up with the Dockerfile instructions that built it. History `created_by` lines
 * come in the classic builder's form (`/bin/sh -c #(nop)  ENV X=y`, `/bin/sh -c apk add …`,
 * `|2 A=1 B=2 /bin/sh -c …`, `COPY file:abc in /app`) and BuildKit's (`RUN /bin/sh -c … # buildkit`,
 * `COPY . /app # buildkit`, `EXPOSE map[8080/tcp:{}]`, `HEALTHCHECK &{…}`, heredoc bodies). Matching is by
 * keyword and a normalised argument string; a value the build may have changed (a build arg, the base
 * image's environment) matches anything, everything else must be equal. Pure.
 */
import type { HistoryEntry } from '../target/image-types.js'
import type { DockerfileInstruction } from './dockerfile.js'
import { normalizePort } from './dockerfile.js'
import { splitWords, UNKNOWN } from './dockerfile-words.js'
import { splitHistoryLine } from './history-line.js'
import { trimTrailingSlashes } from './package-identity.js'

/** Instructions that write to the filesystem: they must line up, never be skipped. */
const LAYER_KEYWORDS = new Set(['RUN', 'COPY', 'ADD'])

export interface ParsedHistory {
  keyword: string
  body: string
  form: 'classic' | 'keyword'
}

/** The keyword and argument text of a history `created_by` line, as matching compares it. */
export function parseHistoryEntry(createdBy: string): ParsedHistory {
  const { keyword, form, body } = splitHistoryLine(createdBy)
  // A line in no instruction form is a command the classic builder ran under some shell: a RUN.
  if (form === 'unknown') return { keyword: 'RUN', body, form: 'classic' }
  return { keyword, body, form }
}

/** One instruction of the build, with the builder state it ran in. */
export interface ChainStep {
  instruction: DockerfileInstruction
  /** The shell RUN used (`SHELL` changes it). */
  shell: string[]
  /** The working directory before this instruction, when the Dockerfile determines it. */
  workdir?: string
}

/** `history index → step index` for matched entries, and where the base image's history ends. */
export interface Alignment {
  matched: Map<number, number>
  /** History entries before this index came from the base image. */
  baseEnd: number
}

/**
 * Matches the history from the end backwards against the build's steps. Filesystem instructions (RUN,
 * COPY, ADD) must each match an entry; metadata instructions that match nothing are skipped (builders
 * differ in what they record), as are unmatched history entries without a layer. Anything else means the
 * history does not come from this Dockerfile: undefined.
 */
export function alignHistory(
  history: readonly HistoryEntry[],
  steps: readonly ChainStep[],
): Alignment | undefined {
  const matched = new Map<number, number>()
  let h = history.length - 1
  let s = steps.length - 1
  while (s >= 0) {
    const step = steps[s]!
    const entry = h >= 0 ? history[h] : undefined
    if (entry && historyMatches(parseHistoryEntry(entry.createdBy), step)) {
      matched.set(h, s)
      h--
      s--
    } else if (!LAYER_KEYWORDS.has(step.instruction.keyword)) {
      s--
    } else if (entry?.emptyLayer) {
      h--
    } else {
      return undefined
    }
  }
  return { matched, baseEnd: h + 1 }
}

export function historyMatches(entry: ParsedHistory, step: ChainStep): boolean {
  const instruction = step.instruction
  if (entry.keyword !== instruction.keyword) return false
  switch (instruction.keyword) {
    case 'RUN':
      return runMatches(entry.body, step)
    case 'COPY':
    case 'ADD':
      return copyMatches(entry, instruction)
    case 'ENV':
    case 'LABEL':
      return propertiesMatch(entry.body, instruction)
    case 'ARG':
      return argNamesMatch(entry.body, instruction)
    case 'EXPOSE':
      return portsMatch(entry.body, instruction)
    case 'WORKDIR':
      return workdirMatches(entry.body, step)
    case 'CMD':
    case 'ENTRYPOINT':
      return commandMatches(entry.body, step)
    case 'HEALTHCHECK':
      return healthcheckMatches(entry.body, instruction)
    default:
      return (
        matchesPattern(loose(entry.body), loose(instruction.pattern)) ||
        loose(entry.body).includes(loose(instruction.text))
      )
  }
}

/** Whitespace collapsed. */
function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Without the JSON/Go punctuation builders wrap lists and structs in. */
function loose(text: string): string {
  return normalize(text.replace(/[[\]",{}&]/g, ' ').replace(/\bmap\b/g, ' '))
}

/** Equal after whitespace normalisation, `UNKNOWN` in the pattern standing for any text. */
export function matchesPattern(actual: string, pattern: string): boolean {
  const a = normalize(actual)
  const parts = normalize(pattern).split(UNKNOWN)
  if (parts.length === 1) return a === parts[0]
  // Glob matching without a regex (no backtracking blow-up on long heredoc bodies): the first part is a
  // prefix, the last a suffix, the ones between are found left to right.
  const first = parts[0]!
  const last = parts[parts.length - 1]!
  if (a.length < first.length + last.length || !a.startsWith(first) || !a.endsWith(last)) return false
  let at = first.length
  const end = a.length - last.length
  for (const part of parts.slice(1, -1)) {
    const found = a.indexOf(part, at)
    if (found < 0 || found + part.length > end) return false
    at = found + part.length
  }
  return true
}

// -------------------------------------------------------------------------------------------------- RUN

function runMatches(body: string, step: ChainStep): boolean {
  const command = normalize(stripRunPrefix(body, step.shell))
  return runCandidates(step).some((candidate) => normalize(candidate) === command)
}

/** Removes the build-args prefix (`|2 A=1 B=2 `) and the shell (`/bin/sh -c `) from a recorded RUN. */
function stripRunPrefix(body: string, shell: string[]): string {
  let text = body.trim()
  const shells = [shell.join(' '), '/bin/sh -c', 'cmd /S /C'].filter((s) => s !== '')
  const args = /^\|(\d+)\s+/.exec(text)
  if (args) {
    const rest = text.slice(args[0].length)
    const at = shells.map((s) => rest.indexOf(`${s} `)).filter((i) => i >= 0)
    if (at.length > 0) text = rest.slice(Math.min(...at))
    else text = rest.split(/\s+/).slice(Number(args[1])).join(' ')
  }
  for (const s of shells) {
    if (text.startsWith(`${s} `)) return text.slice(s.length + 1)
    if (text === s) return ''
  }
  return text
}

function runCandidates(step: ChainStep): string[] {
  const instruction = step.instruction
  if (instruction.execForm) return [instruction.execForm.join(' ')]
  const candidates = [instruction.rawText, instruction.text]
  const heredocs = instruction.heredocs
  if (heredocs.length > 0) {
    const only = /^<<-?(["']?)([A-Za-z_][\w.-]*)\1$/.exec(instruction.rawText)
    const first = heredocs[0]!
    if (only && heredocs.length === 1) {
      // BuildKit runs a lone heredoc's body through the shell, or as a script when it has a shebang.
      candidates.push(first.body, `/dev/pipes/${first.name}`)
    } else {
      candidates.push(instruction.rawText + heredocs.map((d) => `\n${d.body}${d.name}`).join(''))
    }
  }
  return candidates
}

// ----------------------------------------------------------------------------------------- COPY and ADD

function copyMatches(entry: ParsedHistory, instruction: DockerfileInstruction): boolean {
  const words = instruction.arguments
  const patterns = wordPatterns(instruction)
  if (words.length < 2) return false
  const classic = /^(\S+) in (.+)$/.exec(entry.body)
  if (entry.form === 'classic' && classic) {
    // `COPY file:<hash> in <dest>`: the sources are content hashes, only the destination is comparable.
    return samePath(classic[2]!, patterns[patterns.length - 1]!)
  }
  // BuildKit records `--chown`/`--chmod`/`--parents` but not `--from`/`--link`: compare without flags.
  // (v0.8, Docker 20.10's, records none: `COPY <sources> <dest>`, dockerfile2llb/convert.go dispatchCopyFileOp.)
  const recorded = splitWords(normalize(entry.body))
    .filter((w) => !w.startsWith('--'))
    .map(heredocSource)
  const expected = patterns.map(heredocSource)
  if (recorded.length !== expected.length) return false
  return recorded.every((word, i) =>
    i === recorded.length - 1 ? samePath(word, expected[i]!) : matchesPattern(word, expected[i]!),
  )
}

/** Each argument word with its unknowable parts marked. */
function wordPatterns(instruction: DockerfileInstruction): string[] {
  return instruction.argumentPatterns
}

function heredocSource(word: string): string {
  const heredoc = /^<<-?(["']?)([A-Za-z_][\w.-]*)\1$/.exec(word)
  return heredoc ? `<<${heredoc[2]!}` : word
}

function samePath(actual: string, pattern: string): boolean {
  const trim = (p: string): string => (p.length > 1 ? trimTrailingSlashes(p) : p)
  return matchesPattern(trim(actual.trim()), trim(pattern.trim()))
}

// ----------------------------------------------------------------------------------- metadata keywords

function propertiesMatch(body: string, instruction: DockerfileInstruction): boolean {
  const properties = instruction.properties ?? []
  if (properties.length === 0) return false
  const expected = properties.map((p) => `${p.name}=${p.value?.pattern ?? ''}`).join(' ')
  const unquote = (s: string): string => s.replace(/"/g, '')
  if (matchesPattern(unquote(body), unquote(expected))) return true
  // Old classic builders recorded the legacy one-pair form as `NAME value`.
  return properties.length === 1 && matchesPattern(unquote(body), unquote(expected.replace('=', ' ')))
}

function argNamesMatch(body: string, instruction: DockerfileInstruction): boolean {
  const names = (instruction.properties ?? []).map((p) => p.name)
  if (names.length === 0) return false
  // Values may be overridden with --build-arg: only the names and their order must agree. A value may
  // hold spaces (`ARG A=hello world`), so words after `NAME=` that are not the next name belong to it.
  let next = 0
  let inValue = false
  for (const word of normalize(body).split(' ')) {
    const name = names[next]
    if (name !== undefined && (word === name || word.startsWith(`${name}=`))) {
      next++
      inValue = word.includes('=')
    } else if (!inValue) {
      return false
    }
  }
  return next === names.length
}

function portsMatch(body: string, instruction: DockerfileInstruction): boolean {
  if (instruction.pattern.includes(UNKNOWN)) return true // the ports themselves come from build args
  const recorded = [...body.matchAll(/(\d+(?:-\d+)?)(?:\/([a-z]+))?/gi)].map((m) => normalizePort(m[0]))
  const expected = instruction.arguments.map(normalizePort)
  return sameSet(recorded, expected)
}

function sameSet(a: string[], b: string[]): boolean {
  const x = new Set(a)
  const y = new Set(b)
  return x.size === y.size && [...x].every((v) => y.has(v))
}

function workdirMatches(body: string, step: ChainStep): boolean {
  const pattern = wordPatterns(step.instruction)[0] ?? ''
  if (samePath(body, pattern)) return true
  const resolved = resolveWorkdir(step.workdir, pattern)
  if (resolved !== undefined && samePath(body, resolved)) return true
  // Relative to a directory the base image set: BuildKit records the joined absolute path.
  return !pattern.startsWith('/') && step.workdir === undefined && normalize(body).endsWith(`/${pattern}`)
}

/** The working directory after `WORKDIR target`, when it can be known. */
export function resolveWorkdir(current: string | undefined, target: string): string | undefined {
  if (target.startsWith('/')) return normalizeDirectory(target)
  if (current === undefined) return undefined
  return normalizeDirectory(`${current}/${target}`)
}

function normalizeDirectory(path: string): string {
  const parts: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return `/${parts.join('/')}`
}

function commandMatches(body: string, step: ChainStep): boolean {
  const recorded = quotedStrings(body)
  const instruction = step.instruction
  const execForm = instruction.execForm
  if (execForm) {
    return (
      recorded.length === execForm.length &&
      recorded.every((r, i) => normalize(r) === normalize(execForm[i]!))
    )
  }
  // Shell form: the builder records `[<shell…>, <command>]`. The shell may be one this chain does not know
  // (set by the base image), so only the command is compared.
  const command = recorded[recorded.length - 1]
  return command !== undefined && normalize(command) === normalize(instruction.rawText)
}

/** The strings of a Go-formatted list (`["a" "b"]`), unescaped. */
function quotedStrings(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => {
    try {
      return JSON.parse(`"${m[1]!}"`) as string
    } catch {
      return m[1]!
    }
  })
}

function healthcheckMatches(body: string, instruction: DockerfileInstruction): boolean {
  if (/^NONE$/i.test(instruction.rawText)) return /\bNONE\b/.test(body)
  // Go prints the config struct (`{Test:[CMD-SHELL curl …] Interval:30s …}`, older `&{["CMD-SHELL" …] …}`):
  // the command's words appear in it.
  const wanted = loose(instruction.rawText.replace(/^CMD\s+/i, ''))
  return wanted !== '' && loose(body).includes(wanted)
}
