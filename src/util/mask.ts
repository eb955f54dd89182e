/**
 * Masking of secret values. A secret found in an image must never be printed in full anywhere: not in a
 * finding, the SARIF log, the job summary or a log line. Pure.
 */

/** Values shorter than this show only their length: four characters of an 8-character password is half of it. */
export const MIN_LENGTH_TO_SHOW_PREFIX = 16
const SHOWN_PREFIX_LENGTH = 4

/**
 * `AKIAIOSFODNN7EXAMPLE` → `AKIA…(20 chars)`; a value shorter than 16 characters → `…(8 chars)`.
 * Lengths count code points, so a multi-byte character is never cut in half.
 */
export function maskSecret(value: string): string {
  const codePoints = Array.from(value)
  const length = codePoints.length
  const unit = length === 1 ? 'char' : 'chars'
  if (length < MIN_LENGTH_TO_SHOW_PREFIX) return `…(${length} ${unit})`
  // A prefix is shown only when it is printable on one line; a key block's first characters are dashes anyway.
  const prefix = codePoints
    .slice(0, SHOWN_PREFIX_LENGTH)
    .join('')
    .replace(/[\s\p{Cc}]/gu, '')
  return `${prefix}…(${length} ${unit})`
}

/**
 * Masks a fixed set of secrets in many texts. Secrets are indexed by their first characters, so a text
 * costs one lookup per position whatever the number of secrets (a regular expression of every secret
 * costs a try of each at each position, and compiling it costs as much again for every text).
 */
export class SecretMasker {
  private readonly byPrefix = new Map<string, string[]>()
  private readonly prefixLength: number

  constructor(secrets: readonly string[]) {
    // Longer secrets are tried first (one may contain another).
    const distinct = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length)
    // Sorted longest first: the last is the shortest.
    this.prefixLength = Math.min(8, distinct.at(-1)?.length ?? 8)
    for (const secret of distinct) {
      const prefix = secret.slice(0, this.prefixLength)
      const list = this.byPrefix.get(prefix)
      if (list === undefined) this.byPrefix.set(prefix, [secret])
      else list.push(secret)
    }
  }

  /** `text` with every occurrence of each secret replaced by its mask, in one left-to-right pass. */
  mask(text: string): string {
    if (this.byPrefix.size === 0 || text.length < this.prefixLength) return text
    let out = ''
    let copied = 0
    for (let i = 0; i + this.prefixLength <= text.length;) {
      const candidates = this.byPrefix.get(text.slice(i, i + this.prefixLength))
      const found = candidates?.find((secret) => text.startsWith(secret, i))
      if (found === undefined) {
        i++
        continue
      }
      out += text.slice(copied, i) + maskSecret(found)
      i += found.length
      copied = i
    }
    return copied === 0 ? text : out + text.slice(copied)
  }
}

/**
 * Replaces every occurrence of each known secret in `text` by its mask, e.g. to quote a history line as
 * evidence. Longer secrets are replaced first (one may contain another), in a single pass so a mask is
 * never scanned again.
 */
export function maskSecretsIn(text: string, secrets: readonly string[]): string {
  return new SecretMasker(secrets).mask(text)
}
