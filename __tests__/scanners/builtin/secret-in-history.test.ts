import { describe, it, expect } from '@jest/globals'
import { secretInHistoryCheck } from '../../../src/scanners/builtin/secret-in-history.js'
import type { HistoryEntry } from '../../../src/target/image-types.js'
import { planted } from './planted.js'
import { runCheck } from './run-check.js'

const empty = (createdBy: string): HistoryEntry => ({ createdBy, emptyLayer: true })
const layer = (createdBy: string): HistoryEntry => ({ createdBy, emptyLayer: false })

describe('csg/secret-in-history', () => {
  it.each([
    {
      name: 'a classic ENV',
      line: `/bin/sh -c #(nop)  ENV API_TOKEN=${planted.password}`,
      subject: 'history: ENV API_TOKEN',
      severity: 'high',
      instruction: { keyword: 'ENV', argument: 'API_TOKEN' },
    },
    {
      name: 'a BuildKit ARG default',
      line: `ARG NPM_TOKEN=${planted.npmToken}`,
      subject: 'history: ARG NPM_TOKEN',
      severity: 'critical',
      instruction: { keyword: 'ARG', argument: 'NPM_TOKEN' },
    },
    {
      name: 'a classic build argument',
      line: `|1 NPM_TOKEN=${planted.password} /bin/sh -c npm ci`,
      subject: 'history: ARG NPM_TOKEN',
      severity: 'high',
      instruction: { keyword: 'ARG', argument: 'NPM_TOKEN' },
    },
    {
      name: 'curl -u in a RUN',
      line: `RUN /bin/sh -c curl -fsSL -u ci:${planted.password} https://repo.example/x # buildkit`,
      subject: 'history: RUN curl -u',
      severity: 'high',
    },
    {
      name: 'a token in a RUN',
      line: `RUN /bin/sh -c git clone https://${planted.githubToken}@github.com/acme/x.git # buildkit`,
      subject: 'history: RUN github-token',
      severity: 'critical',
    },
  ])('reports $name', async ({ line, subject, severity, instruction }) => {
    const findings = await runCheck(secretInHistoryCheck, { history: [empty(line)] })
    expect(findings).toHaveLength(1)
    const finding = findings[0]
    expect(finding).toMatchObject({ ruleId: 'csg/secret-in-history', kind: 'secret', severity, subject })
    if (instruction !== undefined) expect(finding?.instruction).toEqual(instruction)
    expect(finding?.evidence).toMatch(/\(\d+ chars\)/)
    const json = JSON.stringify(finding)
    for (const secret of [planted.password, planted.npmToken, planted.githubToken])
      expect(json).not.toContain(secret)
  })

  it('reports an ARG once however many RUN steps record it, with the layer of a RUN', async () => {
    const findings = await runCheck(secretInHistoryCheck, {
      history: [
        empty('ARG NPM_TOKEN'),
        layer(`RUN |1 NPM_TOKEN=${planted.password} /bin/sh -c npm ci # buildkit`),
        layer(`RUN |1 NPM_TOKEN=${planted.password} /bin/sh -c npm run build # buildkit`),
      ],
      layers: [{}, {}],
    })
    expect(findings).toHaveLength(1)
    expect(findings[0]?.subject).toBe('history: ARG NPM_TOKEN')
    expect(findings[0]?.layer?.diffId).toMatch(/^sha256:0+$/)
    expect(findings[0]?.layer?.createdBy).toMatch(
      /^RUN \|1 NPM_TOKEN=\S{0,4}…\(16 chars\) \/bin\/sh -c npm ci # buildkit$/,
    )
  })

  it('keeps the most severe occurrence of a subject', async () => {
    const findings = await runCheck(secretInHistoryCheck, {
      history: [empty(`ARG GH_TOKEN=${planted.password}`), empty(`ARG GH_TOKEN=${planted.githubToken}`)],
    })
    expect(findings.map((f) => f.severity)).toEqual(['critical'])
  })

  it('leaves an ENV still set to the same value in the config to csg/secret-in-env', async () => {
    const env = `DB_PASSWORD=${planted.password}`
    expect(
      await runCheck(secretInHistoryCheck, { config: { env: [env] }, history: [empty(`ENV ${env}`)] }),
    ).toEqual([])
  })

  it('matches a quoted history value with the unquoted config value', async () => {
    const findings = await runCheck(secretInHistoryCheck, {
      config: { env: [`DB_PASSWORD=${planted.password}`] },
      history: [empty(`ENV DB_PASSWORD="${planted.password}"`)],
    })
    expect(findings).toEqual([])
  })

  it('reports an ENV that a later step overrode: the history still holds it', async () => {
    const findings = await runCheck(secretInHistoryCheck, {
      config: { env: ['DB_PASSWORD='] },
      history: [empty(`ENV DB_PASSWORD=${planted.password}`), empty('ENV DB_PASSWORD=')],
    })
    expect(findings.map((f) => f.subject)).toEqual(['history: ENV DB_PASSWORD'])
  })

  it.each([
    '/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin',
    'ARG NPM_TOKEN',
    'ENV POSTGRES_PASSWORD_FILE=/run/secrets/pg',
    'RUN |1 NPM_TOKEN= /bin/sh -c npm ci # buildkit',
    'RUN /bin/sh -c npm ci # buildkit',
    'RUN /bin/sh -c curl -u "ci:$PASSWORD" https://repo.example/x # buildkit',
    'ENV ADMIN_PASSWORD=changeme',
  ])('does not report %j', async (line) => {
    expect(await runCheck(secretInHistoryCheck, { history: [empty(line)] })).toEqual([])
  })
})
