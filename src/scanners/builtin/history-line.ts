/**
 * Reading an image history `created_by` line back into the instruction that wrote it. The forms seen in
 * real images:
 * - classic builder: `/bin/sh -c #(nop)  ENV A=1`, `/bin/sh -c #(nop) ADD file:… in /`, `/bin/sh -c apt-get …`,
 *   and with build arguments in scope `|2 A=1 B=2 /bin/sh -c make`;
 * - BuildKit: `ENV A=1`, `ARG TOKEN=x`, `RUN |1 TOKEN=x /bin/sh -c npm ci # buildkit`,
 *   `ADD https://host/f.tgz /f.tgz # buildkit`, `EXPOSE map[80/tcp:{}]`;
 * - anything else (other build tools): kept as an unknown instruction whose whole text is the command.
 * Pure; never throws.
 */

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

const KNOWN_KEYWORDS = new Set([
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

const CLASSIC_NOP = /^\/bin\/(?:ba)?sh -c #\(nop\)\s*/
const CLASSIC_RUN = /^\/bin\/(?:ba)?sh -c\s+/
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

function withoutBuildkitSuffix(line: string): string {
  return line.replace(/\s+#\s*buildkit\s*$/, '')
}

export function parseHistoryLine(createdBy: string): HistoryInstruction {
  const line = withoutBuildkitSuffix(createdBy.trim())
  const nop = CLASSIC_NOP.exec(line)
  const body = nop !== null ? line.slice(nop[0].length).trim() : line
  if (nop === null && (/^\|\d+\s/.test(body) || CLASSIC_RUN.test(body))) {
    // Classic RUN: `/bin/sh -c cmd` or `|1 A=1 /bin/sh -c cmd`.
    const { pairs, command } = parseBuildArgs(body)
    return { keyword: 'RUN', pairs, args: command }
  }
  const keywordMatch = /^([A-Za-z]+)(?:\s+|$)/.exec(body)
  const keyword = keywordMatch?.[1]?.toUpperCase() ?? ''
  if (keywordMatch === null || !KNOWN_KEYWORDS.has(keyword)) return { keyword: '', pairs: [], args: line }
  const rest = body.slice(keywordMatch[0].length)
  switch (keyword) {
    case 'ENV':
    case 'ARG':
      return { keyword, pairs: parsePairs(rest), args: rest }
    case 'RUN': {
      const { pairs, command } = parseBuildArgs(rest)
      return { keyword, pairs, args: command }
    }
    default:
      return { keyword, pairs: [], args: rest }
  }
}
