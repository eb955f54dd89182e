/**
 * The Dockerfile argument text handling, case by case with the expected text written out: continuation
 * lines, heredocs, variable substitution (as BuildKit's shell lexer reads `$X`, `${X:-d}`, `${X-d}`,
 * `${X:+a}`, `${X+a}`, quotes and escapes: moby/buildkit frontend/dockerfile/shell/lex.go), word
 * splitting and exec form.
 */
import { describe, expect, it } from '@jest/globals'
import {
  expandVariables,
  joinArguments,
  parseJsonArray,
  splitWords,
  UNKNOWN,
  type Heredoc,
  type VariableValue,
} from '../../src/findings/dockerfile-words.js'

describe('joinArguments', () => {
  it.each<[string, string, string, string]>([
    ['one line', 'apk add curl', '\\', 'apk add curl'],
    ['a continuation keeps the text before the escape', 'apk add \\\n    curl', '\\', 'apk add     curl'],
    ['spaces after the escape still continue the line', 'a \\   \n b', '\\', 'a  b'],
    [
      'comment and empty lines inside a continuation are dropped',
      'a \\\n# note\n\n   # indented\n b',
      '\\',
      'a  b',
    ],
    ['a first line that starts with # is the argument itself', '# not a comment', '\\', '# not a comment'],
    ['a line with a trailing comment is not a comment line', 'a \\\n b # c', '\\', 'a  b # c'],
    ['a backtick escape', 'a `\nb', '`', 'a b'],
    ['a backslash with the backtick escape is text', 'C:\\dir', '`', 'C:\\dir'],
    ['CRLF line ends', 'a \\\r\nb', '\\', 'a b'],
    ['lines after the instruction ends are not joined', 'a\nb', '\\', 'a'],
    ['surrounding spaces are trimmed', '  a  ', '\\', 'a'],
    ['a three-line continuation', 'a \\\nb \\\nc', '\\', 'a b c'],
  ])('%s', (_name, raw, escape, line) => {
    expect(joinArguments(raw, escape, false)).toEqual({ line, heredocs: [] })
  })

  it.each<[string, string, string, Heredoc[]]>([
    [
      'a heredoc body',
      'cat <<EOF > /x\nline1\nline2\nEOF',
      'cat <<EOF > /x',
      [{ name: 'EOF', body: 'line1\nline2\n' }],
    ],
    ['an empty body', 'cat <<EOF\nEOF', 'cat <<EOF', [{ name: 'EOF', body: '' }]],
    [
      'a body with no terminator runs to the end',
      'cat <<EOF\nx\ny',
      'cat <<EOF',
      [{ name: 'EOF', body: 'x\ny\n' }],
    ],
    [
      'two heredocs, in order',
      'cat <<A <<B\na1\nA\nb1\nB',
      'cat <<A <<B',
      [
        { name: 'A', body: 'a1\n' },
        { name: 'B', body: 'b1\n' },
      ],
    ],
    ['a quoted marker', "cat <<'END'\n$HOME\nEND", "cat <<'END'", [{ name: 'END', body: '$HOME\n' }]],
    ['a double-quoted marker', 'cat <<"END"\nx\nEND', 'cat <<"END"', [{ name: 'END', body: 'x\n' }]],
    [
      'a marker with dots and dashes',
      'cat <<my.end-1\nx\nmy.end-1',
      'cat <<my.end-1',
      [{ name: 'my.end-1', body: 'x\n' }],
    ],
    [
      '<<- strips leading tabs from the body and the terminator',
      'cat <<-EOF\n\t\tx\n\tEOF',
      'cat <<-EOF',
      [{ name: 'EOF', body: 'x\n' }],
    ],
    [
      '<< keeps tabs, so a tab-indented terminator is body',
      'cat <<EOF\n\tx\n\tEOF\nEOF',
      'cat <<EOF',
      [{ name: 'EOF', body: '\tx\n\tEOF\n' }],
    ],
    [
      'a body starts after a continued instruction line',
      'cat <<EOF \\\n > /x\nbody\nEOF',
      'cat <<EOF  > /x',
      [{ name: 'EOF', body: 'body\n' }],
    ],
    [
      'a body keeps its empty and # lines',
      'cat <<EOF\n\n# x\nEOF',
      'cat <<EOF',
      [{ name: 'EOF', body: '\n# x\n' }],
    ],
    ['mismatched marker quotes are no heredoc', 'cat <<"EOF\'\nx', 'cat <<"EOF\'', []],
    ['a marker must start with a letter or _', 'cat <<1EOF\nx', 'cat <<1EOF', []],
  ])('%s', (_name, raw, line, heredocs) => {
    expect(joinArguments(raw, '\\', true)).toEqual({ line, heredocs })
  })

  it('reads no heredoc for an instruction that takes none', () => {
    expect(joinArguments('cat <<EOF\nx\nEOF', '\\', false)).toEqual({ line: 'cat <<EOF', heredocs: [] })
  })
})

describe('expandVariables', () => {
  const known = (value: string): VariableValue => ({ value, pattern: value })
  const scope = new Map<string, VariableValue>([
    ['A', known('x')],
    ['EMPTY', known('')],
    ['SPACED', known('a b')],
    // A build arg --build-arg may override: its default is known, its value is not.
    ['ARGV', { value: 'v', pattern: UNKNOWN }],
  ])
  const U = UNKNOWN

  it.each<[string, string, string, string]>([
    ['$A', 'plain reference', 'x', 'x'],
    ['${A}', 'braced reference', 'x', 'x'],
    ['$A_B', 'a name runs over letters, digits and _', '', U],
    ['$A-b', 'a name stops at -', 'x-b', 'x-b'],
    ['pre$A/post', 'inside text', 'prex/post', 'prex/post'],
    ['$1', 'a digit starts no name', '$1', '$1'],
    ['$', 'a lone $', '$', '$'],
    ['${', 'an unclosed brace', '${', '${'],
    ['${A', 'a reference without its brace', '${A', '${A'],
    ['${9x}', 'a braced name starting with a digit', '${9x}', '${9x}'],
    ['${A B}', 'a braced reference that is not a name', '${A B}', '${A B}'],
    ['$UNSET', 'unset: may come from the base image', '', U],
    ['${UNSET}', 'braced unset', '', U],
    ['${UNSET:-d}', ':- on unset gives the word', 'd', 'd'],
    ['${EMPTY:-d}', ':- on empty gives the word', 'd', 'd'],
    ['${A:-d}', ':- on set gives the value', 'x', 'x'],
    ['${UNSET-d}', '- on unset gives the word', 'd', 'd'],
    ['${EMPTY-d}', '- on empty gives the empty value', '', ''],
    ['${A-d}', '- on set gives the value', 'x', 'x'],
    ['${UNSET:+a}', ':+ on unset gives nothing', '', ''],
    ['${EMPTY:+a}', ':+ on empty gives nothing', '', ''],
    ['${A:+a}', ':+ on set gives the word', 'a', 'a'],
    ['${UNSET+a}', '+ on unset gives nothing', '', ''],
    ['${EMPTY+a}', '+ on empty gives the word', 'a', 'a'],
    ['${A+a}', '+ on set gives the word', 'a', 'a'],
    ['${A:-}', 'an empty word', 'x', 'x'],
    ['${UNSET:-}', 'an empty word on unset', '', ''],
    ['${UNSET:-${A}}', 'a default holding a reference', 'x', 'x'],
    ['${UNSET:-${A:-y}z}', 'a default holding a braced default', 'xz', 'xz'],
    ['${UNSET:-"q r"}', 'a default loses its quotes', 'q r', 'q r'],
    ['${UNSET:-$UNSET2}', 'a default that is unset itself', '', U],
    ['$ARGV', 'a build arg keeps its default and is unknowable', 'v', U],
    ['${ARGV:-d}', 'which branch applies to a build arg is unknowable', 'v', U],
    ['${ARGV:+a}', 'a :+ word on a build arg is unknowable', 'a', U],
    ['${ARGV+a}', 'a + word on a build arg is unknowable', 'a', U],
    ['$A$A', 'two references', 'xx', 'xx'],
    ['$SPACED', 'a value with a space', 'a b', 'a b'],
  ])('%s (%s)', (text, _name, value, pattern) => {
    expect(expandVariables(text, scope, { escapeChar: '\\', removeQuotes: true })).toEqual({ value, pattern })
  })

  it.each<[string, string, string]>([
    ["'$A'", "'$A'", '$A'],
    ['"$A"', '"x"', 'x'],
    [`"'$A'"`, `"'x'"`, "'x'"],
    [`'"$A"'`, `'"$A"'`, '"$A"'],
    ['\\$A', '$A', '$A'],
    ['\\\\$A', '\\\\x', '\\x'],
    ['\\"$A', '\\"x', '"x'],
    // The last quote opens a quote the word never closes: it is dropped, as quotes are.
    ["\\'$A'", "\\'x'", "'x"],
    ['\\a', '\\a', '\\a'],
    ['a\\', 'a\\', 'a\\'],
    ['"a b"c', '"a b"c', 'a bc'],
    ["it's", "it's", 'its'],
  ])('%s shows as %s and reads as the word %s', (text, display, word) => {
    expect(expandVariables(text, scope, { escapeChar: '\\', removeQuotes: false })).toEqual({
      value: display,
      pattern: display,
    })
    expect(expandVariables(text, scope, { escapeChar: '\\', removeQuotes: true })).toEqual({
      value: word,
      pattern: word,
    })
  })

  it('uses the escape the Dockerfile names', () => {
    expect(expandVariables('`$A \\$A', scope, { escapeChar: '`', removeQuotes: true })).toEqual({
      value: '$A \\x',
      pattern: '$A \\x',
    })
  })
})

describe('splitWords', () => {
  it.each<[string, string[]]>([
    ['', []],
    ['   ', []],
    ['a b', ['a', 'b']],
    ['  a \t b  ', ['a', 'b']],
    ['"a b" c', ['"a b"', 'c']],
    ["x='a b'y z", ["x='a b'y", 'z']],
    [`"it's a" b`, [`"it's a"`, 'b']],
    [`'say "hi" now' b`, [`'say "hi" now'`, 'b']],
    ['"unclosed a b', ['"unclosed a b']],
    ['a\nb', ['a', 'b']],
  ])('%j', (line, words) => {
    expect(splitWords(line)).toEqual(words)
  })
})

describe('parseJsonArray', () => {
  it.each<[string, string[] | undefined]>([
    ['["/bin/sh", "-c", "echo hi"]', ['/bin/sh', '-c', 'echo hi']],
    ['[]', []],
    ['["a", 1]', undefined],
    ['[not json]', undefined],
    ['{"a": 1}', undefined],
    ['echo ["a"]', undefined],
    [' ["a"]', undefined],
    ['"a"', undefined],
  ])('%s', (text, parsed) => {
    expect(parseJsonArray(text)).toEqual(parsed)
  })
})
