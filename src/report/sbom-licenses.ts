/**
 * License strings as the package metadata states them → SPDX where they are SPDX. A string is an SPDX
 * license expression when spdx-expression-parse (the parser of the SPDX expression grammar, SPDX 2.3
 * Annex D) accepts it; anything else ("BSD License", "Custom") is kept as a name.
 */
import parseSpdxExpression from 'spdx-expression-parse'

export function isSpdxExpression(text: string): boolean {
  try {
    parseSpdxExpression(text)
    return true
  } catch {
    return false
  }
}

/**
 * One SPDX expression for all stated licenses (joined with AND, as each applies), or undefined. An SPDX
 * document must define every `LicenseRef-` it uses (SPDX 2.3 §10), which a package's metadata cannot, so
 * expressions naming one are not used.
 */
export function spdxExpressionOf(licenses: readonly string[]): string | undefined {
  if (licenses.length === 0 || !licenses.every(isSpdxExpression)) return undefined
  if (licenses.some((l) => /(?:LicenseRef|DocumentRef)-/.test(l))) return undefined
  if (licenses.length === 1) return licenses[0]
  return licenses.map((l) => (/\s/.test(l.trim()) ? `(${l.trim()})` : l.trim())).join(' AND ')
}

/** Throws when `text` is not an SPDX expression (the validator @cyclonedx's LicenseFactory takes). */
export function validateSpdxExpression(text: string): void {
  parseSpdxExpression(text)
}
