/**
 * Doublestar globs over relative paths (`.trivyignore.yaml` `paths:`, e.g. `usr/**\/METADATA`, `*.jar`):
 * `*` is any run without `/`, `?` one character but `/`, `**\/` any number of whole directories (also
 * none), `**` elsewhere any run at all. Matched by stepping a set of glob positions through the path once
 * (an NFA, no regular expression): the cost is the path length times the glob length whatever the glob,
 * where the regular expression this replaces backtracked on `**\/**\/…` against a deep path. Pure.
 */

type GlobToken =
  | { kind: 'literal'; char: string }
  | { kind: 'one' }
  | { kind: 'star' }
  | { kind: 'directories' }
  | { kind: 'anything' }

export interface PathGlob {
  readonly tokens: readonly GlobToken[]
}

export function compilePathGlob(glob: string): PathGlob {
  const text = glob.trim().replace(/^\/+/, '')
  const tokens: GlobToken[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '*' && text[i + 1] === '*') {
      const directories = text[i + 2] === '/'
      tokens.push({ kind: directories ? 'directories' : 'anything' })
      i += directories ? 2 : 1
    } else if (c === '*') tokens.push({ kind: 'star' })
    else if (c === '?') tokens.push({ kind: 'one' })
    else tokens.push({ kind: 'literal', char: c })
  }
  return { tokens }
}

/**
 * States: `i` = before token i (`tokens.length` = the end); for a `directories` token, `-(i + 1)` = inside
 * one of its directory names (no `/` seen yet), from where only a `/` leads back to `i`.
 */
function closure(tokens: readonly GlobToken[], states: Set<number>): Set<number> {
  const pending = [...states]
  while (pending.length > 0) {
    const state = pending.pop()!
    if (state < 0 || state >= tokens.length) continue
    const kind = tokens[state]!.kind
    // star, directories and anything may match nothing: the next token is reachable as is.
    if ((kind === 'star' || kind === 'directories' || kind === 'anything') && !states.has(state + 1)) {
      states.add(state + 1)
      pending.push(state + 1)
    }
  }
  return states
}

function step(tokens: readonly GlobToken[], states: Set<number>, c: string): Set<number> {
  const next = new Set<number>()
  for (const state of states) {
    if (state < 0) {
      next.add(c === '/' ? -state - 1 : state)
      continue
    }
    const token = tokens[state]
    if (token === undefined) continue
    switch (token.kind) {
      case 'literal':
        if (token.char === c) next.add(state + 1)
        break
      case 'one':
        if (c !== '/') next.add(state + 1)
        break
      case 'star':
        if (c !== '/') next.add(state)
        break
      case 'anything':
        next.add(state)
        break
      case 'directories':
        next.add(c === '/' ? state : -(state + 1))
        break
    }
  }
  return closure(tokens, next)
}

/** True when the whole of `path` (leading `/` ignored) matches `glob`. */
export function pathGlobMatches(glob: PathGlob, path: string): boolean {
  const { tokens } = glob
  let states = closure(tokens, new Set([0]))
  for (const c of path.replace(/^\/+/, '')) {
    states = step(tokens, states, c)
    if (states.size === 0) return false
  }
  return states.has(tokens.length)
}
