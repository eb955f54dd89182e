/**
 * Mutations for the fuzz tests: of a valid document's structure (keys deleted, types changed, nulls,
 * huge strings, deep nesting, duplicated items, prototype-named keys) and of its text (truncation at
 * any offset, inserted or replaced characters including lone surrogates, a BOM).
 */
import fc from 'fast-check'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const STRUCTURE_OPS = [
  'delete',
  'null',
  'retype',
  'huge',
  'deep',
  'number',
  'odd-string',
  'empty-object',
  'empty-array',
  'odd-key',
  'duplicate',
] as const
type StructureOp = (typeof STRUCTURE_OPS)[number]

interface StructureMutation {
  path: number[]
  op: StructureOp
  n: number
}

const TEXT_OPS = ['truncate', 'insert', 'replace', 'delete', 'bom'] as const

interface TextMutation {
  op: (typeof TEXT_OPS)[number]
  at: number
  chars: string
}

/** Strings that have tripped parsers: regex-hostile runs, separators, prototype names, bad UTF-16. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\n\r\t',
  '\ud800',
  '\udfff\ud800',
  'javascript:alert(1)',
  '../../../../etc/passwd',
  '/abs/path',
  'C:\\windows\\path',
  '__proto__',
  'constructor',
  'toString',
  'sha256:',
  'pkg:npm/%40scope%2Fname@1.0.0',
  'pkg:',
  'CVE-',
  'GHSA-xxxx',
  'NaN',
  '-1',
  '1e400',
  '%s%n%x',
  '<script>alert(1)</script>',
  '](javascript:x)',
  '\u202e\u2028\u2029',
  '🐳'.repeat(3),
]

/** Long strings made of what regexes backtrack on. */
const HUGE_UNITS = [' ', '/', '\\', '.', '-', ':', '@', 'a', '0', '\t\n', '[', '{', '"', 'CVE-1-', '𝔘']

const ODD_NUMBERS = [0, -0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e-7, 65_536, 4_294_967_296, 11, -11]

const ODD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', ' ']

const DEEP = /"@@deep:(\d+)@@"/g

function hugeString(n: number): string {
  const unit = HUGE_UNITS[n % HUGE_UNITS.length]!
  const length = 1_000 + ((n * 7919) % 150_000)
  return unit.repeat(Math.ceil(length / unit.length)) + (n % 2 === 0 ? 'x' : '')
}

function retype(value: Json, n: number): Json {
  if (typeof value === 'string') return n % 2 === 0 ? n : [value]
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 1 : 'false'
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]))
  if (value === null) return n % 2 === 0 ? {} : 'null'
  return Object.values(value)
}

function setOwn(object: { [key: string]: Json }, key: string, value: Json): void {
  // `object.__proto__ = x` would change the prototype; a parsed report has it as an own key.
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
}

function replacement(op: StructureOp, node: Json, n: number): Json {
  switch (op) {
    case 'null':
      return null
    case 'retype':
      return retype(node, n)
    case 'huge':
      return hugeString(n)
    case 'deep':
      return `@@deep:${n}@@`
    case 'number':
      return ODD_NUMBERS[n % ODD_NUMBERS.length]!
    case 'odd-string':
      return ODD_STRINGS[n % ODD_STRINGS.length]!
    case 'empty-object':
      return {}
    case 'empty-array':
      return []
    default:
      return node
  }
}

function applyStructure(root: Json, mutation: StructureMutation): Json {
  let parent: Json[] | { [key: string]: Json } | undefined
  let key: number | string | undefined
  let node = root
  for (const step of mutation.path) {
    if (Array.isArray(node) && node.length > 0) {
      parent = node
      key = step % node.length
      node = node[key]!
    } else if (
      node !== null &&
      typeof node === 'object' &&
      !Array.isArray(node) &&
      Object.keys(node).length > 0
    ) {
      const keys = Object.keys(node)
      parent = node
      key = keys[step % keys.length]!
      node = node[key]!
    } else break
  }
  const { op, n } = mutation
  if (op === 'odd-key') {
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
      setOwn(
        node,
        ODD_KEYS[n % ODD_KEYS.length]!,
        n % 3 === 0 ? structuredClone(node) : replacement('odd-string', null, n),
      )
    }
    return root
  }
  if (op === 'duplicate') {
    if (Array.isArray(parent)) for (let i = 0; i < 1 + (n % 40); i++) parent.push(structuredClone(node))
    return root
  }
  if (parent === undefined || key === undefined) return op === 'delete' ? root : replacement(op, root, n)
  if (op === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else Reflect.deleteProperty(parent, key)
    return root
  }
  const value = replacement(op, node, n)
  if (Array.isArray(parent)) parent[key as number] = value
  else setOwn(parent, key as string, value)
  return root
}

function expandDeep(text: string): string {
  return text.replace(DEEP, (_, digits: string) => {
    const n = Number(digits)
    const depth = 100 + ((n * 104_729) % 50_000)
    return n % 2 === 0
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  })
}

function applyText(text: string, mutation: TextMutation): string {
  const at = text.length === 0 ? 0 : mutation.at % (text.length + 1)
  switch (mutation.op) {
    case 'truncate':
      return text.slice(0, at)
    case 'insert':
      return `${text.slice(0, at)}${mutation.chars}${text.slice(at)}`
    case 'replace':
      return `${text.slice(0, at)}${mutation.chars}${text.slice(at + mutation.chars.length)}`
    case 'delete':
      return `${text.slice(0, at)}${text.slice(at + 1 + (mutation.chars.length % 8))}`
    case 'bom':
      return `\ufeff${text}`
  }
}

const structureMutation: fc.Arbitrary<StructureMutation> = fc.record({
  path: fc.array(fc.nat(), { maxLength: 10 }),
  op: fc.constantFrom(...STRUCTURE_OPS),
  n: fc.nat(),
})

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  op: fc.constantFrom(...TEXT_OPS),
  at: fc.nat(),
  chars: fc.oneof(
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.constantFrom('"', ',', '}', ']', '{', '[', ':', '\\', '\u0000', '\ud800', 'null', '1e999'),
  ),
})

/**
 * Text derived from a valid document: structural mutations (keys deleted, types changed, nulls, huge
 * strings, deep nesting, duplicated items, prototype-named keys), then sometimes text mutations
 * (truncation at any offset, inserted or replaced characters including lone surrogates, a BOM).
 */
export function mutatedJson(
  seeds: readonly unknown[],
  toText: (value: unknown) => string = (v) => JSON.stringify(v),
): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(structureMutation, { minLength: 1, maxLength: 4 }),
      fc.array(textMutation, { maxLength: 2 }),
    )
    .map(([index, structure, text]) => {
      let document = structuredClone(seeds[index]) as Json
      for (const mutation of structure) document = applyStructure(document, mutation)
      let out = expandDeep(toText(document))
      for (const mutation of text) out = applyText(out, mutation)
      return out
    })
}

/** Text mutations only, for formats that are not JSON (YAML, .trivyignore, docker-bench's log). */
export function mutatedText(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(textMutation, { minLength: 1, maxLength: 5 }),
      fc.nat(),
    )
    .map(([index, mutations, n]) => {
      let out = seeds[index]!
      for (const mutation of mutations) out = applyText(out, mutation)
      return n % 7 === 0 ? `${out}${hugeString(n)}` : out
    })
}

/** Any JSON value as text, and any text at all. */
export const arbitraryJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.jsonValue().map((v) => JSON.stringify(v, null, 2)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ maxLength: 200 }),
)
