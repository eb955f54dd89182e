/**
 * Deciding whether a `NAME=value` assignment (ENV, ARG, a build argument, a `.env` line) holds a secret:
 * a known token format anywhere in the value, credentials in a URL, or a literal value under a name that
 * says "secret". The noise filters are here too: empty values, `$VAR` references, `*_FILE` names,
 * booleans and obvious placeholders are not findings. Pure.
 */
import {
  findKnownSecrets,
  isAwsSecretAccessKey,
  scanKnownSecrets,
  type KnownSecretSpan,
  type SecretMatch,
} from './secret-patterns.js'

/**
 * Name endings that mean "the value is a secret", compared with `_`, `-` and `.` removed, so `DB_PASSWORD`,
 * `dbPassword` and `db.password` all match. Only endings: `PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME` and
 * `PASSWORD_MIN_LENGTH` name something else. `_KEY` alone is deliberately absent: official images set
 * `GPG_KEY`/`GPG_KEYS` to public key fingerprints.
 */
const SENSITIVE_ENDINGS = [
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'PRIVATEKEY',
  'CREDENTIALS',
  'SECRETKEY',
  'SECRETACCESSKEY',
] as const

/** Short endings that only count after a separator (`DB_PASS`, `SMTP_PWD`): `PWD` itself is the working directory. */
const SEPARATED_ENDINGS = ['_PASS', '_PWD'] as const

/** Last letters of the endings above: most names (`PORT`s aside) end otherwise and are decided at once. */
const SENSITIVE_LAST_LETTERS = new Set(['D', 'T', 'N', 'Y', 'S'])

export function isSensitiveName(name: string): boolean {
  if (!SENSITIVE_LAST_LETTERS.has(name.charAt(name.length - 1).toUpperCase())) return false
  const upper = name.toUpperCase().replace(/[-.]/g, '_')
  const compact = upper.replace(/_/g, '')
  if (upper === 'PASS') return true
  return (
    SENSITIVE_ENDINGS.some((e) => compact.endsWith(e)) || SEPARATED_ENDINGS.some((e) => upper.endsWith(e))
  )
}

/**
 * Values that are documented placeholders or defaults meant to be replaced, not leaked secrets. `changeme`
 * and `changeit` (the JDK truststore default) are public knowledge, so flagging them would be noise; a
 * weak default password is a configuration problem for the application's own checks.
 */
const PLACEHOLDERS = new Set([
  'changeme',
  'change_me',
  'change-me',
  'changeit',
  'password',
  'passwd',
  'secret',
  'token',
  'example',
  'dummy',
  'placeholder',
  'redacted',
  'replace_me',
  'replaceme',
  'todo',
  'tbd',
  'fixme',
  'none',
  'null',
  'nil',
  'undefined',
  'empty',
  'unset',
  'default',
])

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'y', 'n', 'enabled', 'disabled'])

/** Removes one pair of matching surrounding quotes. */
export function unquote(value: string): string {
  const trimmed = value.trim()
  if (trimmed.length >= 2) {
    const first = trimmed[0]
    if ((first === '"' || first === "'") && trimmed.endsWith(first)) return trimmed.slice(1, -1)
  }
  return trimmed
}

/** True for values that are not a literal secret (see the module comment). */
export function isNonSecretValue(raw: string): boolean {
  const value = unquote(raw)
  if (value === '') return true
  // `$VAR`, `${VAR}`, `$(cat /run/secrets/x)`, a backtick substitution: expanded elsewhere, not literal.
  if (value.startsWith('$') || value.startsWith('`')) return true
  // Already masked (`ghp_…(40 chars)`): masking a quoted line twice must not mangle it.
  if (/^\S{0,4}…\(\d+/.test(value)) return true
  const lower = value.toLowerCase()
  if (BOOLEAN_WORDS.has(lower) || PLACEHOLDERS.has(lower)) return true
  // Small numbers are flags, counts and lifetimes (`GITHUB_TOKEN=0`), not passwords.
  if (/^\d{1,5}$/.test(value)) return true
  // Masked or templated values: `***`, `xxxxxx`, `<your-token>`, `{{ token }}`, `your_api_key_here`.
  if (/^[*x.]+$/i.test(value) || /^<[^<>]*>$/.test(value) || /^\{\{.*\}\}$/.test(value)) return true
  if (/^(?:your|my)[_-]/i.test(value) || /[_-]here$/i.test(value)) return true
  // A path to a mounted secret (`/run/secrets/db`), or a reference to a secret store.
  if (/^\/\S*$/.test(value) || /^(?:arn:aws[a-z-]*:|vault:|ssm:|secretsmanager:)/i.test(value)) return true
  return false
}

/** Documented example values (AWS's `AKIAIOSFODNN7EXAMPLE`): a token that says it is an example is one. */
function isExampleToken(value: string): boolean {
  return value.includes('EXAMPLE')
}

/** Known-format secrets in a value, without documentation examples. */
export function knownSecretsIn(text: string): SecretMatch[] {
  return findKnownSecrets(text).filter((m) => !isExampleToken(m.value))
}

/** Every occurrence of a known-format secret in `text` with its position, without documentation examples. */
export function knownSecretSpansIn(text: string): KnownSecretSpan[] {
  return scanKnownSecrets(text).filter((span) => !isExampleToken(span.match.value))
}

// A scheme of at most 32 characters: an unbounded `[a-z0-9+.-]*` before `://` rescans every run of letters
// and dots from each of its word starts (quadratic on `a.a.a.…`).
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{0,31}:\/\/([^\s:@/'"]+):([^\s@/'"]+)@/gi

/** Passwords embedded in URLs (`postgres://app:s3cret@db/app`, `https://x:token@github.com`). */
export function urlCredentialsIn(text: string): SecretMatch[] {
  const matches: SecretMatch[] = []
  if (!text.includes('://')) return matches
  for (const match of text.matchAll(URL_CREDENTIALS)) {
    const password = match[2] ?? ''
    if (isNonSecretValue(password)) continue
    matches.push({ id: 'url-credentials', title: 'Password in a URL', severity: 'high', value: password })
  }
  return matches
}

/**
 * The secret an assignment holds, or undefined: a known format (critical) first, then an AWS secret key
 * by name and shape (critical), a URL with a password (high), a literal under a name that says "secret" (high).
 */
export function classifyAssignment(name: string, rawValue: string): SecretMatch | undefined {
  const value = unquote(rawValue)
  if (value === '') return undefined
  return knownSecretsIn(value)[0] ?? classifyUnknownFormat(name, value)
}

/** `classifyAssignment` for a value already known to hold no known-format secret. */
export function classifyUnknownFormat(name: string, rawValue: string): SecretMatch | undefined {
  const value = unquote(rawValue)
  if (value === '') return undefined
  if (isAwsSecretAccessKey(name, value) && !isExampleToken(value)) {
    return { id: 'aws-secret-access-key', title: 'AWS secret access key', severity: 'critical', value }
  }
  const inUrl = urlCredentialsIn(value)[0]
  if (inUrl !== undefined) return inUrl
  if (isSensitiveName(name) && !isNonSecretValue(value)) {
    return {
      id: 'sensitive-name',
      title: 'Literal value of a secret-named variable',
      severity: 'high',
      value,
    }
  }
  return undefined
}
