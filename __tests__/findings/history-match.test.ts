import { beforeEach, describe, expect, it } from '@jest/globals'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import {
  alignHistory,
  matchesPattern,
  parseHistoryEntry,
  type ChainStep,
} from '../../src/findings/history-match.js'
import { historyLineMatches, stepOf } from '../helpers/history-steps.js'
import { UNKNOWN } from '../../src/findings/dockerfile-words.js'

describe('parseHistoryEntry', () => {
  it.each([
    ['/bin/sh -c #(nop)  ENV X=y', 'ENV', 'X=y'],
    ['/bin/sh -c #(nop) COPY file:abc in /app ', 'COPY', 'file:abc in /app'],
    ['/bin/sh -c apk add curl', 'RUN', '/bin/sh -c apk add curl'],
    ['|2 A=1 B=2 /bin/sh -c make', 'RUN', '|2 A=1 B=2 /bin/sh -c make'],
    ['RUN /bin/sh -c apk add curl # buildkit', 'RUN', '/bin/sh -c apk add curl'],
    ['COPY . /app # buildkit', 'COPY', '. /app'],
    ['EXPOSE map[8080/tcp:{}]', 'EXPOSE', 'map[8080/tcp:{}]'],
    ['USER', 'USER', ''],
    ['cmd /S /C #(nop) WORKDIR C:\\app', 'WORKDIR', 'C:\\app'],
  ])('%j → %s %j', (createdBy, keyword, body) => {
    expect(parseHistoryEntry(createdBy)).toMatchObject({ keyword, body })
  })
})

describe('historyMatches', () => {
  it.each([
    // [created_by, Dockerfile line, matches?]
    ['RUN /bin/sh -c apk add curl # buildkit', 'RUN apk add curl', true],
    ['RUN /bin/sh -c apk add  curl   openssl # buildkit', 'RUN apk add \\\n  curl \\\n  openssl', true],
    ['/bin/sh -c apk add curl', 'RUN apk add curl', true],
    ['|1 V=2 /bin/sh -c make V=$V', 'ARG V=1\nRUN make V=$V', true],
    ['RUN |2 A=x y B=2 /bin/sh -c make # buildkit', 'ARG A\nARG B\nRUN make', true],
    ['RUN /bin/sh -c apk add nginx # buildkit', 'RUN apk add curl', false],
    ['RUN /bin/sh -c apk add curl && rm -rf /var/cache # buildkit', 'RUN apk add curl', false],
    ['RUN apk add curl # buildkit', 'RUN ["apk", "add", "curl"]', true],
    ['RUN /bin/sh -c echo hi\necho there\n # buildkit', 'RUN <<EOF\necho hi\necho there\nEOF', true],
    ['RUN /bin/sh -c echo $HOME\n # buildkit', "RUN <<'EOF'\necho $HOME\nEOF", true],
    ['RUN /bin/sh -c /dev/pipes/EOF # buildkit', 'RUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF', true],
    ['RUN /bin/sh -c cat <<EOF > /x\nhello\nEOF # buildkit', 'RUN cat <<EOF > /x\nhello\nEOF', true],
    ['COPY . /app # buildkit', 'COPY . /app', true],
    ['COPY . /app/ # buildkit', 'COPY . /app', true],
    ['COPY --chown=app:app . /app # buildkit', 'COPY --chown=app:app --link . /app', true],
    ['COPY /out/app /srv/app # buildkit', 'COPY --from=build /out/app /srv/app', true],
    ['COPY /out/app /srv/other # buildkit', 'COPY --from=build /out/app /srv/app', false],
    ['COPY <<EOT /etc/motd # buildkit', 'COPY <<-EOT /etc/motd\n\thi\nEOT', true],
    ['/bin/sh -c #(nop) COPY file:0a1b in /srv/app ', 'COPY app /srv/app', true],
    ['/bin/sh -c #(nop) COPY dir:0a1b in /srv ', 'COPY app /srv/app', false],
    ['ADD https://example.com/tool.tgz /opt/ # buildkit', 'ADD https://example.com/tool.tgz /opt/', true],
    ['COPY a /x # buildkit', 'ADD a /x', false],
    ['ENV APP_HOME=/app GREETING=hello world', 'ENV APP_HOME=/app GREETING="hello world"', true],
    ['/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin', 'ENV PATH=/usr/local/bin:$PATH', true],
    ['ENV PATH=/opt/bin:/usr/bin', 'ENV PATH=/usr/local/bin:$PATH', false],
    ['ENV VERSION=2.0', 'ARG VERSION=1.0\nENV VERSION=$VERSION', true],
    ['ENV MODE=debug', 'ENV MODE=release', false],
    ['ARG VERSION=9.9 TARGETARCH=amd64', 'ARG VERSION=1.0 TARGETARCH', true],
    ['ARG OTHER=1', 'ARG VERSION=1.0', false],
    ['LABEL org.opencontainers.image.title=My app', 'LABEL org.opencontainers.image.title="My app"', true],
    ['EXPOSE map[22/tcp:{} 8080/tcp:{}]', 'EXPOSE 8080 22/tcp', true],
    ['/bin/sh -c #(nop)  EXPOSE 8080/tcp', 'EXPOSE 8080', true],
    ['EXPOSE map[8080/udp:{}]', 'EXPOSE 8080', false],
    ['USER app', 'USER app', true],
    ['USER root', 'USER app', false],
    ['WORKDIR /app', 'WORKDIR /app/', true],
    ['CMD ["/app/app" "serve"]', 'CMD ["/app/app", "serve"]', true],
    ['CMD ["/bin/sh" "-c" "node server.js"]', 'CMD node server.js', true],
    ['/bin/sh -c #(nop)  CMD ["node" "other.js"]', 'CMD ["node", "server.js"]', false],
    ['ENTRYPOINT ["/entrypoint.sh"]', 'ENTRYPOINT ["/entrypoint.sh"]', true],
    [
      'HEALTHCHECK {Test:[CMD-SHELL curl -f http://localhost/ || exit 1] Interval:30s Timeout:0s Retries:0}',
      'HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1',
      true,
    ],
    ['HEALTHCHECK &{["NONE"] "0s" "0s" "0s" \'\\x00\'}', 'HEALTHCHECK NONE', true],
    ['HEALTHCHECK &{["CMD-SHELL" "true"] "0s"}', 'HEALTHCHECK CMD curl -f http://localhost/', false],
    ['VOLUME [/data]', 'VOLUME /data', true],
  ])('%j vs %j → %s', (createdBy, line, expected) => {
    expect(historyLineMatches(createdBy, stepOf(line))).toBe(expected)
  })

  it('knows the SHELL in force and the working directory for relative WORKDIR', () => {
    expect(
      historyLineMatches(
        'RUN /bin/bash -o pipefail -c make # buildkit',
        stepOf('RUN make', { shell: ['/bin/bash', '-o', 'pipefail', '-c'] }),
      ),
    ).toBe(true)
    expect(historyLineMatches('WORKDIR /srv/app', stepOf('WORKDIR app', { workdir: '/srv' }))).toBe(true)
    expect(historyLineMatches('WORKDIR /srv/other', stepOf('WORKDIR app', { workdir: '/srv' }))).toBe(false)
  })
})

describe('alignHistory', () => {
  // Parsed per test (not while jest collects the tests), so a mutation run knows which tests reach which code.
  let steps: ChainStep[]
  beforeEach(() => {
    const model = parseDockerfile('FROM alpine\nENV A=1\nRUN make\nUSER app\n', 'Dockerfile')
    steps = model.stages[0]!.instructions.map((instruction) => ({
      instruction,
      shell: ['/bin/sh', '-c'],
    }))
  })

  it('pairs history entries with steps from the end; what comes before is the base image', () => {
    const alignment = alignHistory(
      [
        { createdBy: 'ADD file:x in /', emptyLayer: false },
        { createdBy: 'ENV A=1', emptyLayer: true },
        { createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false },
        { createdBy: 'USER app', emptyLayer: true },
      ],
      steps,
    )
    expect(alignment).toEqual({
      matched: new Map([
        [3, 2],
        [2, 1],
        [1, 0],
      ]),
      baseEnd: 1,
    })
  })

  it('skips metadata a builder did not record, never a RUN', () => {
    const skipped = alignHistory(
      [
        { createdBy: 'ADD file:x in /', emptyLayer: false },
        { createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false },
      ],
      steps,
    )
    expect(skipped?.matched).toEqual(new Map([[1, 1]]))
    expect(
      alignHistory(
        [
          { createdBy: 'ADD file:x in /', emptyLayer: false },
          { createdBy: 'USER app', emptyLayer: true },
        ],
        steps,
      ),
    ).toBeUndefined()
  })
})

describe('matchesPattern', () => {
  const U = UNKNOWN
  it.each([
    ['PATH=/a:/b', `PATH=/a:${U}`, true],
    ['PATH=/x:/b', `PATH=/a:${U}`, false],
    ['a 1 b 2 c', `a ${U} b ${U} c`, true],
    ['a 1 c 2 b', `a ${U} b ${U} c`, false],
    ['ab', `a${U}b${U}b`, false], // parts may not overlap
    ['abb', `a${U}b${U}b`, true],
    ['x   y', 'x y', true],
    ['', U, true],
  ])('%j ~ %j → %s', (actual, pattern, expected) => {
    expect(matchesPattern(actual, pattern)).toBe(expected)
  })

  it('stays fast on long text with many wildcards (seconds at most; regex backtracking takes hours)', () => {
    const long = 'a'.repeat(50_000)
    const started = performance.now()
    expect(matchesPattern(long, `a${U}a${U}a${U}a${U}a${U}b`)).toBe(false)
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})
