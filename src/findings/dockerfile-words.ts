/**
 * The text handling of Dockerfile arguments: joining continuation lines the way the builder does (comment
 * and empty lines inside a continuation are dropped), splitting off heredoc bodies, and the simple
 * `$X` / `${X}` / `${X:-default}` substitution of ARG and ENV values. Pure.
 */

/**
 * Marks text whose value cannot be known from the Dockerfile alone (a build arg that `--build-arg` may
 * override, a variable from the base image): matching treats it as "anything".
 */
export const UNKNOWN = '\u0000'

/** A variable as known at some line: its default value, and the same with unknowable parts marked. */
export interface VariableValue {
  value: string
  pattern: string
}

export type VariableScope = ReadonlyMap<string, VariableValue>

export interface Heredoc {
  name: string
  body: string
}

export interface JoinedArguments {
  /** The instruction line(s) joined into one, escapes of line ends removed. */
  line: string
  heredocs: Heredoc[]
}

const HEREDOC_MARKER = /<<(-?)(["']?)([A-Za-z_][\w.-]*)\2/g

/**
 * Joins continuation lines of an instruction's raw arguments and, for instructions that take them
 * (RUN, COPY, ADD), separates heredoc bodies.
 */
export function joinArguments(raw: string, escapeChar: string, allowHeredocs: boolean): JoinedArguments {
  const lines = raw.split(/\r?\n/)
  let line = ''
  let i = 0
  for (; i < lines.length; i++) {
    const current = lines[i]!
    if (i > 0 && /^\s*(#.*)?$/.test(current)) continue // comments and empty lines inside a continuation
    const trimmed = current.trimEnd()
    if (trimmed.endsWith(escapeChar)) {
      line += trimmed.slice(0, -escapeChar.length)
      continue
    }
    line += current
    i++
    break
  }

  const heredocs: Heredoc[] = []
  const markers = allowHeredocs ? [...line.matchAll(HEREDOC_MARKER)] : []
  for (const marker of markers) {
    const chomp = marker[1] === '-'
    const name = marker[3]!
    const body: string[] = []
    for (; i < lines.length; i++) {
      const bodyLine = chomp ? lines[i]!.replace(/^\t+/, '') : lines[i]!
      if (bodyLine === name) {
        i++
        break
      }
      body.push(bodyLine)
    }
    heredocs.push({ name, body: body.length > 0 ? `${body.join('\n')}\n` : '' })
  }
  return { line: line.trim(), heredocs }
}

export interface ExpandOptions {
  escapeChar: string
  /** Remove quotes the way the builder does for words (ENV values, COPY paths); keep them for display. */
  removeQuotes: boolean
}

/** Substitutes `$X`, `${X}`, `${X:-d}`, `${X-d}`, `${X:+a}`, `${X+a}` from `scope`; single quotes stop it. */
export function expandVariables(text: string, scope: VariableScope, options: ExpandOptions): VariableValue {
  let value = ''
  let pattern = ''
  const emit = (v: string, p: string = v): void => {
    value += v
    pattern += p
  }
  let quote: '"' | "'" | undefined
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === options.escapeChar && i + 1 < text.length) {
      const next = text[i + 1]!
      // An escaped `$`, quote or escape is literal: it starts no variable and opens no quote. Words lose
      // the escape as the builder's lexer removes it; display keeps it (but `\$` shows as `$`).
      if (next === '$' || next === '"' || next === "'" || next === options.escapeChar) {
        emit(next === '$' || options.removeQuotes ? next : `${ch}${next}`)
        i++
        continue
      }
      emit(ch)
      continue
    }
    if ((ch === '"' || ch === "'") && (quote === undefined || quote === ch)) {
      quote = quote === undefined ? ch : undefined
      if (!options.removeQuotes) emit(ch)
      continue
    }
    if (ch === '$' && quote !== "'") {
      const reference = readReference(text, i)
      if (reference) {
        const resolved = resolveReference(reference, scope, options)
        emit(resolved.value, resolved.pattern)
        i = reference.end - 1
        continue
      }
    }
    emit(ch)
  }
  return { value, pattern }
}

interface Reference {
  name: string
  operator?: ':-' | '-' | ':+' | '+'
  word?: string
  end: number
}

function readReference(text: string, start: number): Reference | undefined {
  const simple = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(start))
  if (simple) return { name: simple[1]!, end: start + simple[0].length }
  if (text[start + 1] !== '{') return undefined
  // Find the matching brace so a default may itself hold `${…}`.
  let depth = 0
  for (let j = start + 1; j < text.length; j++) {
    if (text[j] === '{') depth++
    else if (text[j] === '}' && --depth === 0) {
      const inner = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\+|\+)([\s\S]*))?$/.exec(text.slice(start + 2, j))
      if (!inner) return undefined
      const reference: Reference = { name: inner[1]!, end: j + 1 }
      if (inner[2] !== undefined) {
        reference.operator = inner[2] as NonNullable<Reference['operator']>
        reference.word = inner[3] ?? ''
      }
      return reference
    }
  }
  return undefined
}

function resolveReference(reference: Reference, scope: VariableScope, options: ExpandOptions): VariableValue {
  const variable = scope.get(reference.name)
  const word = (): VariableValue =>
    expandVariables(reference.word ?? '', scope, { ...options, removeQuotes: true })
  const set = variable !== undefined
  const nonEmpty = set && variable.value !== ''
  const knowable = variable === undefined || !variable.pattern.includes(UNKNOWN)
  let result: VariableValue
  switch (reference.operator) {
    case ':-':
      result = nonEmpty ? variable : word()
      break
    case '-':
      result = set ? variable : word()
      break
    case ':+':
      result = nonEmpty ? word() : { value: '', pattern: '' }
      break
    case '+':
      result = set ? word() : { value: '', pattern: '' }
      break
    default:
      // Unset here may still be set in the base image's environment.
      result = variable ?? { value: '', pattern: UNKNOWN }
  }
  // Which branch applies is itself unknowable when the variable is.
  return knowable || reference.operator === undefined ? result : { value: result.value, pattern: UNKNOWN }
}

/** Splits a line into words on whitespace, keeping quoted spans together (quotes kept). */
export function splitWords(line: string): string[] {
  const words: string[] = []
  let current = ''
  let quote: string | undefined
  for (const ch of line) {
    if (quote) {
      current += ch
      if (ch === quote) quote = undefined
    } else if (ch === '"' || ch === "'") {
      current += ch
      quote = ch
    } else if (/\s/.test(ch)) {
      if (current !== '') words.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  if (current !== '') words.push(current)
  return words
}

/** The strings of a JSON (exec form) argument list, or undefined when the text is not one. */
export function parseJsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    if (Array.isArray(parsed) && parsed.every((item): item is string => typeof item === 'string'))
      return parsed
  } catch {
    // Not exec form: the builder runs it through the shell as written.
  }
  return undefined
}
