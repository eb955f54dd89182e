/**
 * The summary's word on the base image: how many findings came with it (attribution marked them `base`)
 * and which `FROM` line to update, and whether `ignore-base` kept them out of the gate. Pure.
 */
import type { Finding } from '../findings/finding.js'
import type { GateResult } from './gate-result.js'
import { escapeMarkdown } from './markdown.js'

export function baseImageSection(result: GateResult): string {
  const findings = result.images.flatMap((image) => image.findings)
  const base = findings.filter((f) => f.base === true && f.suppression === undefined)
  if (base.length === 0) return ''
  const from = fromLineText(result, base)
  const ignored = result.verdict.baseExempt !== undefined
  const gate = ignored
    ? `With ignore-base they do not fail the gate${result.verdict.baseExempt ? ` (${result.verdict.baseExempt} of them would have)` : ''}.`
    : 'They gate like the others (set ignore-base to gate only what this Dockerfile adds).'
  return [
    '### Base image',
    '',
    `**${base.length}** finding(s) came with the base image${from}: update that FROM line to a patched base image to fix them. ${gate}`,
  ].join('\n')
}

/** ` alpine:3.19 (FROM at Dockerfile:1)`, from the run's Dockerfile, else from the findings' own locations. */
function fromLineText(result: GateResult, base: readonly Finding[]): string {
  if (result.baseImage !== undefined) {
    const { image, location } = result.baseImage
    return ` ${escapeMarkdown(image, 200)} (FROM at ${escapeMarkdown(`${location.path}:${location.startLine}`, 300)})`
  }
  // Collected from matrix legs: each leg's FROM line is where its findings point.
  const lines = [
    ...new Set(
      base.flatMap((f) => (f.location !== undefined ? [`${f.location.path}:${f.location.startLine}`] : [])),
    ),
  ]
  if (lines.length === 0) return ''
  const shown = lines.slice(0, 5).map((l) => escapeMarkdown(l, 300))
  return ` (FROM ${shown.join(', ')}${lines.length > 5 ? `, … ${lines.length - 5} more` : ''})`
}
