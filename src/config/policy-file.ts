/**
 * The policy file (default `.github/container-security.yml`): thresholds, accepted risks, VEX documents,
 * severity source and baseline gating, kept in the repository next to the code it gates. YAML checked
 * against a JSON schema; every problem is one line naming the key, what it accepts and where it is. An
 * unknown key is an error: a typo (`fail-on.vulnerabilty`) must never silently switch a gate off. Pure.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { isMap, LineCounter, parseDocument, type Document } from 'yaml'
import { KINDS, type Kind } from '../findings/finding.js'
import { SEVERITIES, THRESHOLDS, type Severity, type Threshold } from '../findings/severity.js'
import { normaliseAllowPattern } from '../policy/base-image-names.js'
import type { IgnoreRule } from '../policy/suppress.js'
import { SCANNER_IDS } from '../scanners/scanner.js'
import { ConfigurationError } from '../util/errors.js'
import type { GateOn } from './inputs.js'

export const DEFAULT_POLICY_FILE = '.github/container-security.yml'

export interface PolicyFile {
  /** Thresholds per kind; kinds the file does not name are left to the inputs' defaults. */
  failOn?: Partial<Record<Kind, Threshold>>
  onlyFixed?: boolean
  ignore: IgnoreRule[]
  /** OpenVEX document paths as written (relative to the repository). */
  vex: string[]
  /** `highest` or a scanner id. */
  severitySource?: string
  gateOn?: GateOn
  /** Fail on any finding in CISA's KEV catalog. */
  failOnKev?: boolean
  /** Fail on any finding with an EPSS score at or above this probability. */
  failOnEpss?: number
  /** Findings from the final stage's base image do not fail the gate. */
  ignoreBase?: boolean
  /** The trusted base images section; allow patterns normalised (`alpine` → `docker.io/library/alpine`). */
  baseImages?: { allow?: string[]; requireDigest: boolean; severity: Severity }
}

const TOP_KEYS = [
  'fail-on',
  'only-fixed',
  'ignore',
  'vex',
  'severity-source',
  'gate-on',
  'fail-on-kev',
  'fail-on-epss',
  'ignore-base',
  'base-images',
] as const
const IGNORE_KEYS = ['id', 'package', 'image', 'reason', 'expires'] as const
const BASE_IMAGE_KEYS = ['allow', 'require-digest', 'severity'] as const
const BASE_IMAGE_SEVERITIES = SEVERITIES.filter((s) => s !== 'unknown')
const SEVERITY_SOURCES = ['highest', ...SCANNER_IDS] as const
const GATE_ON = ['all', 'new'] as const

const threshold = { type: 'string', enum: THRESHOLDS }
const nonEmpty = { type: 'string', pattern: '\\S' }

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    'fail-on': {
      if: { type: 'string' },
      then: threshold,
      else: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(KINDS.map((kind) => [kind, threshold])),
      },
    },
    'only-fixed': { type: 'boolean' },
    ignore: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'reason'],
        properties: {
          id: nonEmpty,
          package: nonEmpty,
          image: nonEmpty,
          reason: nonEmpty,
          expires: { type: 'string', format: 'date' },
        },
      },
    },
    vex: { type: 'array', items: nonEmpty },
    'severity-source': { type: 'string', enum: SEVERITY_SOURCES },
    'gate-on': { type: 'string', enum: GATE_ON },
    'fail-on-kev': { type: 'boolean' },
    'fail-on-epss': { type: 'number', minimum: 0, maximum: 1 },
    'ignore-base': { type: 'boolean' },
    'base-images': {
      type: 'object',
      additionalProperties: false,
      properties: {
        allow: { type: 'array', minItems: 1, items: nonEmpty },
        'require-digest': { type: 'boolean' },
        severity: { type: 'string', enum: BASE_IMAGE_SEVERITIES },
      },
    },
  },
} as const

let validator: ValidateFunction | undefined

function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true })
    // ajv-formats is CommonJS: its default export arrives as the module object under NodeNext typing.
    addFormatsModule.default(ajv, ['date'])
    validator = ajv.compile(SCHEMA)
  }
  return validator
}

export function parsePolicyFile(text: string, origin: string): PolicyFile {
  const fail = (problems: string[]): never => {
    throw new ConfigurationError(problems.map((p) => `policy file ${origin}: ${p}`).join('\n'))
  }
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false })
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0])
        return `YAML syntax error at line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]!}`
      }),
    )
  }
  let parsed: unknown
  try {
    // Throws on an alias to an unknown anchor, or one expanded past the alias limit.
    parsed = doc.toJS({ maxAliasCount: 100 })
  } catch (error) {
    return fail([`YAML error: ${error instanceof Error ? error.message : String(error)}`])
  }
  // An empty file, or one with only comments or `---`, is a policy that changes nothing.
  const data = parsed === null || parsed === undefined ? {} : parsed
  if (typeof data !== 'object' || Array.isArray(data)) {
    return fail([`should be a map of keys (${TOP_KEYS.join(', ')})`])
  }
  const check = validate()
  if (!check(data)) {
    const problems = (check.errors ?? [])
      .filter((e) => e.keyword !== 'if')
      .map((e) => {
        const line = lineOf(doc, lineCounter, e)
        return `${describeError(e, data)}${line !== undefined ? ` (line ${line})` : ''}`
      })
    fail([...new Set(problems)])
  }
  const patternProblems = allowPatternProblems(data, (i) =>
    lineAt(doc, lineCounter, ['base-images', 'allow', i]),
  )
  if (patternProblems.length > 0) fail(patternProblems)
  // The schema has checked the shape RawPolicy describes.
  return toPolicy(data, origin)
}

interface RawPolicy {
  'fail-on'?: Threshold | Partial<Record<Kind, Threshold>>
  'only-fixed'?: boolean
  ignore?: { id: string; package?: string; image?: string; reason: string; expires?: string }[]
  vex?: string[]
  'severity-source'?: string
  'gate-on'?: GateOn
  'fail-on-kev'?: boolean
  'fail-on-epss'?: number
  'ignore-base'?: boolean
  'base-images'?: { allow?: string[]; 'require-digest'?: boolean; severity?: Severity }
}

function allowPatternProblems(raw: RawPolicy, lineOfItem: (i: number) => number | undefined): string[] {
  return (raw['base-images']?.allow ?? []).flatMap((pattern, i) => {
    const normalised = normaliseAllowPattern(pattern)
    if ('pattern' in normalised) return []
    const line = lineOfItem(i)
    return [`base-images.allow[${i}] ${normalised.problem}${line !== undefined ? ` (line ${line})` : ''}`]
  })
}

function toPolicy(raw: RawPolicy, origin: string): PolicyFile {
  const policy: PolicyFile = {
    ignore: (raw.ignore ?? []).map((rule, i) => {
      const out: IgnoreRule = {
        id: rule.id.trim(),
        reason: rule.reason.trim(),
        origin: `${origin} ignore[${i}]`,
      }
      if (rule.package !== undefined) out.package = rule.package.trim()
      if (rule.image !== undefined) out.image = rule.image.trim()
      if (rule.expires !== undefined) out.expires = rule.expires
      return out
    }),
    vex: (raw.vex ?? []).map((path) => path.trim()),
  }
  const failOn = raw['fail-on']
  if (typeof failOn === 'string') policy.failOn = Object.fromEntries(KINDS.map((k) => [k, failOn]))
  else if (failOn !== undefined) policy.failOn = { ...failOn }
  if (raw['only-fixed'] !== undefined) policy.onlyFixed = raw['only-fixed']
  if (raw['severity-source'] !== undefined) policy.severitySource = raw['severity-source']
  if (raw['gate-on'] !== undefined) policy.gateOn = raw['gate-on']
  if (raw['fail-on-kev'] !== undefined) policy.failOnKev = raw['fail-on-kev']
  if (raw['fail-on-epss'] !== undefined) policy.failOnEpss = raw['fail-on-epss']
  if (raw['ignore-base'] !== undefined) policy.ignoreBase = raw['ignore-base']
  const baseImages = raw['base-images']
  if (baseImages !== undefined) {
    policy.baseImages = {
      requireDigest: baseImages['require-digest'] ?? false,
      severity: baseImages.severity ?? 'high',
    }
    if (baseImages.allow !== undefined) {
      policy.baseImages.allow = baseImages.allow.flatMap((p) => {
        const normalised = normaliseAllowPattern(p)
        return 'pattern' in normalised ? [normalised.pattern] : []
      })
    }
  }
  return policy
}

// ------------------------------------------------------------------------------------------------ errors

/** `/ignore/2/reason` → `ignore[2].reason`. */
function keyPath(segments: readonly string[]): string {
  return segments.reduce((path, segment) => {
    if (/^\d+$/.test(segment)) return `${path}[${segment}]`
    return path === '' ? segment : `${path}.${segment}`
  }, '')
}

function segmentsOf(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function describeError(error: ErrorObject, data: unknown): string {
  const segments = segmentsOf(error.instancePath)
  const path = keyPath(segments)
  const value = valueAt(data, segments)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required':
      return `${keyPath([...segments, String(params.missingProperty)])} is required`
    case 'additionalProperties': {
      const key = String(params.additionalProperty)
      const known: readonly string[] =
        segments.length === 0
          ? TOP_KEYS
          : segments[0] === 'fail-on'
            ? KINDS
            : segments[0] === 'base-images'
              ? BASE_IMAGE_KEYS
              : IGNORE_KEYS
      const what = segments.length === 0 ? 'key' : segments[0] === 'fail-on' ? 'kind' : 'field'
      const guess = closest(key, known)
      return `${keyPath([...segments, key])} is not a known ${what} (${known.join(', ')})${guess ? `: did you mean ${guess}?` : ''}`
    }
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as string[]).join(', ')} (got ${show(value)})`
    case 'type':
      if (segments.length === 1 && segments[0] === 'fail-on') {
        return `fail-on must be a threshold (${THRESHOLDS.join(', ')}) or a map of kinds (${KINDS.join(', ')}) to thresholds (got ${show(value)})`
      }
      return `${path} must be ${TYPE_WORDS[String(params.type)] ?? String(params.type)} (got ${show(value)})`
    case 'format':
      return `${path} must be a real date YYYY-MM-DD (got ${show(value)})`
    case 'pattern':
      return `${path} must not be empty`
    case 'minimum':
    case 'maximum':
      return `${path} must be a probability between 0 and 1 (got ${show(value)})`
    case 'minItems':
      return `${path} must list at least one pattern (leave allow out to allow any repository)`
    default:
      return `${path === '' ? 'the file' : path} ${error.message ?? 'is not valid'}`
  }
}

const TYPE_WORDS: Record<string, string> = {
  boolean: 'true or false',
  number: 'a number between 0 and 1',
  string: 'a string',
  array: 'a list',
  object: 'a map',
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a map'
  return JSON.stringify(value)
}

function valueAt(data: unknown, segments: readonly string[]): unknown {
  let current = data
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[segment]
  }
  return current
}

/** The 1-based line of the node at `path`. */
function lineAt(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | null | undefined
  const offset = node?.range?.[0]
  return offset !== undefined ? counter.linePos(offset).line : undefined
}

/** The 1-based line of the offending key (or of the map missing one). */
function lineOf(doc: Document, counter: LineCounter, error: ErrorObject): number | undefined {
  const segments: (string | number)[] = segmentsOf(error.instancePath).map((s) =>
    /^\d+$/.test(s) ? Number(s) : s,
  )
  const node = segments.length === 0 ? doc.contents : doc.getIn(segments, true)
  let offset: number | undefined
  const extra = (error.params as Record<string, unknown>).additionalProperty
  if (error.keyword === 'additionalProperties' && isMap(node)) {
    const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === extra)
    offset = (pair?.key as { range?: [number, number, number] } | null)?.range?.[0]
  }
  offset ??= (node as { range?: [number, number, number] } | null | undefined)?.range?.[0]
  return offset !== undefined ? counter.linePos(offset).line : undefined
}

/** A known word within two edits of `word`, for "did you mean". */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const d = distance(word.toLowerCase(), candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}
