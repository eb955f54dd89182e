import { describe, expect, it } from '@jest/globals'
import { cell, escapeMarkdown, imagePathCell, link, table } from '../../src/report/markdown.js'

describe('markdown escaping', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['[x](javascript:alert(1))', '\\[x\\]\\(javascript:alert(1))'],
    ['a | b', 'a \\| b'],
    ['line\nbreak\r\nand\ttab', 'line break and tab'],
    ['*bold* _it_ `code` ~~s~~', '\\*bold\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~'],
    ['back\\slash', 'back\\\\slash'],
    ['&amp; "q" \'s\'', '&amp;amp; &quot;q&quot; &#39;s&#39;'],
    ['\u001b[31mred', '[31mred'.replace('[', '\\[')],
    // A WORD JOINER after `@`: no mailto: link for name@version, no mention for @name.
    ['busybox@1.36.1-r0', 'busybox@\u20601.36.1-r0'],
    ['thanks @octocat', 'thanks @\u2060octocat'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped)
  })

  it('shows empty cells as a dash and cuts long ones', () => {
    expect(cell(undefined)).toBe('—')
    expect(cell('  ')).toBe('—')
    expect(cell('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`)
  })

  it('links only http(s) URLs and keeps them from ending the link or the cell', () => {
    expect(link('CVE-1', 'javascript:alert(1)')).toBe('CVE-1')
    expect(link('CVE-1', 'data:text/html,x')).toBe('CVE-1')
    expect(link('CVE-1', 'https://user:pw@example.com/')).toBe('CVE-1')
    expect(link('CVE-1', undefined)).toBe('CVE-1')
    expect(link('CVE-1', 'https://example.com/a(b)|c')).toBe('[CVE-1](https://example.com/a%28b%29%7Cc)')
  })

  it.each([
    ['/bin/[', '`/bin/[`'],
    ['/opt/a|b', '`/opt/a\\|b`'],
    ['/opt/x`y', '``/opt/x`y``'],
    ['`tick', '`` `tick ``'],
    ['/a\n/b', '`/a /b`'],
    ['', '—'],
  ])('image path %j → code %j', (text, code) => {
    expect(imagePathCell(text)).toBe(code)
  })

  it('builds a table', () => {
    expect(table(['A', 'B'], [['1', '2']])).toBe('| A | B |\n| --- | --- |\n| 1 | 2 |')
  })
})
