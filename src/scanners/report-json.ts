/**
 * Small, strict readers for scanner JSON reports: parse the text (BOM tolerated) and read fields with
 * their expected types. A field of the wrong type is a `ScannerError` naming the scanner, the field and
 * the report's origin, never a `TypeError` from deep inside a parser. Also the few helpers every
 * report reader shares. Pure.
 */
import type { Severity } from '../findings/severity.js'
import { ScannerError, errorMessage } from '../util/errors.js'

export type JsonRecord = Record<string, unknown>

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Drops a leading UTF-8 byte order mark, which editors and PowerShell redirections add. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * How the parsers that read fields by hand say what is wrong: a `ScannerError` `<scanner> report <origin>
 * <what>` (`dockle report out.json has no "details" array`).
 */
export function reportFailure(scanner: string, origin: string): (what: string, cause?: unknown) => never {
  return (what, cause) => {
    throw new ScannerError(scanner, `${scanner} report ${origin} ${what}`, causeOption(cause))
  }
}

function causeOption(cause: unknown): { cause: unknown } | undefined {
  return cause === undefined ? undefined : { cause }
}

/** Parses JSON text (BOM tolerated); text that is not JSON goes to `fail` with the parser's reason. */
export function parseJsonText(text: string, fail: (what: string, cause?: unknown) => never): unknown {
  try {
    return JSON.parse(stripBom(text)) as unknown
  } catch (error) {
    return fail(`is not valid JSON: ${errorMessage(error)}`, error)
  }
}

/** Parses report text as JSON, or throws a `ScannerError` that says why and where. */
export function parseJsonReport(text: string, scanner: string, origin: string): unknown {
  const fail = (what: string, cause?: unknown): never => {
    throw new ScannerError(scanner, `${scanner} report ${what} (${origin})`, causeOption(cause))
  }
  if (stripBom(text).trim() === '') return fail('is empty')
  return parseJsonText(text, fail)
}

/** A string with something besides white space in it (kept as written), else undefined. */
export function nonBlankString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

/** The non-empty strings of an array; anything else is an empty list. */
export function stringItems(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : []
}

/** The values without repeats, in first-seen order. */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)]
}

/**
 * Reads fields of one object of a report. `where` names the object in messages (`Results[2].Vulnerabilities[0]`).
 * Absent and `null` fields read as undefined; present fields of another type throw.
 */
export class FieldReader {
  constructor(
    readonly value: JsonRecord,
    private readonly scanner: string,
    private readonly origin: string,
    readonly where: string,
  ) {}

  fail(message: string): never {
    throw new ScannerError(this.scanner, `${this.scanner} report: ${message} (${this.origin})`)
  }

  private wrong(key: string, expected: string): never {
    const actual = this.value[key]
    const got = Array.isArray(actual) ? 'an array' : actual === null ? 'null' : typeof actual
    return this.fail(`${this.path(key)} should be ${expected}, got ${got}`)
  }

  path(key: string): string {
    return this.where ? `${this.where}.${key}` : key
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null
  }

  optionalString(key: string): string | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'string') return this.wrong(key, 'a string')
    return v
  }

  requiredString(key: string): string {
    const v = this.optionalString(key)
    if (v === undefined) return this.fail(`${this.path(key)} is missing`)
    return v
  }

  /** A string, or a number written as one (some tools emit versions and ids as numbers). */
  optionalText(key: string): string | undefined {
    const v = this.value[key]
    if (typeof v === 'number' && Number.isFinite(v)) return String(v)
    return this.optionalString(key)
  }

  optionalNumber(key: string): number | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.wrong(key, 'a number')
    return v
  }

  optionalBoolean(key: string): boolean | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') return this.wrong(key, 'true or false')
    return v
  }

  optionalObject(key: string): FieldReader | undefined {
    const v = this.value[key]
    if (v === undefined || v === null) return undefined
    if (!isRecord(v)) return this.wrong(key, 'an object')
    return new FieldReader(v, this.scanner, this.origin, this.path(key))
  }

  requiredObject(key: string): FieldReader {
    const v = this.optionalObject(key)
    if (v === undefined) return this.fail(`${this.path(key)} is missing`)
    return v
  }

  /** An array of objects; absent or null is an empty list. */
  objectArray(key: string): FieldReader[] {
    const v = this.value[key]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) return this.wrong(key, 'an array')
    return v.map((item: unknown, index) => {
      const where = `${this.path(key)}[${index}]`
      if (!isRecord(item)) return this.fail(`${where} should be an object`)
      return new FieldReader(item, this.scanner, this.origin, where)
    })
  }

  /** An array of strings; absent or null is an empty list; non-string items are an error. */
  stringArray(key: string): string[] {
    const v = this.value[key]
    if (v === undefined || v === null) return []
    if (!Array.isArray(v)) return this.wrong(key, 'an array of strings')
    return v.map((item: unknown, index) => {
      if (typeof item !== 'string') return this.fail(`${this.path(key)}[${index}] should be a string`)
      return item
    })
  }

  /** The object's own keys whose values are objects, as readers (for `CVSS: { nvd: {...} }` maps). */
  objectEntries(): [string, FieldReader][] {
    return Object.entries(this.value)
      .filter((entry): entry is [string, JsonRecord] => isRecord(entry[1]))
      .map(([k, v]) => [k, new FieldReader(v, this.scanner, this.origin, this.path(k))])
  }
}

/** Unique, non-empty strings in first-seen order. */
export function uniqueStrings(values: Iterable<string | undefined>): string[] {
  const seen = new Set<string>()
  for (const v of values) {
    const t = v?.trim()
    if (t) seen.add(t)
  }
  return [...seen]
}

/** The text shortened to `max` characters with an ellipsis, for evidence excerpts. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}

/** The severity a scanner gave, with its own word when it is not just ours in another case. */
export function sourceSeverity(
  severity: Severity,
  word: string | undefined,
): { severity: Severity; original?: string } {
  const original = word?.trim()
  return original && original.toLowerCase() !== severity ? { severity, original } : { severity }
}

/** `Dockerfile`, `build/Dockerfile.prod`, `api.dockerfile`, `Containerfile`. */
export function isDockerfilePath(path: string): boolean {
  const base = (path.split(/[\\/]/).pop() ?? '').toLowerCase()
  return /^(docker|container)file([.-].*)?$/.test(base) || /\.(docker|container)file$/.test(base)
}
