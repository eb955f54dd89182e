/**
 * Reading an image history `created_by` line back into the instruction that wrote it. The forms seen in
 * real images:
 * - classic builder: `/bin/sh -c #(nop)  ENV A=1`, `/bin/sh -c #(nop) ADD file:… in /`, `/bin/sh -c apt-get …`,
 *   with build arguments in scope `|2 A=1 B=2 /bin/sh -c make`; the `#(nop)` prefix is the shell in force
 *   (`/bin/bash -o pipefail -c #(nop) …` after a SHELL, `cmd /S /C #(nop) …` on Windows); buildah writes
 *   the instruction as the Dockerfile spells it, so keywords may be lower case;
 * - BuildKit: `ENV A=1`, `ARG TOKEN=x`, `RUN |1 TOKEN=x /bin/sh -c npm ci # buildkit`,
 *   `ADD https://host/f.tgz /f.tgz # buildkit`, `EXPOSE map[80/tcp:{}]`. moby/buildkit v0.8.3 (the
 *   BuildKit of Docker 20.10), frontend/dockerfile/dockerfile2llb/convert.go: `commitToHistory` appends
 *   ` # buildkit` to the instructions given the build state (RUN, COPY, ADD), while `dispatchWorkdir`
 *   writes `WORKDIR <absolute path>` without it (with a layer when it creates the directory); `dispatchEnv` writes
 *   `ENV` + ` Key=Value` per pair; `dispatchExpose` writes `fmt.Sprintf("EXPOSE %v", ps)` of a Go
 *   map (`map[22/tcp:{} 2375/tcp:{}]`); `runCommandString` puts `|N A=1 …` before a RUN's argv;
 *   `HEALTHCHECK %q` and `USER %v` likewise print Go values. Checked against a real dockerd 20.10
 *   (__tests__/e2e/docker-engine.test.ts);
 * - anything else (other build tools, a classic RUN under another shell): an unknown form whose whole
 *   text is the command.
 * Shared by layer attribution (which lines the history up with the Dockerfile) and the built-in history
 * checks (secrets, remote ADD). Pure; never throws.
 */

/** Every Dockerfile instruction a history line can record. */
const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
])

export interface HistoryLine {
  /** Upper-case Dockerfile keyword, or `''` when the line has no recognisable form. */
  keyword: string
  /**
   * `classic`: the classic builder's `#(nop)` metadata or shell-command RUN; `keyword`: `KEYWORD args` as
   * BuildKit (and kaniko) write it; `unknown`: neither.
   */
  form: 'classic' | 'keyword' | 'unknown'
  /**
   * The text after the keyword; for a classic RUN the whole recorded command (`|1 A=1 /bin/sh -c make`),
   * for an unknown form the whole line. Trimmed, without BuildKit's `# buildkit` marker.
   */
  body: string
}

const NOP_MARKER = '#(nop)'
const BUILDKIT_MARKER = 'buildkit'
/** The default shell of Linux and Windows images, which the classic builder writes before a command. */
const DEFAULT_SHELL = /^(?:\/bin\/(?:ba)?sh -c|cmd \/S \/C)(?=\s|$)/
const LEADING_KEYWORD = /^([A-Za-z]+)(?:\s+|$)/

/** The line without BuildKit's ` # buildkit` suffix (string search: a regex backtracks badly on long lines). */
function withoutBuildkitSuffix(line: string): string {
  const hash = line.lastIndexOf('#')
  if (hash <= 0 || !/\s/.test(line[hash - 1] ?? '')) return line
  return line.slice(hash + 1).trim() === BUILDKIT_MARKER ? line.slice(0, hash).trimEnd() : line
}

/**
 * The text after `<shell> #(nop)`: the marker is the line's first `#`, after whatever shell was in force.
 * Under a default shell it must follow the shell directly; further on it is part of a RUN command.
 */
function afterNopMarker(line: string): string | undefined {
  const hash = line.indexOf('#')
  if (hash < 0 || !line.startsWith(NOP_MARKER, hash)) return undefined
  const shell = DEFAULT_SHELL.exec(line)
  if (shell !== null && line.slice(shell[0].length, hash).trim() !== '') return undefined
  return line.slice(hash + NOP_MARKER.length).trim()
}

/** `KEYWORD rest` at the start of `text` when KEYWORD (any case) is a Dockerfile instruction. */
function leadingKeyword(text: string): { keyword: string; rest: string } | undefined {
  const match = LEADING_KEYWORD.exec(text)
  const keyword = match?.[1]?.toUpperCase()
  if (match === null || keyword === undefined || !KEYWORDS.has(keyword)) return undefined
  return { keyword, rest: text.slice(match[0].length).trim() }
}

/** The keyword, form and argument text of a history `created_by` line. */
export function splitHistoryLine(createdBy: string): HistoryLine {
  const line = withoutBuildkitSuffix(createdBy.trim())
  // `|2 A=1 B=2 /bin/sh -c make`: only a RUN records the build arguments in scope.
  if (/^\|\d+\s/.test(line)) return { keyword: 'RUN', form: 'classic', body: line }
  const nop = afterNopMarker(line)
  if (nop !== undefined) {
    const metadata = leadingKeyword(nop)
    return metadata !== undefined
      ? { keyword: metadata.keyword, form: 'classic', body: metadata.rest }
      : { keyword: '', form: 'unknown', body: line }
  }
  if (DEFAULT_SHELL.test(line)) return { keyword: 'RUN', form: 'classic', body: line }
  const word = leadingKeyword(line)
  if (word !== undefined) return { keyword: word.keyword, form: 'keyword', body: word.rest }
  return { keyword: '', form: 'unknown', body: line }
}

// ------------------------------------------------------------------------------ ENV, ARG and RUN values

export interface NameValue {
  name: string
  /** Undefined for `ARG NAME` without a default. */
  value?: string
}

export interface HistoryInstruction {
  /** Upper-case Dockerfile keyword, or `''` when the line has no recognisable form. */
  keyword: string
  /** `ENV`/`ARG` pairs, or the build arguments recorded before a `RUN` (`|1 TOKEN=x`). */
  pairs: NameValue[]
  /** The rest of the line: a `RUN` command, `ADD`/`COPY` arguments, or the whole unknown line. */
  args: string
}

/** A history line with its `ENV`/`ARG` pairs and a `RUN`'s build arguments read out. */
export function parseHistoryLine(createdBy: string): HistoryInstruction {
  const { keyword, body } = splitHistoryLine(createdBy)
  switch (keyword) {
    case 'ENV':
    case 'ARG':
      return { keyword, pairs: parsePairs(body), args: body }
    case 'RUN': {
      const { pairs, command } = parseBuildArgs(body)
      return { keyword, pairs, args: command }
    }
    default:
      return { keyword, pairs: [], args: body }
  }
}

const NAME_START = /(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=/g

/**
 * `A=1 B=two words C=3` → pairs. A value runs up to the next `NAME=` word, so unquoted values with spaces
 * (how both builders record them) survive; words without `=` before the first pair are names without value.
 */
export function parsePairs(text: string): NameValue[] {
  const starts = [...text.matchAll(NAME_START)].map((m) => ({
    name: m[1] ?? '',
    nameAt: m.index + m[0].indexOf(m[1] ?? ''),
    valueAt: m.index + m[0].length,
  }))
  if (starts.length === 0) {
    const words = text
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
    // Classic builders once wrote `ENV NAME value`: one pair, the rest of the line is the value.
    if (words.length >= 2 && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(words[0] ?? '')) {
      const name = words[0] ?? ''
      return [{ name, value: text.trim().slice(name.length).trim() }]
    }
    return words.map((name) => ({ name }))
  }
  const pairs: NameValue[] = []
  const first = starts[0]
  if (first !== undefined) {
    for (const name of text.slice(0, first.nameAt).trim().split(/\s+/)) if (name !== '') pairs.push({ name })
  }
  starts.forEach((start, i) => {
    const end = starts[i + 1]?.nameAt ?? text.length
    pairs.push({ name: start.name, value: text.slice(start.valueAt, end).trim() })
  })
  return pairs
}

/**
 * `|2 A=1 B=2 /bin/sh -c make` → the two build arguments and the command. The count says how many pairs
 * follow; each value but the last runs to the next `NAME=` word, the last one to the next space.
 */
function parseBuildArgs(text: string): { pairs: NameValue[]; command: string } {
  const header = /^\|(\d+)\s*/.exec(text)
  if (header === null) return { pairs: [], command: text }
  const count = Number(header[1])
  let rest = text.slice(header[0].length)
  const pairs: NameValue[] = []
  for (let i = 0; i < count; i++) {
    const nameMatch = /^([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(rest)
    if (nameMatch === null) break
    const name = nameMatch[1] ?? ''
    const afterName = rest.slice(nameMatch[0].length)
    let valueEnd: number
    if (i < count - 1) {
      const next = /\s+[A-Za-z_][A-Za-z0-9_.-]*=/.exec(afterName)
      valueEnd = next === null ? afterName.search(/\s|$/) : next.index
    } else {
      valueEnd = afterName.search(/\s|$/)
    }
    pairs.push({ name, value: afterName.slice(0, valueEnd) })
    rest = afterName.slice(valueEnd).trimStart()
  }
  return { pairs, command: rest }
}
