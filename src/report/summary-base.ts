/**
 * What the reports say about the base image: how many findings came with it (attribution marked them
 * `base`), which `FROM` line to update, and whether `ignore-base` kept them out of the gate. Pure.
 */
import type { GateResult } from './gate-result.js'
import { escapeMarkdown } from './markdown.js'

/** One plain-text sentence, or undefined when no unsuppressed finding came with the base image. */
export function baseImageText(result: GateResult): string | undefined {
  const base = result.images.flatMap((image) =>
    image.findings.filter((f) => f.base === true && f.suppression === undefined),
  )
  if (base.length === 0) return undefined
  let from = ''
  if (result.baseImage !== undefined) {
    const { image, location } = result.baseImage
    from = ` ${image} (FROM at ${location.path}:${location.startLine})`
  } else {
    // Collected from matrix legs: each leg's FROM line is where its base findings point.
    const lines = [
      ...new Set(base.flatMap((f) => (f.location ? [`${f.location.path}:${f.location.startLine}`] : []))),
    ]
    if (lines.length > 0) {
      from = ` (FROM at ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? `, … ${lines.length - 5} more` : ''})`
    }
  }
  const exempted = result.verdict.baseExempt
  const gate =
    exempted === undefined
      ? 'They gate like the others (ignore-base gates only what the Dockerfile adds).'
      : `With ignore-base they do not fail the gate${exempted > 0 ? ` (${exempted} would have)` : ''}.`
  return `${base.length} finding(s) came with the base image${from}: update that FROM line to a patched base image to fix them. ${gate}`
}

export function baseImageSection(result: GateResult): string {
  const text = baseImageText(result)
  return text === undefined ? '' : `### Base image\n\n${escapeMarkdown(text, 1000)}`
}
