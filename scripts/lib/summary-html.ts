// The job summary's markdown as HTML in GitHub's style, for the README screenshot (npm run screenshot).
// Only what src/report/summary.ts writes: headings, paragraphs, lists, blockquotes, pipe tables, and
// inline code, links, bold and backslash escapes. The summary escapes report text itself (HTML
// entities, `\|`), so text is passed through as it is, as GitHub does.

export function renderSummaryHtml(markdown: string): string {
  const body: string[] = []
  const lines = markdown.replace(/\r/g, '').split('\n')
  for (let i = 0; i < lines.length;) {
    const line = lines[i] ?? ''
    if (line.trim() === '') {
      i++
      continue
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line)
    if (heading) {
      const level = heading[1]!.length
      body.push(`<h${level}>${inline(heading[2]!)}</h${level}>`)
      i++
      continue
    }
    const block = (test: (l: string) => boolean): string[] => {
      const taken: string[] = []
      while (i < lines.length && test(lines[i] ?? '')) taken.push(lines[i++] ?? '')
      return taken
    }
    if (line.startsWith('|')) {
      const rows = block((l) => l.startsWith('|')).map(cells)
      const [header, , ...rest] = rows
      body.push(
        `<table><thead><tr>${(header ?? []).map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead><tbody>` +
          rest.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      )
    } else if (line.startsWith('> ')) {
      const quoted = block((l) => l.startsWith('> ')).map((l) => inline(l.slice(2)))
      body.push(`<blockquote><p>${quoted.join('<br>')}</p></blockquote>`)
    } else if (/^- /.test(line)) {
      const items = block((l) => /^- /.test(l)).map((l) => `<li>${inline(l.slice(2))}</li>`)
      body.push(`<ul>${items.join('')}</ul>`)
    } else if (/^\d+\. /.test(line)) {
      const items = block((l) => /^\d+\. /.test(l)).map((l) => `<li>${inline(l.replace(/^\d+\. /, ''))}</li>`)
      body.push(`<ol>${items.join('')}</ol>`)
    } else {
      const text = block((l) => l.trim() !== '' && !/^(#|\||> |- |\d+\. )/.test(l))
      body.push(`<p>${text.map(inline).join(' ')}</p>`)
    }
  }
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body><div class="summary">${body.join('\n')}</div></body></html>\n`
}

/** The cells of a pipe-table row; `\|` is a `|` inside a cell. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '')
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'))
}

const ESCAPED = '\u0000'

function inline(text: string): string {
  // Code spans first (their content is literal), then backslash escapes, links and bold.
  const codes: string[] = []
  let out = text.replace(/(`+)(.+?)\1/g, (_, _fence: string, code: string) => {
    codes.push(`<code>${code.trim().replace(/</g, '&lt;')}</code>`)
    return `${ESCAPED}c${codes.length - 1}${ESCAPED}`
  })
  const escapes: string[] = []
  out = out.replace(/\\([\\`*_[\]()~|#>!-])/g, (_, c: string) => {
    escapes.push(c)
    return `${ESCAPED}e${escapes.length - 1}${ESCAPED}`
  })
  out = out.replace(
    /\[([^\]]*)\]\(([^)\s]+)\)/g,
    (_, label: string, url: string) => `<a href="${url}">${label}</a>`,
  )
  out = out.replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
  return out.replace(new RegExp(`${ESCAPED}([ce])(\\d+)${ESCAPED}`, 'g'), (_, kind: string, n: string) =>
    kind === 'c' ? (codes[Number(n)] ?? '') : (escapes[Number(n)] ?? ''),
  )
}

// GitHub's markdown-body look, close enough for a screenshot.
const STYLE = `
body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
.summary { margin: 16px; padding: 8px 24px 16px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 16px 0; }
h3 { font-size: 1.25em; margin: 20px 0 12px; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 4px 10px; text-align: left; }
th { font-weight: 600; }
tr:nth-child(2n) td { background: #f6f8fa; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #eff1f3; padding: .2em .4em; border-radius: 6px; }
blockquote { margin: 0 0 16px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
a { color: #0969da; text-decoration: none; }
ul, ol { padding-left: 2em; margin: 0 0 16px; }
p { margin: 0 0 16px; }
`
