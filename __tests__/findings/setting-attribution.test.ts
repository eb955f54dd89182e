/**
 * Where an image setting (ENV, EXPOSE, USER, LABEL, ARG, HEALTHCHECK, …) is put, hint by hint: with a
 * history that lines up (the entry that set it decides: this Dockerfile's line, or the base image's FROM)
 * and without one (only an instruction that names the value itself is trusted). Expected lines are
 * written out against the numbered Dockerfiles below.
 */
import { describe, expect, it } from '@jest/globals'
import { attributeFindings } from '../../src/findings/attribution.js'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding, InstructionHint } from '../../src/findings/finding.js'
import type { HistoryEntry } from '../../src/target/image-types.js'
import { bareFinding } from '../helpers/gate-result-fixtures.js'

const DOCKERFILE = [
  'FROM alpine:3.19', // 1
  'ENV A=1 PATH_X=2', // 2
  'EXPOSE 8080', // 3
  'RUN make', // 4
  'USER app:grp', // 5
  'LABEL org.x="y"', // 6
  'LABEL orgAx=1', // 7
  'ARG V=1', // 8
  'HEALTHCHECK CMD curl -f x', // 9
  'ENV "QUOTED"=1', // 10
].join('\n')

/** BuildKit's history of DOCKERFILE on a base image that exposes 22 and sets two variables. */
const HISTORY: HistoryEntry[] = [
  { createdBy: '/bin/sh -c #(nop) ADD file:fe64 in / ', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop)  EXPOSE 22/tcp', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  ENV BASE_VAR=1', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  ENV LEGACY on', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  USER nobody', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', emptyLayer: true },
  { createdBy: 'ENV A=1 PATH_X=2', emptyLayer: true },
  { createdBy: 'EXPOSE map[8080/tcp:{}]', emptyLayer: true },
  { createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false },
  { createdBy: 'USER app:grp', emptyLayer: true },
  { createdBy: 'LABEL org.x=y', emptyLayer: true },
  { createdBy: 'LABEL orgAx=1', emptyLayer: true },
  { createdBy: 'ARG V=1', emptyLayer: true },
  { createdBy: 'HEALTHCHECK &{["CMD-SHELL" "curl -f x"] "0s" "0s" "0s" "0s" \'\\x00\'}', emptyLayer: true },
  { createdBy: 'ENV "QUOTED"=1', emptyLayer: true },
]

function setting(hint: InstructionHint): Finding {
  return bareFinding({
    kind: 'misconfiguration',
    ruleId: 'CSG000',
    detectedBy: ['builtin'],
    instruction: hint,
  })
}

/** The line the finding is put on and whether it is marked as the base image's. */
function placed(
  dockerfile: string,
  history: HistoryEntry[],
  hint: InstructionHint,
): [number | undefined, boolean] {
  const [out] = attributeFindings([setting(hint)], {
    history,
    layers: [],
    dockerfile: parseDockerfile(dockerfile, 'Dockerfile'),
  })
  return [out!.location?.startLine, out!.base === true]
}

describe('with a history that lines up', () => {
  it.each<[InstructionHint, number | undefined, boolean]>([
    [{ keyword: 'ENV', argument: 'A' }, 2, false],
    [{ keyword: 'ENV', argument: 'PATH_X' }, 2, false],
    [{ keyword: 'ENV', argument: 'BASE_VAR' }, 1, true],
    [{ keyword: 'ENV', argument: 'LEGACY' }, 1, true],
    [{ keyword: 'ENV', argument: 'QUOTED' }, 10, false],
    // No entry sets it and no instruction names it: it came with the base image.
    [{ keyword: 'ENV', argument: 'X' }, 1, true],
    [{ keyword: 'EXPOSE', argument: '8080' }, 3, false],
    [{ keyword: 'EXPOSE', argument: '8080/tcp' }, 3, false],
    [{ keyword: 'EXPOSE', argument: '22' }, 1, true],
    [{ keyword: 'EXPOSE', argument: '8080/udp' }, 1, true],
    [{ keyword: 'USER' }, 5, false],
    [{ keyword: 'USER', argument: '' }, 5, false],
    // The last USER entry is what the config holds, whatever it names.
    [{ keyword: 'USER', argument: 'root' }, 5, false],
    [{ keyword: 'LABEL', argument: 'org.x' }, 6, false],
    [{ keyword: 'LABEL', argument: 'orgAx' }, 7, false],
    [{ keyword: 'ARG', argument: 'V' }, 8, false],
    [{ keyword: 'HEALTHCHECK' }, 9, false],
  ])('%j is put on line %j (base: %j)', (hint, line, base) => {
    expect(placed(DOCKERFILE, HISTORY, hint)).toEqual([line, base])
  })

  it('falls back to the Dockerfile when the entry that set it belongs to no instruction', () => {
    // The builder's own entry after the build (no Dockerfile line made it) sets the variable last.
    const history = [...HISTORY, { createdBy: 'ENV A=2', emptyLayer: true }]
    expect(placed(DOCKERFILE, history, { keyword: 'ENV', argument: 'A' })).toEqual([2, false])
  })

  it('puts a value built from build args on the base image when the history says so', () => {
    const dockerfile = 'FROM alpine:3.19\nARG PORT\nEXPOSE $PORT\nRUN make'
    const history: HistoryEntry[] = [
      { createdBy: '/bin/sh -c #(nop) ADD file:fe64 in / ', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  EXPOSE 22/tcp', emptyLayer: true },
      { createdBy: 'ARG PORT', emptyLayer: true },
      { createdBy: 'EXPOSE map[9000/tcp:{}]', emptyLayer: true },
      { createdBy: 'RUN |1 PORT=9000 /bin/sh -c make # buildkit', emptyLayer: false },
    ]
    expect(placed(dockerfile, history, { keyword: 'EXPOSE', argument: '22' })).toEqual([1, true])
    expect(placed(dockerfile, history, { keyword: 'EXPOSE', argument: '9000' })).toEqual([3, false])
  })
})

describe('without a history that lines up', () => {
  const UNRELATED: HistoryEntry[] = [
    { createdBy: 'RUN /bin/sh -c something else # buildkit', emptyLayer: false },
  ]

  it.each<[string, InstructionHint, number | undefined, boolean]>([
    ['the instruction that names the variable', { keyword: 'ENV', argument: 'PATH_X' }, 2, false],
    ['the base image for a variable no instruction names', { keyword: 'ENV', argument: 'BASE_VAR' }, 1, true],
    ['the instruction that names the port', { keyword: 'EXPOSE', argument: '8080/TCP' }, 3, false],
    ['the base image for a port no instruction names', { keyword: 'EXPOSE', argument: '22' }, 1, true],
    ['the last USER when no user is named', { keyword: 'USER' }, 5, false],
    ['the USER that names the user, whatever its group', { keyword: 'USER', argument: 'app' }, 5, false],
    ['the USER that names the user and group', { keyword: 'USER', argument: 'app:other' }, 5, false],
    ['the base image for a user no USER names', { keyword: 'USER', argument: 'root' }, 1, true],
    ['the LABEL that names the key', { keyword: 'LABEL', argument: 'org.x' }, 6, false],
    ['the instruction whose words hold the value', { keyword: 'RUN', argument: 'make' }, 4, false],
    ['the base image for a keyword the stage lacks', { keyword: 'COPY' }, 1, true],
  ])('a setting goes to %s', (_name, hint, line, base) => {
    expect(placed(DOCKERFILE, UNRELATED, hint)).toEqual([line, base])
  })

  it.each<[string, InstructionHint, number | undefined, boolean]>([
    [
      'a port built from a build arg stays without a line',
      { keyword: 'EXPOSE', argument: '22' },
      undefined,
      false,
    ],
    ['a port an instruction names is still found', { keyword: 'EXPOSE', argument: '8080' }, 4, false],
    ['a value in a word after = or :', { keyword: 'RUN', argument: 'x' }, 5, false],
    ['a value in a whole word', { keyword: 'RUN', argument: 'A=x' }, 5, false],
    ['a part of a word is not the value', { keyword: 'RUN', argument: 'expo' }, 1, true],
  ])('%s', (_name, hint, line, base) => {
    const dockerfile = 'FROM alpine:3.19\nARG PORT\nEXPOSE $PORT\nEXPOSE 8080\nRUN export A=x'
    expect(placed(dockerfile, UNRELATED, hint)).toEqual([line, base])
  })

  it('puts a setting a FROM scratch stage lacks on its FROM, not marked as from a base image', () => {
    expect(placed('FROM scratch\nCOPY app /', UNRELATED, { keyword: 'USER' })).toEqual([1, false])
  })
})
