/**
 * The model parseDockerfile builds, instruction by instruction, written out whole: arguments as the
 * builder sees them (substituted only for the instructions BuildKit substitutes: moby/buildkit
 * frontend/dockerfile/instructions/parse.go, the `expansion` of each command), patterns with build args
 * unknowable, flags, properties, stages and the scope each stage sees.
 */
import { describe, expect, it } from '@jest/globals'
import { parseDockerfile, type DockerfileInstruction } from '../../src/findings/dockerfile.js'
import { UNKNOWN } from '../../src/findings/dockerfile-words.js'

const U = UNKNOWN

function instruction(
  keyword: string,
  line: number,
  stageIndex: number,
  fields: Partial<DockerfileInstruction> & { arguments: string[]; rawText: string },
): DockerfileInstruction {
  return {
    keyword,
    argumentPatterns: fields.arguments,
    text: fields.rawText,
    pattern: fields.rawText,
    flags: {},
    heredocs: [],
    startLine: line,
    endLine: line,
    stageIndex,
    ...fields,
  }
}

describe('parseDockerfile: a two-stage build', () => {
  const TEXT = [
    'ARG BASE=alpine', // 1
    'ARG TAG', // 2
    'FROM --platform=linux/amd64 ${BASE}:3.19 as Build', // 3
    'ARG TAG', // 4
    'ARG V=1', // 5
    'ENV HOME_DIR=/srv P=$V', // 6
    'RUN --mount=type=cache,target=/root/.cache --network=none make $V', // 7
    'COPY --from=Build --chown=1:1 --link a/ "${HOME_DIR}/x y"', // 8
    'ADD --chmod=755 --checksum=sha256:ab https://e.x/t.tgz /opt/', // 9
    'HEALTHCHECK --interval=5s --timeout=3s CMD curl -f http://localhost/ || exit 1', // 10
    'EXPOSE 80/udp $V', // 11
    'CMD ["run", "$V"]', // 12
    'USER ${V}:grp', // 13
    'LABEL a=b "c d"="e f"', // 14
    'FROM build AS final', // 15
    'ENV Z=${P}z', // 16
    'WORKDIR $HOME_DIR/app', // 17
    'STOPSIGNAL SIGTERM', // 18
    'RUN echo $HOME_DIR', // 19
  ].join('\n')

  it('keeps the global build args with their defaults', () => {
    expect(parseDockerfile(TEXT, 'Dockerfile').globalArgs).toStrictEqual({ BASE: 'alpine', TAG: undefined })
  })

  it('splits the stages, names them and links the one built on the other (names compare case-insensitively)', () => {
    const model = parseDockerfile(TEXT, 'Dockerfile')
    expect(
      model.stages.map(({ index, name, baseImage, baseStage }) => ({ index, name, baseImage, baseStage })),
    ).toStrictEqual([
      { index: 0, name: 'Build', baseImage: 'alpine:3.19', baseStage: undefined },
      { index: 1, name: 'final', baseImage: 'build', baseStage: 0 },
    ])
  })

  it('describes every instruction', () => {
    const model = parseDockerfile(TEXT, 'Dockerfile')
    const all = model.stages.flatMap((s) => [s.from, ...s.instructions])
    expect(all).toStrictEqual([
      instruction('FROM', 3, 0, {
        arguments: ['alpine:3.19', 'as', 'Build'],
        argumentPatterns: [`${U}:3.19`, 'as', 'Build'],
        rawText: '${BASE}:3.19 as Build',
        text: 'alpine:3.19 as Build',
        pattern: `${U}:3.19 as Build`,
        flags: { platform: 'linux/amd64' },
      }),
      instruction('ARG', 4, 0, {
        arguments: ['TAG'],
        rawText: 'TAG',
        properties: [{ name: 'TAG' }],
      }),
      instruction('ARG', 5, 0, {
        arguments: ['V=1'],
        rawText: 'V=1',
        properties: [{ name: 'V', value: { value: '1', pattern: '1' } }],
      }),
      instruction('ENV', 6, 0, {
        arguments: ['HOME_DIR=/srv', 'P=1'],
        argumentPatterns: ['HOME_DIR=/srv', `P=${U}`],
        rawText: 'HOME_DIR=/srv P=$V',
        text: 'HOME_DIR=/srv P=1',
        pattern: `HOME_DIR=/srv P=${U}`,
        properties: [
          { name: 'HOME_DIR', value: { value: '/srv', pattern: '/srv' } },
          { name: 'P', value: { value: '1', pattern: U } },
        ],
      }),
      instruction('RUN', 7, 0, {
        arguments: ['make', '1'],
        argumentPatterns: ['make', '$V'],
        rawText: 'make $V',
        text: 'make 1',
        flags: { mount: 'type=cache,target=/root/.cache', network: 'none' },
      }),
      instruction('COPY', 8, 0, {
        arguments: ['a/', '/srv/x y'],
        rawText: 'a/ "${HOME_DIR}/x y"',
        text: 'a/ "/srv/x y"',
        pattern: 'a/ "/srv/x y"',
        flags: { from: 'Build', chown: '1:1', link: '' },
      }),
      instruction('ADD', 9, 0, {
        arguments: ['https://e.x/t.tgz', '/opt/'],
        rawText: 'https://e.x/t.tgz /opt/',
        flags: { chmod: '755', checksum: 'sha256:ab' },
      }),
      instruction('HEALTHCHECK', 10, 0, {
        arguments: ['CMD', 'curl', '-f', 'http://localhost/', '||', 'exit', '1'],
        rawText: 'CMD curl -f http://localhost/ || exit 1',
        flags: { interval: '5s', timeout: '3s' },
      }),
      instruction('EXPOSE', 11, 0, {
        arguments: ['80/udp', '1'],
        argumentPatterns: ['80/udp', U],
        rawText: '80/udp $V',
        text: '80/udp 1',
        pattern: `80/udp ${U}`,
      }),
      instruction('CMD', 12, 0, {
        arguments: ['run', '1'],
        argumentPatterns: ['run', '$V'],
        rawText: '["run", "$V"]',
        text: '["run", "1"]',
        execForm: ['run', '$V'],
      }),
      instruction('USER', 13, 0, {
        arguments: ['1:grp'],
        argumentPatterns: [`${U}:grp`],
        rawText: '${V}:grp',
        text: '1:grp',
        pattern: `${U}:grp`,
      }),
      instruction('LABEL', 14, 0, {
        arguments: ['a=b', 'c d=e f'],
        rawText: 'a=b "c d"="e f"',
        properties: [
          { name: 'a', value: { value: 'b', pattern: 'b' } },
          { name: 'c d', value: { value: 'e f', pattern: 'e f' } },
        ],
      }),
      instruction('FROM', 15, 1, { arguments: ['build', 'AS', 'final'], rawText: 'build AS final' }),
      instruction('ENV', 16, 1, {
        arguments: ['Z=1z'],
        argumentPatterns: [`Z=${U}z`],
        rawText: 'Z=${P}z',
        text: 'Z=1z',
        pattern: `Z=${U}z`,
        properties: [{ name: 'Z', value: { value: '1z', pattern: `${U}z` } }],
      }),
      instruction('WORKDIR', 17, 1, {
        arguments: ['/srv/app'],
        rawText: '$HOME_DIR/app',
        text: '/srv/app',
        pattern: '/srv/app',
      }),
      instruction('STOPSIGNAL', 18, 1, { arguments: ['SIGTERM'], rawText: 'SIGTERM' }),
      instruction('RUN', 19, 1, {
        arguments: ['echo', '/srv'],
        argumentPatterns: ['echo', '$HOME_DIR'],
        rawText: 'echo $HOME_DIR',
        text: 'echo /srv',
      }),
    ])
  })
})

describe('parseDockerfile: scope', () => {
  /** The USER instruction's text and pattern after `lines`. */
  function userAfter(lines: string[]): [string, string] {
    const model = parseDockerfile([...lines, 'USER $X'].join('\n'), 'Dockerfile')
    const stage = model.stages[model.stages.length - 1]!
    const user = stage.instructions[stage.instructions.length - 1]!
    return [user.text, user.pattern]
  }

  it.each<[string, string[], [string, string]]>([
    ['an ENV value is known', ['FROM a', 'ENV X=1'], ['1', '1']],
    ['an ARG default is known, its value not', ['FROM a', 'ARG X=1'], ['1', U]],
    ['an ARG without default has the global default', ['ARG X=g', 'FROM a', 'ARG X'], ['g', U]],
    ['an ARG without any default is empty', ['FROM a', 'ARG X'], ['', U]],
    ['a global ARG is not in a stage that does not declare it', ['ARG X=g', 'FROM a'], ['', U]],
    ['a LABEL sets no variable', ['FROM a', 'LABEL X=1'], ['', U]],
    ['an ENV before the first FROM is ignored', ['ENV X=1', 'FROM a'], ['', U]],
    [
      'a stage inherits the ENV of the stage it is built on',
      ['FROM a AS one', 'ENV X=1', 'FROM one'],
      ['1', '1'],
    ],
    ['a stage does not inherit build args', ['FROM a AS one', 'ARG X=1', 'FROM one'], ['', U]],
    ['a stage does not inherit labels', ['FROM a AS one', 'LABEL X=1', 'FROM one'], ['', U]],
    ['a stage built on an image inherits nothing', ['FROM a AS one', 'ENV X=1', 'FROM b'], ['', U]],
    ['a later ENV wins', ['FROM a', 'ENV X=1', 'ENV X=2'], ['2', '2']],
  ])('%s', (_name, lines, expected) => {
    expect(userAfter(lines)).toEqual(expected)
  })

  it('keeps an escaped $ as text', () => {
    const model = parseDockerfile('FROM a\nENV A=1\nUSER \\$A', 'Dockerfile')
    const user = model.stages[0]!.instructions[1]!
    expect([user.text, user.arguments]).toEqual(['$A', ['$A']])
  })

  it('reads a global build arg in FROM with its default, unknowable', () => {
    const model = parseDockerfile('ARG TAG\nFROM alpine:${TAG}\n', 'Dockerfile')
    expect(model.stages[0]!.baseImage).toBe('alpine:')
    expect(model.stages[0]!.from.pattern).toBe(`alpine:${U}`)
  })
})

describe('parseDockerfile: stage names', () => {
  it.each<[string, string | undefined]>([
    ['FROM alpine', undefined],
    ['FROM alpine AS', undefined],
    ['FROM alpine AS base', 'base'],
    ['FROM alpine as base', 'base'],
  ])('%j is named %j', (line, name) => {
    const stage = parseDockerfile(line, 'Dockerfile').stages[0]!
    expect('name' in stage).toBe(name !== undefined)
    expect(stage.name).toBe(name)
  })

  it('has an empty base image for a FROM without arguments', () => {
    expect(parseDockerfile('FROM', 'Dockerfile').stages[0]!.baseImage).toBe('')
  })

  it('describes an instruction without arguments with empty text', () => {
    const model = parseDockerfile('FROM a\nUSER\n', 'Dockerfile')
    expect(model.stages[0]!.instructions).toStrictEqual([
      instruction('USER', 2, 0, { arguments: [], rawText: '' }),
    ])
  })
})
