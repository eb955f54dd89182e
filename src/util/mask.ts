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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Replaces every occurrence of each known secret in `text` by its mask, e.g. to quote a history line as
 * evidence. Longer secrets are replaced first (one may contain another), in a single pass so a mask is
 * never scanned again.
 */
export function maskSecretsIn(text: string, secrets: readonly string[]): string {
  const distinct = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length)
  if (distinct.length === 0) return text
  const pattern = new RegExp(distinct.map(escapeRegExp).join('|'), 'g')
  return text.replace(pattern, (match) => maskSecret(match))
}
