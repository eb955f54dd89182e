/** Attribution marks findings `base` only when they came with the final stage's base image. */
import { describe, expect, it } from '@jest/globals'
import { attributeFindings } from '../../src/findings/attribution.js'
import { baseImageOf } from '../../src/findings/base-image.js'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding, InstructionHint } from '../../src/findings/finding.js'
import type { HistoryEntry, LayerInfo } from '../../src/target/image-types.js'

const DOCKERFILE = [
  'ARG BASE=alpine:3.19', // 1
  'FROM ${BASE} AS runtime', // 2
  'RUN apk add --no-cache curl', // 3
  'FROM runtime', // 4
  'EXPOSE 8080', // 5
].join('\n')

const HISTORY: HistoryEntry[] = [
  {
    createdBy: '/bin/sh -c #(nop) ADD file:fe64057fbb83dccb960efabbf1cd8777920ef279a7fa8 in / ',
    emptyLayer: false,
  },
  { createdBy: '/bin/sh -c #(nop)  EXPOSE 22/tcp', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', emptyLayer: true },
  { createdBy: 'RUN /bin/sh -c apk add --no-cache curl # buildkit', emptyLayer: false },
  { createdBy: 'EXPOSE map[8080/tcp:{}]', emptyLayer: true },
]
const LAYERS: LayerInfo[] = [
  { index: 0, diffId: 'sha256:base' },
  { index: 1, diffId: 'sha256:apk' },
]

function finding(ruleId: string, extra: Partial<Finding>): Finding {
  return {
    kind: 'vulnerability',
    ruleId,
    aliases: [],
    title: ruleId,
    description: '',
    severity: 'high',
    detectedBy: ['trivy'],
    target: 'app:ci',
    references: [],
    ...extra,
  }
}
const hinted = (ruleId: string, instruction: InstructionHint): Finding =>
  finding(ruleId, { kind: 'misconfiguration', instruction })

const FINDINGS: Finding[] = [
  finding('CVE-BASE', { layer: { diffId: 'sha256:base' } }),
  finding('CVE-CURL', { layer: { diffId: 'sha256:apk' } }),
  hinted('CSG-SSH', { keyword: 'EXPOSE', argument: '22' }),
  hinted('CSG-PORT', { keyword: 'EXPOSE', argument: '8080' }),
  // Something missing from the final stage points at FROM, but adding it is this Dockerfile's job.
  hinted('CSG-NO-HEALTHCHECK', { keyword: 'FROM' }),
  // A linter's own location on the FROM line is about the line, not the base image's content.
  finding('DL3006', {
    kind: 'misconfiguration',
    detectedBy: ['hadolint'],
    location: { path: 'Dockerfile', startLine: 2 },
  }),
]

const marks = (out: Finding[]): Record<string, [number | undefined, boolean | undefined]> =>
  Object.fromEntries(out.map((f) => [f.ruleId, [f.location?.startLine, f.base]]))

describe('base marks from attribution', () => {
  const model = parseDockerfile(DOCKERFILE, 'Dockerfile')

  it('marks the base layer and the base image settings, through the stage chain', () => {
    const out = attributeFindings(FINDINGS, { history: HISTORY, layers: LAYERS, dockerfile: model })
    expect(marks(out)).toEqual({
      'CVE-BASE': [2, true],
      'CVE-CURL': [3, undefined],
      'CSG-SSH': [2, true],
      'CSG-PORT': [5, undefined],
      'CSG-NO-HEALTHCHECK': [4, undefined],
      DL3006: [2, undefined],
    })
  })

  it('marks nothing without a Dockerfile (imported reports, no attribution): those findings gate', () => {
    const out = attributeFindings(FINDINGS, { history: HISTORY, layers: LAYERS })
    expect(out.filter((f) => f.base !== undefined)).toEqual([])
  })

  it('marks nothing when the history does not line up with the Dockerfile', () => {
    const other = HISTORY.map((h) =>
      h.createdBy.includes('curl') ? { ...h, createdBy: 'RUN /bin/sh -c make # buildkit' } : h,
    )
    const out = attributeFindings(FINDINGS.slice(0, 2), { history: other, layers: LAYERS, dockerfile: model })
    expect(out.map((f) => f.base)).toEqual([undefined, undefined])
  })

  it('marks nothing for FROM scratch: no base image brought anything', () => {
    const scratch = parseDockerfile('FROM scratch\nCOPY app /app\n', 'Dockerfile')
    const out = attributeFindings([hinted('CSG-SSH', { keyword: 'EXPOSE', argument: '22' })], {
      history: [],
      layers: [],
      dockerfile: scratch,
    })
    expect(out[0]?.base).toBeUndefined()
  })

  it.each([
    [DOCKERFILE, { image: 'alpine:3.19', location: { path: 'Dockerfile', startLine: 2, endLine: 2 } }],
    ['FROM scratch\nCOPY a /a', undefined],
    [
      'FROM golang:1.22 AS build\nRUN make\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /a /a',
      {
        image: 'gcr.io/distroless/static:nonroot',
        location: { path: 'Dockerfile', startLine: 3, endLine: 3 },
      },
    ],
  ])('baseImageOf %j', (text, expected) => {
    expect(baseImageOf(parseDockerfile(text, 'Dockerfile'))).toEqual(expected)
  })
})
