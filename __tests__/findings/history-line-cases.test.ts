/**
 * History `created_by` lines read back, form by form, with the whole result written out: the classic
 * builder's `<shell> #(nop) …` and shell commands, BuildKit's `KEYWORD … # buildkit` (moby/buildkit
 * frontend/dockerfile/dockerfile2llb/convert.go, commitToHistory and runCommandString), buildah's lower-case
 * keywords, and lines in no known form.
 */
import { describe, expect, it } from '@jest/globals'
import {
  parseHistoryLine,
  parsePairs,
  splitHistoryLine,
  type HistoryInstruction,
  type HistoryLine,
  type NameValue,
} from '../../src/findings/history-line.js'

describe('splitHistoryLine', () => {
  it.each<[string, HistoryLine]>([
    ['/bin/sh -c #(nop)  ENV A=1', { keyword: 'ENV', form: 'classic', body: 'A=1' }],
    ['/bin/sh -c #(nop) ADD file:abc in / ', { keyword: 'ADD', form: 'classic', body: 'file:abc in /' }],
    ['/bin/bash -o pipefail -c #(nop) WORKDIR /app', { keyword: 'WORKDIR', form: 'classic', body: '/app' }],
    ['cmd /S /C #(nop) EXPOSE 80', { keyword: 'EXPOSE', form: 'classic', body: '80' }],
    [
      '/bin/sh -c #(nop) nonsense here',
      { keyword: '', form: 'unknown', body: '/bin/sh -c #(nop) nonsense here' },
    ],
    ['/bin/sh -c #(nop)', { keyword: '', form: 'unknown', body: '/bin/sh -c #(nop)' }],
    // A #(nop) further on is part of a command the default shell ran.
    ['/bin/sh -c echo "#(nop) x"', { keyword: 'RUN', form: 'classic', body: '/bin/sh -c echo "#(nop) x"' }],
    ['/bin/sh -c echo # a comment', { keyword: 'RUN', form: 'classic', body: '/bin/sh -c echo # a comment' }],
    ['/bin/sh -c apk add x', { keyword: 'RUN', form: 'classic', body: '/bin/sh -c apk add x' }],
    ['/bin/bash -c make', { keyword: 'RUN', form: 'classic', body: '/bin/bash -c make' }],
    ['cmd /S /C dir', { keyword: 'RUN', form: 'classic', body: 'cmd /S /C dir' }],
    ['/bin/sh -c', { keyword: 'RUN', form: 'classic', body: '/bin/sh -c' }],
    ['/bin/sh -cx make', { keyword: '', form: 'unknown', body: '/bin/sh -cx make' }],
    ['|2 A=1 B=2 /bin/sh -c make', { keyword: 'RUN', form: 'classic', body: '|2 A=1 B=2 /bin/sh -c make' }],
    ['|1 A=1 x', { keyword: 'RUN', form: 'classic', body: '|1 A=1 x' }],
    ['|x A', { keyword: '', form: 'unknown', body: '|x A' }],
    ['RUN /bin/sh -c make # buildkit', { keyword: 'RUN', form: 'keyword', body: '/bin/sh -c make' }],
    ['COPY a b #buildkit', { keyword: 'COPY', form: 'keyword', body: 'a b' }],
    ['COPY a b # buildkit  ', { keyword: 'COPY', form: 'keyword', body: 'a b' }],
    ['RUN echo a#buildkit', { keyword: 'RUN', form: 'keyword', body: 'echo a#buildkit' }],
    ['RUN echo # not buildkit', { keyword: 'RUN', form: 'keyword', body: 'echo # not buildkit' }],
    ['RUN echo # buildkit # buildkit', { keyword: 'RUN', form: 'keyword', body: 'echo # buildkit' }],
    ['# buildkit', { keyword: '', form: 'unknown', body: '# buildkit' }],
    ['run make', { keyword: 'RUN', form: 'keyword', body: 'make' }],
    ['  USER app  ', { keyword: 'USER', form: 'keyword', body: 'app' }],
    ['USER', { keyword: 'USER', form: 'keyword', body: '' }],
    ['USER\tapp', { keyword: 'USER', form: 'keyword', body: 'app' }],
    ['USERapp', { keyword: '', form: 'unknown', body: 'USERapp' }],
    ['FROBNICATE x', { keyword: '', form: 'unknown', body: 'FROBNICATE x' }],
    ['EXPOSE map[80/tcp:{}]', { keyword: 'EXPOSE', form: 'keyword', body: 'map[80/tcp:{}]' }],
    ['MAINTAINER someone', { keyword: 'MAINTAINER', form: 'keyword', body: 'someone' }],
    ['ONBUILD RUN x', { keyword: 'ONBUILD', form: 'keyword', body: 'RUN x' }],
    ['', { keyword: '', form: 'unknown', body: '' }],
  ])('%j', (createdBy, expected) => {
    expect(splitHistoryLine(createdBy)).toEqual(expected)
  })
})

describe('parseHistoryLine', () => {
  it.each<[string, HistoryInstruction]>([
    [
      'ENV A=1 B=two words',
      {
        keyword: 'ENV',
        pairs: [
          { name: 'A', value: '1' },
          { name: 'B', value: 'two words' },
        ],
        args: 'A=1 B=two words',
      },
    ],
    ['ARG TOKEN', { keyword: 'ARG', pairs: [{ name: 'TOKEN' }], args: 'TOKEN' }],
    [
      '/bin/sh -c #(nop)  ENV LEGACY some value',
      { keyword: 'ENV', pairs: [{ name: 'LEGACY', value: 'some value' }], args: 'LEGACY some value' },
    ],
    [
      'RUN |2 A=hello world B=2 /bin/sh -c make # buildkit',
      {
        keyword: 'RUN',
        pairs: [
          { name: 'A', value: 'hello world' },
          { name: 'B', value: '2' },
        ],
        args: '/bin/sh -c make',
      },
    ],
    [
      '|1 TOKEN=x /bin/sh -c npm ci',
      { keyword: 'RUN', pairs: [{ name: 'TOKEN', value: 'x' }], args: '/bin/sh -c npm ci' },
    ],
    ['RUN /bin/sh -c make # buildkit', { keyword: 'RUN', pairs: [], args: '/bin/sh -c make' }],
    ['|3 A=1', { keyword: 'RUN', pairs: [{ name: 'A', value: '1' }], args: '' }],
    [
      '|2 A=1 /bin/sh -c make',
      { keyword: 'RUN', pairs: [{ name: 'A', value: '1' }], args: '/bin/sh -c make' },
    ],
    ['|1 /bin/sh -c make', { keyword: 'RUN', pairs: [], args: '/bin/sh -c make' }],
    ['|0 /bin/sh -c make', { keyword: 'RUN', pairs: [], args: '/bin/sh -c make' }],
    ['RUN |1A=1 make', { keyword: 'RUN', pairs: [{ name: 'A', value: '1' }], args: 'make' }],
    ['RUN |1 A= make', { keyword: 'RUN', pairs: [{ name: 'A', value: '' }], args: 'make' }],
    ['USER app', { keyword: 'USER', pairs: [], args: 'app' }],
    ['something else', { keyword: '', pairs: [], args: 'something else' }],
  ])('%j', (createdBy, expected) => {
    expect(parseHistoryLine(createdBy)).toEqual(expected)
  })
})

describe('parsePairs', () => {
  it.each<[string, NameValue[]]>([
    ['', []],
    ['   ', []],
    ['A', [{ name: 'A' }]],
    ['A B', [{ name: 'A', value: 'B' }]],
    ['A  two  words ', [{ name: 'A', value: 'two  words' }]],
    ['1x y', [{ name: '1x' }, { name: 'y' }]],
    ['X Y A=1', [{ name: 'X' }, { name: 'Y' }, { name: 'A', value: '1' }]],
    [
      'A= B=2',
      [
        { name: 'A', value: '' },
        { name: 'B', value: '2' },
      ],
    ],
    ['a.b-c_1=1', [{ name: 'a.b-c_1', value: '1' }]],
    ['A=x=y', [{ name: 'A', value: 'x=y' }]],
    [
      'PATH=/usr/bin:/bin  HOME=/root ',
      [
        { name: 'PATH', value: '/usr/bin:/bin' },
        { name: 'HOME', value: '/root' },
      ],
    ],
    ['  A=1', [{ name: 'A', value: '1' }]],
    [
      'A=1\tB=2',
      [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    ],
    ['9A=1', [{ name: '9A=1' }]],
  ])('%j', (text, pairs) => {
    expect(parsePairs(text)).toEqual(pairs)
  })
})
