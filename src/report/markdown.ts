/**
 * Markdown that cannot be hijacked by text from scanner reports: a finding title with `<script>`,
 * `](javascript:…)` or `|` must render as the characters it contains, in one table cell. Pure.
 */
import { oneLine, safeWebUrl } from './finding-text.js'

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/**
 * Untrusted text as inline markdown on one line: HTML is escaped (no tags, no entities), and the
 * characters that start inline markdown (link and image brackets, emphasis, code, strikethrough) or end a
 * table cell are backslash-escaped. Parentheses are text unless they follow a `]`.
 */
export function escapeMarkdown(text: string, max = 500): string {
  // One pass: `](` is what turns text into a link, so both halves are escaped, not just the bracket.
  return oneLine(text, max).replace(MARKDOWN_SPECIAL, (c) => {
    if (c === '](') return '\\]\\('
    if (c === '@') return AT_UNLINKED
    return HTML_ENTITIES[c] ?? `\\${c}`
  })
}

/**
 * `@` followed by a WORD JOINER (U+2060, invisible, zero width): GitHub turns `name@1.2.3` into a
 * mailto: link (GFM's extended email autolink needs a letter, digit, `-` or `_` right after the `@`) and
 * `@name` into a mention, and it does both on the rendered text too, so an HTML entity (`&#64;`) would
 * not stop it; a character that can be in neither does.
 */
export const AT_UNLINKED = '@\u2060'

const MARKDOWN_SPECIAL = /\]\(|[\\`*_[\]~|&<>"'@]/g

/**
 * A path inside the image (`/bin/[`, `/usr/lib/libssl.so.3`) as inline code, so it reads as a file in
 * the image and not as a line of the Dockerfile; a table cell, one line, never empty.
 */
export function imagePathCell(text: string, max = 200): string {
  const flat = oneLine(text, max)
  if (flat === '') return '—'
  // A fence longer than any run of backticks inside; `|` escaped for the table (GFM removes the backslash).
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const padded = flat.startsWith('`') || flat.endsWith('`') ? ` ${flat} ` : flat
  return `${fence}${padded.replace(/\|/g, '\\|')}${fence}`
}

/** A table cell: escaped, one line, never empty (an empty cell is shown as `—`). */
export function cell(text: string | undefined, max = 200): string {
  if (text === undefined || text.trim() === '') return '—'
  return escapeMarkdown(text, max)
}

/** `[text](url)` when `url` is a safe http(s) URL, else the escaped text alone. */
export function link(text: string, url: string | undefined, max = 200): string {
  const label = cell(text, max)
  const safe = url === undefined ? undefined : safeWebUrl(url)
  if (safe === undefined) return label
  // Characters that would end the destination, the link or the table cell are percent-encoded.
  const destination = safe.replace(
    /[()[\]|<> "'`\\]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `[${label}](${destination})`
}

/** A markdown table; rows are already escaped cells. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`)
  return lines.join('\n')
}
