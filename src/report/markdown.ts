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
    return HTML_ENTITIES[c] ?? `\\${c}`
  })
}

const MARKDOWN_SPECIAL = /\]\(|[\\`*_[\]~|&<>"']/g

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
