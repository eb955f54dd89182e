/**
 * attributeFindings on layer findings and on what surrounds the line lookup, with the result written out
 * whole: which layer goes to which line (base image layers to FROM, layers no history entry records, layers
 * out of order, multi-stage chains, SHELL and WORKDIR tracking), the base mark, `createdBy` filled in from
 * the layer list, the location path, and what is left alone.
 */
import { describe, expect, it } from '@jest/globals'
import { attributeFindings, type AttributionOptions } from '../../src/findings/attribution.js'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding, InstructionHint, LayerRef } from '../../src/findings/finding.js'
import type { HistoryEntry, LayerInfo } from '../../src/target/image-types.js'
import { bareFinding } from '../helpers/gate-result-fixtures.js'

const onLayer = (diffId: string, extra: Partial<LayerRef> = {}): Finding =>
  bareFinding({ layer: { diffId, ...extra } })
const setting = (hint: InstructionHint): Finding =>
  bareFinding({ kind: 'misconfiguration', instruction: hint })
const layer = (index: number, diffId: string, createdBy?: string): LayerInfo =>
  createdBy === undefined ? { index, diffId } : { index, diffId, createdBy }
const entry = (createdBy: string, emptyLayer = false): HistoryEntry => ({ createdBy, emptyLayer })

/** Where each finding went: its location's path and lines, and whether it is marked as the base image's. */
function placements(findings: Finding[], options: AttributionOptions): unknown[] {
  return attributeFindings(findings, options).map((f) =>
    f.location === undefined ? { base: f.base === true } : { ...f.location, base: f.base === true },
  )
}

const BASE: HistoryEntry[] = [
  entry('/bin/sh -c #(nop) ADD file:fe64 in / '),
  entry('/bin/sh -c #(nop)  CMD ["/bin/sh"]', true),
]

describe('layer findings', () => {
  const dockerfile = parseDockerfile('FROM alpine:3.19\nRUN apk add curl\nCOPY app /app\n', 'Dockerfile')
  const history = [
    ...BASE,
    entry('RUN /bin/sh -c apk add curl # buildkit'),
    entry('COPY app /app # buildkit'),
  ]

  it('puts base layers on FROM (marked base) and the build layers on their lines', () => {
    const layers = [layer(0, 'sha256:base'), layer(1, 'sha256:run'), layer(2, 'sha256:copy')]
    expect(
      placements(
        [onLayer('sha256:base'), onLayer('sha256:run'), onLayer('sha256:copy'), onLayer('sha256:other')],
        {
          history,
          layers,
          dockerfile,
        },
      ),
    ).toEqual([
      { path: 'Dockerfile', startLine: 1, endLine: 1, base: true },
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
      { path: 'Dockerfile', startLine: 3, endLine: 3, base: false },
      { base: false },
    ])
  })

  it('orders layers by their index, not by the order they are listed in', () => {
    const layers = [layer(2, 'sha256:copy'), layer(0, 'sha256:base'), layer(1, 'sha256:run')]
    expect(
      placements([onLayer('sha256:run'), onLayer('sha256:copy')], { history, layers, dockerfile }),
    ).toEqual([
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
      { path: 'Dockerfile', startLine: 3, endLine: 3, base: false },
    ])
  })

  it('gives the bottom layers no history entry records to the base image', () => {
    const layers = [
      layer(0, 'sha256:imported'),
      layer(1, 'sha256:base'),
      layer(2, 'sha256:run'),
      layer(3, 'sha256:copy'),
    ]
    expect(
      placements([onLayer('sha256:imported'), onLayer('sha256:base'), onLayer('sha256:run')], {
        history,
        layers,
        dockerfile,
      }),
    ).toEqual([
      { path: 'Dockerfile', startLine: 1, endLine: 1, base: true },
      { path: 'Dockerfile', startLine: 1, endLine: 1, base: true },
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
    ])
  })

  it('places no layer when the history records more layers than the image has', () => {
    const layers = [layer(0, 'sha256:run'), layer(1, 'sha256:copy')]
    expect(
      placements([onLayer('sha256:run'), onLayer('sha256:copy')], { history, layers, dockerfile }),
    ).toEqual([{ base: false }, { base: false }])
  })

  it("does not mark a FROM scratch image's first layer as a base image layer", () => {
    const scratch = parseDockerfile('FROM scratch\nCOPY app /app\n', 'Dockerfile')
    expect(
      placements([onLayer('sha256:copy')], {
        history: [entry('COPY app /app # buildkit')],
        layers: [layer(0, 'sha256:copy')],
        dockerfile: scratch,
      }),
    ).toEqual([{ path: 'Dockerfile', startLine: 2, endLine: 2, base: false }])
  })

  it('follows the stages the final stage is built on', () => {
    const chained = parseDockerfile(
      'FROM alpine:3.19 AS base\nRUN apk add curl\nFROM base\nCOPY app /app\n',
      'Dockerfile',
    )
    const layers = [layer(0, 'sha256:base'), layer(1, 'sha256:run'), layer(2, 'sha256:copy')]
    expect(
      placements([onLayer('sha256:base'), onLayer('sha256:run'), onLayer('sha256:copy')], {
        history,
        layers,
        dockerfile: chained,
      }),
    ).toEqual([
      { path: 'Dockerfile', startLine: 1, endLine: 1, base: true },
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
      { path: 'Dockerfile', startLine: 4, endLine: 4, base: false },
    ])
  })

  it('strips the shell a SHELL instruction set from the recorded RUN', () => {
    const withShell = parseDockerfile(
      'FROM alpine:3.19\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN make\n',
      'Dockerfile',
    )
    expect(
      placements([onLayer('sha256:run')], {
        history: [
          ...BASE,
          entry('SHELL [/bin/bash -o pipefail -c]', true),
          entry('RUN /bin/bash -o pipefail -c make # buildkit'),
        ],
        layers: [layer(0, 'sha256:base'), layer(1, 'sha256:run')],
        dockerfile: withShell,
      }),
    ).toEqual([{ path: 'Dockerfile', startLine: 3, endLine: 3, base: false }])
  })

  it('resolves a relative WORKDIR against the one before it', () => {
    const workdirs = parseDockerfile(
      'FROM alpine:3.19\nWORKDIR /srv/x\nWORKDIR ../app\nRUN make\n',
      'Dockerfile',
    )
    expect(
      placements([onLayer('sha256:workdir'), onLayer('sha256:run')], {
        history: [
          ...BASE,
          entry('WORKDIR /srv/x'),
          entry('WORKDIR /srv/app'),
          entry('RUN /bin/sh -c make # buildkit'),
        ],
        layers: [
          layer(0, 'sha256:base'),
          layer(1, 'sha256:x'),
          layer(2, 'sha256:workdir'),
          layer(3, 'sha256:run'),
        ],
        dockerfile: workdirs,
      }),
    ).toEqual([
      { path: 'Dockerfile', startLine: 3, endLine: 3, base: false },
      { path: 'Dockerfile', startLine: 4, endLine: 4, base: false },
    ])
  })

  it('leaves a finding the scanner already placed where it is, and everything without a Dockerfile', () => {
    const placed = bareFinding({
      layer: { diffId: 'sha256:run' },
      location: { path: 'Dockerfile', startLine: 9 },
    })
    const layers = [layer(0, 'sha256:base'), layer(1, 'sha256:run'), layer(2, 'sha256:copy')]
    expect(placements([placed], { history, layers, dockerfile })).toEqual([
      { path: 'Dockerfile', startLine: 9, base: false },
    ])
    expect(placements([onLayer('sha256:run'), setting({ keyword: 'USER' })], { history, layers })).toEqual([
      { base: false },
      { base: false },
    ])
  })
})

describe('createdBy and path', () => {
  it("fills in a layer finding's createdBy from the layer list, and keeps one it has", () => {
    const out = attributeFindings(
      [
        onLayer('sha256:a'),
        onLayer('sha256:b', { createdBy: 'kept' }),
        onLayer('sha256:c'),
        onLayer('sha256:d'),
      ],
      {
        history: [],
        layers: [layer(0, 'sha256:a', 'RUN make'), layer(1, 'sha256:b', 'other'), layer(2, 'sha256:c', '')],
      },
    )
    expect(out.map((f) => f.layer)).toStrictEqual([
      { diffId: 'sha256:a', createdBy: 'RUN make' },
      { diffId: 'sha256:b', createdBy: 'kept' },
      { diffId: 'sha256:c' },
      { diffId: 'sha256:d' },
    ])
  })

  it('writes locations with dockerfilePath when given, else the path the model was parsed with', () => {
    const dockerfile = parseDockerfile('FROM alpine:3.19\nUSER app\n', 'build/Dockerfile')
    const history = [...BASE, entry('USER app', true)]
    const options = { history, layers: [], dockerfile }
    expect(placements([setting({ keyword: 'USER' })], options)).toEqual([
      { path: 'build/Dockerfile', startLine: 2, endLine: 2, base: false },
    ])
    expect(
      placements([setting({ keyword: 'USER' })], { ...options, dockerfilePath: 'app/Dockerfile' }),
    ).toEqual([{ path: 'app/Dockerfile', startLine: 2, endLine: 2, base: false }])
  })
})

describe('setting findings', () => {
  const chained = parseDockerfile(
    'FROM alpine:3.19 AS base\nEXPOSE 8080\nFROM base\nRUN make\n',
    'Dockerfile',
  )
  const history = [
    ...BASE,
    entry('/bin/sh -c #(nop)  EXPOSE 22/tcp', true),
    entry('EXPOSE map[8080/tcp:{}]', true),
    entry('RUN /bin/sh -c make # buildkit'),
  ]
  const layers = [layer(0, 'sha256:base'), layer(1, 'sha256:run')]

  it("puts something the final stage lacks on the final stage's FROM, not marked base", () => {
    expect(placements([setting({ keyword: 'FROM' })], { history, layers, dockerfile: chained })).toEqual([
      { path: 'Dockerfile', startLine: 3, endLine: 3, base: false },
    ])
  })

  it("marks a setting the base image brought as base, on the chain's first FROM", () => {
    expect(
      placements(
        [setting({ keyword: 'EXPOSE', argument: '22' }), setting({ keyword: 'EXPOSE', argument: '8080' })],
        {
          history,
          layers,
          dockerfile: chained,
        },
      ),
    ).toEqual([
      { path: 'Dockerfile', startLine: 1, endLine: 1, base: true },
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
    ])
  })

  it('places a setting that also names a layer nobody claims by its instruction', () => {
    const both = bareFinding({
      layer: { diffId: 'sha256:unknown' },
      instruction: { keyword: 'EXPOSE', argument: '8080' },
    })
    expect(placements([both], { history, layers, dockerfile: chained })).toEqual([
      { path: 'Dockerfile', startLine: 2, endLine: 2, base: false },
    ])
  })

  it('gives a setting no location when nothing can be said, and no location key', () => {
    const dockerfile = parseDockerfile('FROM alpine:3.19\nARG PORT\nEXPOSE $PORT\nRUN make\n', 'Dockerfile')
    const [out] = attributeFindings([setting({ keyword: 'EXPOSE', argument: '22' })], {
      history: [entry('RUN /bin/sh -c unrelated # buildkit')],
      layers: [],
      dockerfile,
    })
    expect(out).not.toHaveProperty('location')
    expect(out).not.toHaveProperty('base')
  })
})
