/**
 * Which history `created_by` lines match which Dockerfile instruction, one keyword at a time, with the
 * near misses that must not match. The recorded forms follow the builders: BuildKit's
 * `commitToHistory` lines (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go: `RUN |N A=1 …`,
 * `COPY <src> <dest>`, `EXPOSE map[…]`, `HEALTHCHECK &{…}`, `ENTRYPOINT ["…" …]` printed with Go's %q)
 * and the classic builder's `/bin/sh -c #(nop) …` lines.
 */
import { describe, expect, it } from '@jest/globals'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import {
  alignHistory,
  parseHistoryEntry,
  resolveWorkdir,
  type ChainStep,
} from '../../src/findings/history-match.js'
import { historyLineMatches, stepOf } from '../helpers/history-steps.js'

type Case = [createdBy: string, dockerfile: string, extra: Partial<ChainStep>, matches: boolean]

function table(cases: Case[]): void {
  it.each(cases)('%j against %j %j: %s', (createdBy, dockerfile, extra, expected) => {
    expect(historyLineMatches(createdBy, stepOf(dockerfile, extra))).toBe(expected)
  })
}

describe('parseHistoryEntry', () => {
  it('reads a line in no instruction form as a classic RUN', () => {
    expect(parseHistoryEntry('apk add curl')).toEqual({
      keyword: 'RUN',
      body: 'apk add curl',
      form: 'classic',
    })
  })

  it('keeps a keyword line in keyword form', () => {
    expect(parseHistoryEntry('USER app # buildkit')).toEqual({
      keyword: 'USER',
      body: 'app',
      form: 'keyword',
    })
  })
})

describe('RUN', () => {
  const args10 = Array.from({ length: 10 }, (_, i) => `A${i}=${i}`).join(' ')
  const argLines10 = Array.from({ length: 10 }, (_, i) => `ARG A${i}`).join('\n')
  table([
    ['RUN |1 A=1 make # buildkit', 'ARG A\nRUN ["make"]', {}, true],
    ['RUN |1 A=1 make other # buildkit', 'ARG A\nRUN ["make"]', {}, false],
    [`|10 ${args10} /bin/sh -c make`, `${argLines10}\nRUN make`, {}, true],
    ['RUN /bin/sh -c echo |1 x # buildkit', 'RUN echo |1 x', {}, true],
    [
      'RUN |1 A=1 /bin/bash -c /bin/sh -c x # buildkit',
      'ARG A\nRUN /bin/sh -c x',
      { shell: ['/bin/bash', '-c'] },
      true,
    ],
    ['RUN |1 A=1 /bin/sh -c make # buildkit', 'ARG A\nRUN make', { shell: [] }, true],
    [
      'RUN /bin/bash -o pipefail -c make # buildkit',
      'RUN make',
      { shell: ['/bin/bash', '-o', 'pipefail', '-c'] },
      true,
    ],
    ['RUN /bin/bash -o pipefail -c make # buildkit', 'RUN make', {}, false],
    ['RUN cmd /S /C dir # buildkit', 'RUN dir', { shell: [] }, true],
    ['  /bin/sh -c make  ', 'RUN make', {}, true],
    // A heredoc that is not the whole command runs as written, with its body after it.
    ['RUN /bin/sh -c hello # buildkit', 'RUN cat <<EOF\nhello\nEOF', {}, false],
    ['RUN /bin/sh -c hello # buildkit', 'RUN <<EOF bash\nhello\nEOF', {}, false],
    ['RUN /bin/sh -c hello # buildkit', 'RUN <<EOF\nhello\nEOF', {}, true],
    ['RUN /bin/sh -c cat <<A <<B\na\nA\nb\nB # buildkit', 'RUN cat <<A <<B\na\nA\nb\nB', {}, true],
    ['RUN /bin/sh -c cat <<A <<B\na\nB\nb\nA # buildkit', 'RUN cat <<A <<B\na\nA\nb\nB', {}, false],
  ])
})

describe('COPY and ADD', () => {
  table([
    ['COPY /app # buildkit', 'COPY /app', {}, false],
    ['/bin/sh -c #(nop) COPY a file:x in /srv ', 'COPY app /srv', {}, false],
    ['COPY file:x in /srv # buildkit', 'COPY app /srv', {}, false],
    ['COPY a # buildkit', 'COPY a /srv', {}, false],
    ['COPY a b /srv # buildkit', 'COPY a /srv', {}, false],
    ['COPY dir/ /srv # buildkit', 'COPY dir /srv', {}, false],
    ['COPY a b /srv/ # buildkit', 'COPY a b /srv', {}, true],
    ['COPY / / # buildkit', 'COPY / /', {}, true],
    ['COPY <<"EOT" /etc/motd # buildkit', 'COPY <<EOT /etc/motd\nhi\nEOT', {}, true],
    ['COPY <<EOT! /x # buildkit', 'COPY <<EOT /x\nhi\nEOT', {}, false],
    ['COPY x<<EOT /x # buildkit', 'COPY <<EOT /x\nhi\nEOT', {}, false],
    ['COPY <<EOT /x # buildkit', 'COPY <<END /x\nhi\nEND', {}, false],
    ['ADD --chmod=755 run.sh /usr/local/bin/ # buildkit', 'ADD --chmod=755 run.sh /usr/local/bin/', {}, true],
    ['ADD run.sh /usr/local/bin/ # buildkit', 'ADD run.sh /usr/local/bin/', {}, true],
    ['ADD run.sh /usr/bin/ # buildkit', 'ADD run.sh /usr/local/bin/', {}, false],
    ['/bin/sh -c #(nop) ADD file:9f in /usr/local/bin/ ', 'ADD run.sh /usr/local/bin', {}, true],
  ])
})

describe('ENV and LABEL', () => {
  table([
    ['LABEL', 'LABEL', {}, false],
    ['/bin/sh -c #(nop)  LABEL a="x y"', 'LABEL a="x y"', {}, true],
    ['/bin/sh -c #(nop)  ENV A x', 'ENV A x', {}, true],
    ['/bin/sh -c #(nop)  ENV A y', 'ENV A=x', {}, false],
    ['/bin/sh -c #(nop)  ENV A 1 B=2', 'ENV A=1 B=2', {}, false],
    ['ENV A=1 B=2 # buildkit', 'ENV A=1 B=2', {}, true],
  ])
})

describe('ARG', () => {
  table([
    ['ARG A=1 # buildkit', 'ARG A=1', {}, true],
    ['ARG A=2 # buildkit', 'ARG A=1', {}, true],
    ['ARG B A # buildkit', 'ARG A', {}, false],
    ['ARG B # buildkit', 'ARG A', {}, false],
    ['ARG A X B # buildkit', 'ARG A=1 B', {}, false],
    ['ARG A=hello world B # buildkit', 'ARG A="hello world" B', {}, true],
    ['ARG A # buildkit', 'ARG A=1 B', {}, false],
    ['ARG B A # buildkit', 'ARG A=1 B', {}, false],
  ])
})

describe('EXPOSE', () => {
  table([
    ['EXPOSE map[9999/tcp:{}] # buildkit', 'ARG P\nEXPOSE $P', {}, true],
    ['/bin/sh -c #(nop)  EXPOSE 8000-8010/tcp', 'EXPOSE 8000-8010', {}, true],
    ['/bin/sh -c #(nop)  EXPOSE 8080', 'EXPOSE 8080', {}, true],
    ['/bin/sh -c #(nop)  EXPOSE 53/udp', 'EXPOSE 53/UDP', {}, true],
    ['/bin/sh -c #(nop)  EXPOSE 53/udp', 'EXPOSE 53', {}, false],
    ['EXPOSE map[8080/tcp:{}] # buildkit', 'EXPOSE 8080 9090', {}, false],
    ['EXPOSE map[7070/tcp:{} 8080/tcp:{}] # buildkit', 'EXPOSE 8080 9090', {}, false],
    ['EXPOSE map[8080/tcp:{} 9090/tcp:{}] # buildkit', 'EXPOSE 9090 8080', {}, true],
  ])
})

describe('WORKDIR', () => {
  table([
    ['/bin/sh -c #(nop) WORKDIR app', 'WORKDIR app', {}, true],
    ['WORKDIR /other # buildkit', 'WORKDIR /app', {}, false],
    ['WORKDIR /app/ # buildkit', 'WORKDIR /app', {}, true],
    ['WORKDIR /srv/app # buildkit', 'WORKDIR app', { workdir: '/srv' }, true],
    ['WORKDIR /srv/app # buildkit', 'WORKDIR ../app', { workdir: '/srv/x' }, true],
    ['WORKDIR /usr/src/app # buildkit', 'WORKDIR app', {}, true],
    ['WORKDIR /usr/src/app # buildkit', 'WORKDIR app', { workdir: '/srv' }, false],
    ['WORKDIR /app/x # buildkit', 'WORKDIR app', {}, false],
    ['WORKDIR /other # buildkit', 'WORKDIR app', {}, false],
    ['WORKDIR /x/app # buildkit', 'WORKDIR /app', {}, false],
  ])
})

describe('resolveWorkdir', () => {
  it.each<[string | undefined, string, string | undefined]>([
    ['/a', 'b', '/a/b'],
    ['/a', 'b/', '/a/b'],
    ['/a', 'b//c', '/a/b/c'],
    ['/a/b', '../c', '/a/c'],
    ['/a', './b/.', '/a/b'],
    ['/', '..', '/'],
    [undefined, '/x/../y/./z/', '/y/z'],
    ['/a', '/x', '/x'],
    [undefined, 'b', undefined],
  ])('from %j, WORKDIR %j is %j', (current, target, resolved) => {
    expect(resolveWorkdir(current, target)).toBe(resolved)
  })
})

describe('CMD and ENTRYPOINT', () => {
  table([
    ['ENTRYPOINT ["/app/run" "--x"] # buildkit', 'ENTRYPOINT ["/app/run", "--x"]', {}, true],
    ['ENTRYPOINT ["/app/run"] # buildkit', 'ENTRYPOINT ["/app/run", "--x"]', {}, false],
    ['CMD ["a" "b" "c"] # buildkit', 'CMD ["a", "b"]', {}, false],
    ['CMD ["a" "x"] # buildkit', 'CMD ["a", "b"]', {}, false],
    ['CMD ["/bin/sh" "-c" "run.sh"] # buildkit', 'CMD run.sh', {}, true],
    ['CMD ["/bin/bash" "-lc" "run.sh"] # buildkit', 'CMD run.sh', {}, true],
    ['CMD ["/bin/sh" "-c" "other.sh"] # buildkit', 'CMD run.sh', {}, false],
    ['CMD [] # buildkit', 'CMD run.sh', {}, false],
    ['CMD ["run.sh"] # buildkit', 'CMD ["/bin/sh", "-c", "run.sh"]', {}, false],
    ['CMD ["say \\"hi\\""] # buildkit', 'CMD ["say \\"hi\\""]', {}, true],
  ])
})

describe('HEALTHCHECK', () => {
  table([
    ['HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" \'\\x00\'} # buildkit', 'HEALTHCHECK NONE', {}, true],
    [
      'HEALTHCHECK &{["CMD-SHELL" "check NONEXISTENT"] "0s" "0s" "0s" "0s" \'\\x00\'}',
      'HEALTHCHECK NONE',
      {},
      false,
    ],
    [
      'HEALTHCHECK {Test:[CMD curl -f x] Interval:30s} # buildkit',
      'HEALTHCHECK CMD ["curl","-f","x"]',
      {},
      true,
    ],
    [
      'HEALTHCHECK {Test:[CMD-SHELL curl -f x] Interval:30s}',
      'HEALTHCHECK --interval=30s CMD curl -f x',
      {},
      true,
    ],
    ['HEALTHCHECK {Test:[CMD-SHELL wget x] Interval:30s}', 'HEALTHCHECK CMD curl -f x', {}, false],
  ])
})

describe('other keywords', () => {
  table([
    ['USER root:grp # buildkit', 'ARG U=zz\nUSER $U:grp', {}, true],
    ['USER app # buildkit', 'USER app', {}, true],
    ['USER other # buildkit', 'USER app', {}, false],
    ['STOPSIGNAL SIGTERM # buildkit', 'STOPSIGNAL SIGTERM', {}, true],
    ['STOPSIGNAL SIGKILL # buildkit', 'STOPSIGNAL SIGTERM', {}, false],
  ])
})

describe('alignHistory', () => {
  const stepsOf = (dockerfile: string): ChainStep[] =>
    parseDockerfile(`FROM alpine\n${dockerfile}\n`, 'Dockerfile').stages[0]!.instructions.map(
      (instruction) => ({
        instruction,
        shell: ['/bin/sh', '-c'],
      }),
    )

  it('matches a history of one entry to the only step', () => {
    expect(
      alignHistory([{ createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false }], stepsOf('RUN make')),
    ).toEqual({
      matched: new Map([[0, 0]]),
      baseEnd: 0,
    })
  })

  it('skips an unmatched entry that made no layer', () => {
    expect(
      alignHistory(
        [
          { createdBy: 'ADD file:x in /', emptyLayer: false },
          { createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false },
          { createdBy: 'MAINTAINER someone', emptyLayer: true },
          { createdBy: 'RUN /bin/sh -c test # buildkit', emptyLayer: false },
        ],
        stepsOf('RUN make\nRUN test'),
      ),
    ).toEqual({
      matched: new Map([
        [3, 1],
        [1, 0],
      ]),
      baseEnd: 1,
    })
  })

  it('gives up on an unmatched entry that made a layer', () => {
    expect(
      alignHistory(
        [
          { createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false },
          { createdBy: 'RUN /bin/sh -c other # buildkit', emptyLayer: false },
        ],
        stepsOf('RUN make'),
      ),
    ).toBeUndefined()
  })

  it('gives up when the history runs out before a filesystem step', () => {
    expect(alignHistory([], stepsOf('RUN make'))).toBeUndefined()
  })

  it('skips metadata steps the history does not record', () => {
    expect(
      alignHistory(
        [{ createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false }],
        stepsOf('RUN make\nUSER app'),
      ),
    ).toEqual({ matched: new Map([[0, 0]]), baseEnd: 0 })
  })
})
