import { beforeEach, describe, expect, it } from '@jest/globals'
import { finalFromLine, parseDockerfile } from '../../src/findings/dockerfile.js'

const MULTI_STAGE = [
  '# syntax=docker/dockerfile:1', // 1
  'ARG BASE=alpine:3.19', // 2
  'ARG GO_VERSION', // 3
  'FROM golang:1.22 AS build', // 4
  'WORKDIR /src', // 5
  'COPY . .', // 6
  'RUN go build -o /out/app ./cmd \\', // 7
  '    # a comment inside the continuation', // 8
  '', // 9
  '    && echo done', // 10
  '', // 11
  'FROM ${BASE} AS final', // 12
  'ARG VERSION=1.0', // 13
  'ENV APP_HOME=/app PATH=/usr/local/bin:$PATH GREETING="hello world"', // 14
  'ENV LABEL_VERSION=${VERSION:-0} EMPTY_DEFAULT=${UNSET:-fallback}', // 15
  'RUN apk add --no-cache \\', // 16
  '      curl=8.5.0-r0 \\', // 17
  '      openssl', // 18
  'COPY --from=build --chown=app:app /out/app ${APP_HOME}/app', // 19
  'RUN <<EOF', // 20
  'set -e', // 21
  'echo hello > /tmp/x', // 22
  'EOF', // 23
  'COPY <<-EOT /etc/motd', // 24
  '\thi there', // 25
  'EOT', // 26
  'EXPOSE 22/tcp 80', // 27
  'USER app:app', // 28
  'HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1', // 29
  'CMD ["/app/app", "--version=${VERSION}"]', // 30
  '',
].join('\n')

describe('parseDockerfile', () => {
  // Parsed per test (not while jest collects the tests), so a mutation run knows which tests reach which code.
  let model: ReturnType<typeof parseDockerfile>
  beforeEach(() => {
    model = parseDockerfile(MULTI_STAGE, 'docker/Dockerfile')
  })

  it('splits stages with their names, base images and FROM lines', () => {
    expect(model.path).toBe('docker/Dockerfile')
    expect(model.stages.map((s) => [s.name, s.baseImage, s.from.startLine])).toEqual([
      ['build', 'golang:1.22', 4],
      ['final', 'alpine:3.19', 12],
    ])
    expect(model.globalArgs).toEqual({ BASE: 'alpine:3.19', GO_VERSION: undefined })
  })

  it.each([
    // keyword, startLine, endLine, stage, arguments
    ['WORKDIR', 5, 5, 0, ['/src']],
    ['COPY', 6, 6, 0, ['.', '.']],
    ['RUN', 7, 10, 0, ['go', 'build', '-o', '/out/app', './cmd', '&&', 'echo', 'done']],
    ['ARG', 13, 13, 1, ['VERSION=1.0']],
    ['RUN', 16, 18, 1, ['apk', 'add', '--no-cache', 'curl=8.5.0-r0', 'openssl']],
    ['COPY', 19, 19, 1, ['/out/app', '/app/app']],
    ['RUN', 20, 23, 1, ['<<EOF']],
    ['COPY', 24, 26, 1, ['<<-EOT', '/etc/motd']],
    ['EXPOSE', 27, 27, 1, ['22/tcp', '80']],
    ['USER', 28, 28, 1, ['app:app']],
    ['HEALTHCHECK', 29, 29, 1, ['CMD', 'curl', '-f', 'http://localhost/', '||', 'exit', '1']],
    ['CMD', 30, 30, 1, ['/app/app', '--version=1.0']],
  ])('%s at line %i..%i (stage %i) has arguments %j', (keyword, start, end, stage, args) => {
    const all = model.stages.flatMap((s) => s.instructions)
    const found = all.find((i) => i.keyword === keyword && i.startLine === start)
    expect(found).toBeDefined()
    expect(found?.endLine).toBe(end)
    expect(found?.stageIndex).toBe(stage)
    expect(found?.arguments).toEqual(args)
  })

  it('drops comment and empty lines inside a continuation from the argument text', () => {
    const run = model.stages[0]!.instructions.find((i) => i.keyword === 'RUN')!
    expect(run.rawText).toBe('go build -o /out/app ./cmd && echo done')
  })

  it('keeps flags apart: COPY --from and --chown', () => {
    const copy = model.stages[1]!.instructions.find((i) => i.keyword === 'COPY')!
    expect(copy.flags).toEqual({ from: 'build', chown: 'app:app' })
  })

  it('substitutes ARG and ENV values, ${X:-default}, and quotes', () => {
    const envs = model.stages[1]!.instructions.filter((i) => i.keyword === 'ENV')
    const values = envs.flatMap((e) => e.properties!.map((p) => [p.name, p.value?.value]))
    expect(values).toEqual([
      ['APP_HOME', '/app'],
      ['PATH', '/usr/local/bin:'],
      ['GREETING', 'hello world'],
      ['LABEL_VERSION', '1.0'],
      ['EMPTY_DEFAULT', 'fallback'],
    ])
  })

  it('separates heredoc bodies (and strips tabs for <<-)', () => {
    const final = model.stages[1]!.instructions
    expect(final.find((i) => i.startLine === 20)?.heredocs).toEqual([
      { name: 'EOF', body: 'set -e\necho hello > /tmp/x\n' },
    ])
    expect(final.find((i) => i.startLine === 24)?.heredocs).toEqual([{ name: 'EOT', body: 'hi there\n' }])
  })

  it('reads exec form as JSON', () => {
    const cmd = model.stages[1]!.instructions.find((i) => i.keyword === 'CMD')!
    expect(cmd.execForm).toEqual(['/app/app', '--version=${VERSION}'])
  })

  it('honours the Windows escape directive (backtick continuations, backslashes in paths)', () => {
    const windows = parseDockerfile(
      [
        '# escape=`',
        'FROM mcr.microsoft.com/windows/servercore:ltsc2022',
        'RUN echo one `',
        '    two',
        'COPY app C:\\app\\',
      ].join('\n'),
      'Dockerfile',
    )
    expect(windows.escapeChar).toBe('`')
    const [run, copy] = windows.stages[0]!.instructions
    expect([run?.rawText, run?.startLine, run?.endLine]).toEqual(['echo one two', 3, 4])
    expect(copy?.arguments).toEqual(['app', 'C:\\app\\'])
  })

  it('tolerates odd input: empty file, instructions before FROM, unknown instructions', () => {
    expect(parseDockerfile('', 'Dockerfile').stages).toEqual([])
    const odd = parseDockerfile('RUN echo orphan\nFROM scratch\nFOO bar\nCOPY a /a\n', 'Dockerfile')
    expect(odd.stages).toHaveLength(1)
    expect(odd.stages[0]!.instructions.map((i) => i.keyword)).toEqual(['FOO', 'COPY'])
  })

  it('inherits the environment of the stage it is built on', () => {
    const derived = parseDockerfile(
      'FROM alpine AS base\nENV DIR=/srv\nFROM base\nWORKDIR $DIR/app\n',
      'Dockerfile',
    )
    expect(derived.stages[1]!.baseStage).toBe(0)
    expect(derived.stages[1]!.instructions[0]!.arguments).toEqual(['/srv/app'])
  })
})

describe('finalFromLine', () => {
  it('is the FROM line of the last stage', () => {
    const model = parseDockerfile(
      'FROM node:20 AS build\nRUN make\n\nFROM node:20-alpine\nUSER app\n',
      'Dockerfile',
    )
    expect(finalFromLine(model)).toEqual({ path: 'Dockerfile', startLine: 4, endLine: 4 })
  })

  it('spans a FROM continued over lines', () => {
    const model = parseDockerfile('FROM \\\n  alpine:3.19\nUSER app\n', 'docker/Dockerfile')
    expect(finalFromLine(model)).toEqual({ path: 'docker/Dockerfile', startLine: 1, endLine: 2 })
  })

  it('is undefined without a stage', () => {
    expect(finalFromLine(parseDockerfile('', 'Dockerfile'))).toBeUndefined()
    expect(finalFromLine(parseDockerfile('ARG A=1\n', 'Dockerfile'))).toBeUndefined()
  })
})
