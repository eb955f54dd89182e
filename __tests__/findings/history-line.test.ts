import { describe, it, expect } from '@jest/globals'
import { parseHistoryLine, parsePairs, splitHistoryLine } from '../../src/findings/history-line.js'

describe('parseHistoryLine', () => {
  it.each([
    {
      line: '/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin LANG=C.UTF-8',
      keyword: 'ENV',
      pairs: [
        { name: 'PATH', value: '/usr/local/bin:/usr/bin' },
        { name: 'LANG', value: 'C.UTF-8' },
      ],
    },
    {
      line: '/bin/sh -c #(nop) ADD file:5a707b9d6cb5fff532e4c2141bc35707593f21da5528c9e71ae2ddb6ba4a4eb6 in / ',
      keyword: 'ADD',
      args: 'file:5a707b9d6cb5fff532e4c2141bc35707593f21da5528c9e71ae2ddb6ba4a4eb6 in /',
    },
    {
      line: '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
      keyword: 'CMD',
      args: '["/bin/sh"]',
    },
    {
      line: '/bin/sh -c apt-get update && apt-get install -y curl',
      keyword: 'RUN',
      pairs: [],
      args: '/bin/sh -c apt-get update && apt-get install -y curl',
    },
    {
      line: '|2 NPM_TOKEN=abc123 NODE_ENV=production /bin/sh -c npm ci',
      keyword: 'RUN',
      pairs: [
        { name: 'NPM_TOKEN', value: 'abc123' },
        { name: 'NODE_ENV', value: 'production' },
      ],
      args: '/bin/sh -c npm ci',
    },
    {
      line: 'RUN |1 DEBIAN_FRONTEND=noninteractive /bin/sh -c apt update -y # buildkit',
      keyword: 'RUN',
      pairs: [{ name: 'DEBIAN_FRONTEND', value: 'noninteractive' }],
      args: '/bin/sh -c apt update -y',
    },
    {
      line: 'RUN /bin/sh -c npm ci # buildkit',
      keyword: 'RUN',
      pairs: [],
      args: '/bin/sh -c npm ci',
    },
    { line: 'ARG PYTHON_IMAGE', keyword: 'ARG', pairs: [{ name: 'PYTHON_IMAGE' }] },
    { line: 'ARG CUDA_VERSION=12.4.1', keyword: 'ARG', pairs: [{ name: 'CUDA_VERSION', value: '12.4.1' }] },
    {
      line: 'ENV JAVA_OPTS=-Xmx1g -Dfile.encoding=UTF-8',
      keyword: 'ENV',
      pairs: [{ name: 'JAVA_OPTS', value: '-Xmx1g -Dfile.encoding=UTF-8' }],
    },
    {
      line: 'ADD https://github.com/coredns/coredns/releases/download/v1.6.2/coredns.tgz /coredns.tgz # buildkit',
      keyword: 'ADD',
      args: 'https://github.com/coredns/coredns/releases/download/v1.6.2/coredns.tgz /coredns.tgz',
    },
    { line: 'EXPOSE map[3000/tcp:{}]', keyword: 'EXPOSE', args: 'map[3000/tcp:{}]' },
    { line: 'USER node', keyword: 'USER', args: 'node' },
    // Not a Dockerfile form (jib, bazel, ...): the whole line is the text to look at.
    { line: 'jib-maven-plugin:3.4.0', keyword: '', args: 'jib-maven-plugin:3.4.0' },
    { line: '', keyword: '', args: '' },
  ])('reads $line', ({ line, ...expected }) => {
    expect(parseHistoryLine(line)).toMatchObject(expected)
  })

  it('reads the classic ENV NAME value form as one pair', () => {
    expect(parsePairs('GREETING hello world')).toEqual([{ name: 'GREETING', value: 'hello world' }])
  })

  it('keeps names without a value before the first pair', () => {
    expect(parsePairs('A B=1')).toEqual([{ name: 'A' }, { name: 'B', value: '1' }])
  })

  it('stops at a build-argument count larger than what follows', () => {
    expect(parseHistoryLine('|3 A=1 /bin/sh -c true')).toMatchObject({
      keyword: 'RUN',
      pairs: [{ name: 'A', value: '1' }],
      args: '/bin/sh -c true',
    })
  })
})

describe('splitHistoryLine', () => {
  it.each([
    // The `#(nop)` prefix is the shell in force: SHELL changes it, Windows images use cmd.
    ['/bin/bash -o pipefail -c #(nop)  ENV A=1', 'ENV', 'classic', 'A=1'],
    ['cmd /S /C #(nop) WORKDIR C:\\app', 'WORKDIR', 'classic', 'C:\\app'],
    // buildah writes the instruction as the Dockerfile spells it.
    ['/bin/sh -c #(nop) env GREETING=hi', 'ENV', 'classic', 'GREETING=hi'],
    ['cmd /S /C dir', 'RUN', 'classic', 'cmd /S /C dir'],
    // `#(nop)` further on in a classic RUN is part of its command, not metadata.
    ['/bin/sh -c echo #(nop) ENV A=1', 'RUN', 'classic', '/bin/sh -c echo #(nop) ENV A=1'],
    ['|1 A=1 /bin/sh -c echo #(nop) ENV B=2', 'RUN', 'classic', '|1 A=1 /bin/sh -c echo #(nop) ENV B=2'],
    ['/bin/sh -c #(nop) FROBNICATE x', '', 'unknown', '/bin/sh -c #(nop) FROBNICATE x'],
    ['RUN /bin/sh -c make #buildkit', 'RUN', 'keyword', '/bin/sh -c make'],
    ['RUN /bin/sh -c echo a#buildkit', 'RUN', 'keyword', '/bin/sh -c echo a#buildkit'],
    ['powershell -Command Install-Module x', '', 'unknown', 'powershell -Command Install-Module x'],
  ])('%j → %s (%s) %j', (line, keyword, form, body) => {
    expect(splitHistoryLine(line)).toEqual({ keyword, form, body })
  })
})
