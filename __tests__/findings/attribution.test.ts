import { beforeEach, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { attributeFindings } from '../../src/findings/attribution.js'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding, InstructionHint } from '../../src/findings/finding.js'
import type { HistoryEntry, LayerInfo } from '../../src/target/image-types.js'

const DOCKERFILE = [
  'ARG ALPINE=3.19', // 1
  'FROM golang:1.22 AS build', // 2
  'WORKDIR /src', // 3
  'COPY . .', // 4
  'RUN go build -o /out/app ./cmd', // 5
  '', // 6
  'FROM alpine:${ALPINE}', // 7
  'ARG VERSION=1.0', // 8
  'ENV APP_HOME=/app PATH=/usr/local/bin:$PATH', // 9
  'RUN apk add --no-cache \\', // 10
  '      curl \\', // 11
  '      openssl', // 12
  'COPY --from=build /out/app ${APP_HOME}/app', // 13
  'RUN <<EOF', // 14
  'set -e', // 15
  'adduser -D app', // 16
  'EOF', // 17
  'WORKDIR /app', // 18
  'EXPOSE 8080', // 19
  'LABEL org.opencontainers.image.title="My app"', // 20
  'HEALTHCHECK --interval=30s CMD wget -q -O- http://localhost:8080/ || exit 1', // 21
  'USER app', // 22
  'CMD ["/app/app", "serve"]', // 23
].join('\n')

const BASE_HISTORY: HistoryEntry[] = [
  {
    createdBy: '/bin/sh -c #(nop) ADD file:fe64057fbb83dccb960efabbf1cd8777920ef279a7fa8 in / ',
    emptyLayer: false,
  },
  { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', emptyLayer: true },
]

const BUILDKIT_HISTORY: HistoryEntry[] = [
  ...BASE_HISTORY,
  { createdBy: 'ARG VERSION=1.0', emptyLayer: true },
  { createdBy: 'ENV APP_HOME=/app PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/bin', emptyLayer: true },
  {
    createdBy: 'RUN |1 VERSION=1.0 /bin/sh -c apk add --no-cache       curl       openssl # buildkit',
    emptyLayer: false,
  },
  { createdBy: 'COPY /out/app /app/app # buildkit', emptyLayer: false },
  { createdBy: 'RUN |1 VERSION=1.0 /bin/sh -c set -e\nadduser -D app\n # buildkit', emptyLayer: false },
  { createdBy: 'WORKDIR /app', emptyLayer: false },
  { createdBy: 'EXPOSE map[8080/tcp:{}]', emptyLayer: true },
  { createdBy: 'LABEL org.opencontainers.image.title=My app', emptyLayer: true },
  {
    createdBy:
      'HEALTHCHECK &{["CMD-SHELL" "wget -q -O- http://localhost:8080/ || exit 1"] "30s" "0s" "0s" "0s" \'\\x00\'}',
    emptyLayer: true,
  },
  { createdBy: 'USER app', emptyLayer: true },
  { createdBy: 'CMD ["/app/app" "serve"]', emptyLayer: true },
]

const CLASSIC_HISTORY: HistoryEntry[] = [
  ...BASE_HISTORY,
  { createdBy: '/bin/sh -c #(nop)  ARG VERSION=1.0', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  ENV APP_HOME=/app PATH=/usr/local/bin:/usr/bin:/bin', emptyLayer: true },
  { createdBy: '|1 VERSION=1.0 /bin/sh -c apk add --no-cache       curl       openssl', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop) COPY file:0123456789abcdef in /app/app ', emptyLayer: false },
  { createdBy: '|1 VERSION=1.0 /bin/sh -c set -e\nadduser -D app\n', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop) WORKDIR /app', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop)  EXPOSE 8080/tcp', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  LABEL org.opencontainers.image.title=My app', emptyLayer: true },
  {
    createdBy:
      '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "wget -q -O- http://localhost:8080/ || exit 1"] "30s" "0s" "0s" \'\\x00\'}',
    emptyLayer: true,
  },
  { createdBy: '/bin/sh -c #(nop)  USER app', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  CMD ["/app/app" "serve"]', emptyLayer: true },
]

const LAYERS: LayerInfo[] = [
  { index: 0, diffId: 'sha256:base' },
  { index: 1, diffId: 'sha256:apk', createdBy: 'RUN |1 VERSION=1.0 /bin/sh -c apk add … # buildkit' },
  { index: 2, diffId: 'sha256:copy' },
  { index: 3, diffId: 'sha256:heredoc' },
  { index: 4, diffId: 'sha256:workdir' },
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

const inLayer = (ruleId: string, diffId: string): Finding => finding(ruleId, { layer: { diffId } })
const hinted = (ruleId: string, instruction: InstructionHint): Finding =>
  finding(ruleId, { kind: 'misconfiguration', instruction })

const FINDINGS: Finding[] = [
  inLayer('CVE-BASE', 'sha256:base'),
  inLayer('CVE-CURL', 'sha256:apk'),
  inLayer('CVE-GOBINARY', 'sha256:copy'),
  inLayer('CVE-HEREDOC', 'sha256:heredoc'),
  hinted('CSG-USER', { keyword: 'USER', argument: 'app' }),
  hinted('CSG-PORT', { keyword: 'EXPOSE', argument: '8080' }),
  hinted('CSG-SSH', { keyword: 'EXPOSE', argument: '22' }),
  hinted('CSG-SECRET-ENV', { keyword: 'ARG' }),
]

// Parsed per test (not while jest collects the tests), so a mutation run knows which tests reach which code.
let dockerfile: ReturnType<typeof parseDockerfile>
beforeEach(() => {
  dockerfile = parseDockerfile(DOCKERFILE, 'Dockerfile')
})
const lines = (findings: Finding[]): Record<string, [number, number] | undefined> =>
  Object.fromEntries(
    findings.map((f) => [f.ruleId, f.location ? [f.location.startLine, f.location.endLine ?? 0] : undefined]),
  )

describe('attributeFindings', () => {
  it.each([
    ['BuildKit', BUILDKIT_HISTORY],
    ['classic builder', CLASSIC_HISTORY],
  ])('puts findings on the instruction that created their layer (%s history)', (_name, history) => {
    const out = attributeFindings(FINDINGS, {
      history,
      layers: LAYERS,
      dockerfile,
      dockerfilePath: 'services/api/Dockerfile',
    })
    expect(lines(out)).toEqual({
      'CVE-BASE': [7, 7], // base image layer → the final stage's FROM
      'CVE-CURL': [10, 12], // RUN apk add … spanning its continuation lines
      'CVE-GOBINARY': [13, 13], // COPY --from=build
      'CVE-HEREDOC': [14, 17], // RUN <<EOF … EOF
      'CSG-USER': [22, 22],
      'CSG-PORT': [19, 19],
      'CSG-SSH': [7, 7], // no instruction exposes 22: it came with the base image, not from EXPOSE 8080
      'CSG-SECRET-ENV': [8, 8],
    })
    expect(out.every((f) => f.location === undefined || f.location.path === 'services/api/Dockerfile')).toBe(
      true,
    )
  })

  it('fills layer.createdBy from the layers when the finding lacks it, without touching the input', () => {
    const input = inLayer('CVE-CURL', 'sha256:apk')
    const [out] = attributeFindings([input], { history: [], layers: LAYERS })
    expect(out?.layer?.createdBy).toBe('RUN |1 VERSION=1.0 /bin/sh -c apk add … # buildkit')
    expect(input.layer?.createdBy).toBeUndefined()
    expect(out?.location).toBeUndefined()
  })

  it('keeps a location the scanner already gave', () => {
    const linted = finding('DL3018', {
      kind: 'misconfiguration',
      location: { path: 'Dockerfile', startLine: 3 },
    })
    const [out] = attributeFindings([linted], { history: BUILDKIT_HISTORY, layers: LAYERS, dockerfile })
    expect(out?.location).toEqual({ path: 'Dockerfile', startLine: 3 })
  })

  it.each([
    [
      'a RUN that is not in the Dockerfile',
      BUILDKIT_HISTORY.map((h) =>
        h.createdBy.startsWith('RUN |1 VERSION=1.0 /bin/sh -c apk')
          ? { ...h, createdBy: 'RUN /bin/sh -c apk add --no-cache nginx # buildkit' }
          : h,
      ),
      LAYERS,
    ],
    [
      'a history with fewer layer entries than layers',
      BUILDKIT_HISTORY.filter((h) => !h.createdBy.startsWith('COPY')),
      LAYERS,
    ],
    ['history without the final stage (another image)', BASE_HISTORY, LAYERS.slice(0, 1)],
  ])(
    'leaves layer findings without a location when the history does not line up: %s',
    (_name, history, layers) => {
      const out = attributeFindings(FINDINGS, { history, layers, dockerfile })
      const byRule = lines(out)
      for (const rule of ['CVE-BASE', 'CVE-CURL', 'CVE-GOBINARY', 'CVE-HEREDOC'])
        expect(byRule[rule]).toBeUndefined()
      // Image settings are located from the Dockerfile alone, not from history.
      expect(byRule['CSG-USER']).toEqual([22, 22])
    },
  )

  it('does nothing without a Dockerfile except fill createdBy', () => {
    const out = attributeFindings(FINDINGS, { history: BUILDKIT_HISTORY, layers: LAYERS })
    expect(out.every((f) => f.location === undefined)).toBe(true)
  })

  it('follows FROM <stage>: layers of the parent stage land on its lines, base layers on its FROM', () => {
    const text = [
      'FROM debian:12 AS runtime', // 1
      'RUN apt-get update && apt-get install -y libssl3', // 2
      'FROM runtime', // 3
      'COPY app /usr/local/bin/app', // 4
    ].join('\n')
    const history: HistoryEntry[] = [
      { createdBy: '# debian.sh --arch amd64 out/ bookworm @1700000000', emptyLayer: false },
      {
        createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y libssl3 # buildkit',
        emptyLayer: false,
      },
      { createdBy: 'COPY app /usr/local/bin/app # buildkit', emptyLayer: false },
    ]
    const layers: LayerInfo[] = [
      { index: 0, diffId: 'sha256:debian' },
      { index: 1, diffId: 'sha256:apt' },
      { index: 2, diffId: 'sha256:app' },
    ]
    const out = attributeFindings(
      [
        inLayer('CVE-DEBIAN', 'sha256:debian'),
        inLayer('CVE-SSL', 'sha256:apt'),
        inLayer('CVE-APP', 'sha256:app'),
      ],
      { history, layers, dockerfile: parseDockerfile(text, 'Dockerfile') },
    )
    expect(lines(out)).toEqual({ 'CVE-DEBIAN': [1, 1], 'CVE-SSL': [2, 2], 'CVE-APP': [4, 4] })
  })

  it('puts a missing-setting finding (no such instruction) on the FROM line', () => {
    const out = attributeFindings([hinted('CSG-REMOTE-ADD', { keyword: 'ADD' })], {
      history: [],
      layers: [],
      dockerfile,
    })
    expect(out[0]?.location?.startLine).toBe(7)
  })

  it('tolerates a SHELL instruction and build args with spaces in RUN history', () => {
    const text = [
      'FROM ubuntu:24.04', // 1
      'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', // 2
      'ARG GREETING="hello world"', // 3
      'RUN echo "$GREETING" | tee /greeting', // 4
    ].join('\n')
    const history: HistoryEntry[] = [
      { createdBy: '/bin/sh -c #(nop) ADD file:aa in / ', emptyLayer: false },
      { createdBy: 'SHELL [/bin/bash -o pipefail -c]', emptyLayer: true },
      { createdBy: 'ARG GREETING=hello world', emptyLayer: true },
      {
        createdBy:
          'RUN |1 GREETING=hello world /bin/bash -o pipefail -c echo "$GREETING" | tee /greeting # buildkit',
        emptyLayer: false,
      },
    ]
    const layers: LayerInfo[] = [
      { index: 0, diffId: 'sha256:a' },
      { index: 1, diffId: 'sha256:b' },
    ]
    const out = attributeFindings([inLayer('CVE-X', 'sha256:b')], {
      history,
      layers,
      dockerfile: parseDockerfile(text, 'Dockerfile'),
    })
    expect(out[0]?.location?.startLine).toBe(4)
  })
})

// The base image: `ENV AWS_ACCESS_KEY_ID=…`, `EXPOSE 22 2375`, a layer with a setuid file; the app's
// Dockerfile adds `ENV API_TOKEN=…`, `COPY app.env /app/.env`, `EXPOSE 6379`.
const APP_DOCKERFILE = [
  'FROM csg-base:ci', // 1
  'ENV API_TOKEN=tok-123', // 2
  'COPY app.env /app/.env', // 3
  'EXPOSE 6379', // 4
  'USER 1000', // 5
].join('\n')

const BASE_CLASSIC: HistoryEntry[] = [
  { createdBy: '', emptyLayer: false }, // `docker import`: no instruction
  { createdBy: '/bin/sh -c #(nop)  ENV AWS_ACCESS_KEY_ID=AKIAEXAMPLE', emptyLayer: true },
  { createdBy: '/bin/sh -c #(nop)  EXPOSE 22 2375', emptyLayer: true },
  { createdBy: '/bin/sh -c chmod 4755 /usr/bin/helper', emptyLayer: false },
  { createdBy: '/bin/sh -c #(nop)  USER root', emptyLayer: true },
]
const BASE_BUILDKIT: HistoryEntry[] = [
  { createdBy: '', emptyLayer: false },
  { createdBy: 'ENV AWS_ACCESS_KEY_ID=AKIAEXAMPLE', emptyLayer: true },
  { createdBy: 'EXPOSE map[22/tcp:{} 2375/tcp:{}]', emptyLayer: true },
  { createdBy: 'RUN /bin/sh -c chmod 4755 /usr/bin/helper # buildkit', emptyLayer: false },
  { createdBy: 'USER root', emptyLayer: true },
]
const APP_HISTORIES: [string, HistoryEntry[]][] = [
  [
    'classic builder',
    [
      ...BASE_CLASSIC,
      { createdBy: '/bin/sh -c #(nop)  ENV API_TOKEN=tok-123', emptyLayer: true },
      { createdBy: '/bin/sh -c #(nop) COPY file:3f2a in /app/.env ', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  EXPOSE 6379', emptyLayer: true },
      { createdBy: '/bin/sh -c #(nop)  USER 1000', emptyLayer: true },
    ],
  ],
  [
    'BuildKit',
    [
      ...BASE_BUILDKIT,
      { createdBy: 'ENV API_TOKEN=tok-123', emptyLayer: true },
      { createdBy: 'COPY app.env /app/.env # buildkit', emptyLayer: false },
      { createdBy: 'EXPOSE map[6379/tcp:{}]', emptyLayer: true },
      { createdBy: 'USER 1000', emptyLayer: true },
    ],
  ],
]
const APP_LAYERS: LayerInfo[] = [
  { index: 0, diffId: 'sha256:rootfs' },
  { index: 1, diffId: 'sha256:setuid' },
  { index: 2, diffId: 'sha256:env-file' },
]
const APP_FINDINGS: Finding[] = [
  hinted('ENV-AWS', { keyword: 'ENV', argument: 'AWS_ACCESS_KEY_ID' }),
  hinted('ENV-TOKEN', { keyword: 'ENV', argument: 'API_TOKEN' }),
  hinted('PORT-22', { keyword: 'EXPOSE', argument: '22' }),
  hinted('PORT-2375', { keyword: 'EXPOSE', argument: '2375' }),
  hinted('PORT-6379', { keyword: 'EXPOSE', argument: '6379' }),
  hinted('USER', { keyword: 'USER', argument: '1000' }),
  hinted('NO-HEALTHCHECK', { keyword: 'FROM' }),
  inLayer('SETUID', 'sha256:setuid'),
  inLayer('ENV-FILE', 'sha256:env-file'),
]

describe('attributeFindings for settings the base image brought', () => {
  it.each(APP_HISTORIES)(
    'puts the base image’s settings on FROM, the Dockerfile’s on their lines (%s)',
    (_n, history) => {
      const out = attributeFindings(APP_FINDINGS, {
        history,
        layers: APP_LAYERS,
        dockerfile: parseDockerfile(APP_DOCKERFILE, 'Dockerfile'),
      })
      expect(lines(out)).toEqual({
        'ENV-AWS': [1, 1],
        'ENV-TOKEN': [2, 2],
        'PORT-22': [1, 1],
        'PORT-2375': [1, 1],
        'PORT-6379': [4, 4],
        USER: [5, 5],
        'NO-HEALTHCHECK': [1, 1],
        SETUID: [1, 1],
        'ENV-FILE': [3, 3],
      })
    },
  )

  it('counts bottom layers without a history entry (a base written without history) as the base image’s', () => {
    const history = APP_HISTORIES[1]![1].filter((h) => h.createdBy !== '')
    const out = attributeFindings(
      [inLayer('ROOTFS', 'sha256:rootfs'), inLayer('ENV-FILE', 'sha256:env-file')],
      {
        history,
        layers: APP_LAYERS,
        dockerfile: parseDockerfile(APP_DOCKERFILE, 'Dockerfile'),
      },
    )
    expect(lines(out)).toEqual({ ROOTFS: [1, 1], 'ENV-FILE': [3, 3] })
  })

  it('puts the base image’s USER on FROM when the Dockerfile sets none', () => {
    const history = APP_HISTORIES[1]![1].filter((h) => h.createdBy !== 'USER 1000')
    const text = APP_DOCKERFILE.split('\n').slice(0, 4).join('\n')
    const out = attributeFindings([hinted('USER', { keyword: 'USER', argument: 'root' })], {
      history,
      layers: APP_LAYERS,
      dockerfile: parseDockerfile(text, 'Dockerfile'),
    })
    expect(out[0]?.location?.startLine).toBe(1)
  })

  it.each([
    ['a port no instruction names goes to FROM', { keyword: 'EXPOSE', argument: '22' }, 'EXPOSE 6379', 1],
    [
      'a port the Dockerfile names goes to its line',
      { keyword: 'EXPOSE', argument: '6379' },
      'EXPOSE 6379',
      2,
    ],
    [
      'a port from a build arg cannot be placed',
      { keyword: 'EXPOSE', argument: '22' },
      'EXPOSE $PORT',
      undefined,
    ],
    [
      'a variable no ENV sets goes to FROM',
      { keyword: 'ENV', argument: 'AWS_ACCESS_KEY_ID' },
      'ENV API_TOKEN=x',
      1,
    ],
  ] as [string, InstructionHint, string, number | undefined][])(
    'without history: %s',
    (_name, hint, instruction, line) => {
      const out = attributeFindings([hinted('X', hint)], {
        history: [],
        layers: [],
        dockerfile: parseDockerfile(`FROM base\n${instruction}`, 'Dockerfile'),
      })
      expect(out[0]?.location?.startLine).toBe(line)
    },
  )
})

describe('attributeFindings on arbitrary input', () => {
  it('never throws, whatever the Dockerfile and history hold', () => {
    const line = fc.constantFrom(
      'FROM alpine',
      'FROM build',
      'FROM x AS build',
      'RUN <<EOF',
      'EOF',
      'RUN a \\',
      '',
      '# c',
      'COPY --from=build a b',
      'ENV A=${B:-${C}}',
      'ARG',
      'WORKDIR ../..',
      'SHELL ["x"]',
      'EXPOSE $P',
      'CMD [',
      '${',
    )
    const dockerfileText = fc.array(fc.oneof(line, fc.string()), { maxLength: 12 }).map((l) => l.join('\n'))
    const history = fc.array(
      fc.record({
        createdBy: fc.oneof(fc.string(), line, fc.constant('|3 a /bin/sh -c x')),
        emptyLayer: fc.boolean(),
      }),
      { maxLength: 8 },
    )
    fc.assert(
      fc.property(dockerfileText, history, (text, entries) => {
        const layers = entries
          .filter((e) => !e.emptyLayer)
          .map((_, index) => ({ index, diffId: `sha256:${index}` }))
        const findings = layers.map((l) => inLayer('CVE-X', l.diffId))
        const out = attributeFindings([...findings, hinted('H', { keyword: 'EXPOSE', argument: '22' })], {
          history: entries,
          layers,
          dockerfile: parseDockerfile(text, 'Dockerfile'),
        })
        expect(out).toHaveLength(findings.length + 1)
      }),
      { numRuns: 300 },
    )
  })
})
