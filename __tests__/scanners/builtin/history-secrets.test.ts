import { describe, it, expect } from '@jest/globals'
import {
  maskHistoryLine,
  maskUrlQueryCredentials,
  secretsInHistoryLine,
} from '../../../src/scanners/builtin/history-secrets.js'
import { planted } from './planted.js'

describe('secretsInHistoryLine', () => {
  it.each([
    {
      line: `/bin/sh -c #(nop)  ENV API_TOKEN=${planted.password}`,
      subject: 'history: ENV API_TOKEN',
      severity: 'high',
      instruction: { keyword: 'ENV', argument: 'API_TOKEN' },
    },
    {
      line: `ENV GH=${planted.githubToken}`,
      subject: 'history: ENV GH',
      severity: 'critical',
      instruction: { keyword: 'ENV', argument: 'GH' },
    },
    {
      line: `ARG NPM_TOKEN=${planted.npmToken}`,
      subject: 'history: ARG NPM_TOKEN',
      severity: 'critical',
      instruction: { keyword: 'ARG', argument: 'NPM_TOKEN' },
    },
    {
      line: `RUN |1 NPM_TOKEN=${planted.password} /bin/sh -c npm ci # buildkit`,
      subject: 'history: ARG NPM_TOKEN',
      severity: 'high',
      instruction: { keyword: 'ARG', argument: 'NPM_TOKEN' },
    },
    {
      line: `|1 DB_PASSWORD=${planted.password} /bin/sh -c ./migrate`,
      subject: 'history: ARG DB_PASSWORD',
      severity: 'high',
    },
    {
      line: `RUN /bin/sh -c curl -u ci:${planted.password} https://repo.example/a.tgz # buildkit`,
      subject: 'history: RUN curl -u',
      severity: 'high',
    },
    {
      line: `/bin/sh -c git clone https://ci:${planted.password}@git.example/app.git`,
      subject: 'history: RUN URL credentials',
      severity: 'high',
    },
    {
      line: `RUN /bin/sh -c echo ${planted.awsAccessKeyId} > /tmp/k # buildkit`,
      subject: 'history: RUN aws-access-key-id',
      severity: 'critical',
    },
    {
      line: `ADD https://ci:${planted.password}@files.example/tool.tgz /tmp/ # buildkit`,
      subject: 'history: ADD URL credentials',
      severity: 'high',
    },
    {
      line: `custom-builder --token ${planted.password}`,
      subject: 'history: --token',
      severity: 'high',
    },
  ])('finds $subject', ({ line, subject, severity, instruction }) => {
    const secrets = secretsInHistoryLine(line)
    const secret = secrets.find((s) => s.subject === subject)
    expect(secret).toMatchObject({ severity })
    if (instruction !== undefined) expect(secret?.instruction).toEqual(instruction)
  })

  it.each([
    '/bin/sh -c #(nop)  ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '/bin/sh -c #(nop)  ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
    'ENV POSTGRES_PASSWORD_FILE=/run/secrets/pg',
    'ENV MYSQL_ALLOW_EMPTY_PASSWORD=yes',
    'ARG NPM_TOKEN',
    'ARG API_TOKEN=',
    'RUN |1 NPM_TOKEN= /bin/sh -c npm ci # buildkit',
    'RUN |1 DEBIAN_FRONTEND=noninteractive /bin/sh -c apt-get update # buildkit',
    'RUN /bin/sh -c --mount=type=secret,id=npm npm ci # buildkit',
    'RUN /bin/sh -c curl -u "ci:${PASSWORD}" https://repo.example/a.tgz # buildkit',
    '/bin/sh -c #(nop) ADD file:3e9b6405f11dd24ce62105c033f1d8b931d9409298553f63b03af1b6dd1dda35 in / ',
    'COPY . . # buildkit',
  ])('finds nothing in %j', (line) => {
    expect(secretsInHistoryLine(line)).toEqual([])
  })

  it('reports a build argument written out in its own command once', () => {
    const line = `RUN |1 NPM_TOKEN=${planted.npmToken} /bin/sh -c echo "_authToken=${planted.npmToken}" > .npmrc # buildkit`
    expect(secretsInHistoryLine(line).map((s) => s.subject)).toEqual(['history: ARG NPM_TOKEN'])
  })

  it('reports each variable of a multi-pair ENV', () => {
    const line = `ENV DB_PASSWORD=${planted.password} LOG_LEVEL=debug SLACK=${planted.slackToken}`
    expect(secretsInHistoryLine(line).map((s) => s.subject)).toEqual([
      'history: ENV DB_PASSWORD',
      'history: ENV SLACK',
    ])
  })
})

describe('maskHistoryLine', () => {
  it.each([
    `RUN |2 NPM_TOKEN=${planted.npmToken} DB_PASSWORD=${planted.password} /bin/sh -c npm ci # buildkit`,
    `ENV CONN=postgres://app:${planted.password}@db/app TOKEN=${planted.githubToken}`,
    `RUN /bin/sh -c curl -H "Authorization: Bearer ${planted.password}" https://api.example/ # buildkit`,
    `/bin/sh -c aws configure set aws_secret_access_key ${planted.awsSecretAccessKey}`,
  ])('leaves no secret in %#', (line) => {
    const masked = maskHistoryLine(line)
    for (const secret of [
      planted.npmToken,
      planted.password,
      planted.githubToken,
      planted.awsSecretAccessKey,
    ]) {
      expect(masked).not.toContain(secret)
    }
    expect(masked).toMatch(/\(\d+ chars\)/)
  })

  it('keeps a line without secrets as it is', () => {
    const line = 'RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit'
    expect(maskHistoryLine(line)).toBe(line)
  })
})

describe('maskUrlQueryCredentials', () => {
  it('leaves an already masked value alone', () => {
    const once = maskUrlQueryCredentials(`https://h/f?token=${planted.password}&sig=${planted.stripeKey}`)
    expect(maskUrlQueryCredentials(once)).toBe(once)
    expect(once).toBe('https://h/f?token=Pw-j…(16 chars)&sig=sk_l…(32 chars)')
  })

  it('masks credential-like query values and keeps the rest', () => {
    const signature = 'a'.repeat(64)
    const url = `https://bucket.s3.amazonaws.com/f.tgz?X-Amz-Expires=300&X-Amz-Signature=${signature}&v=2`
    expect(maskUrlQueryCredentials(url)).toBe(
      'https://bucket.s3.amazonaws.com/f.tgz?X-Amz-Expires=300&X-Amz-Signature=aaaa…(64 chars)&v=2',
    )
  })
})

describe('maskHistoryLine on an already masked line', () => {
  it.each([
    `RUN |1 NPM_TOKEN=${planted.password} /bin/sh -c npm ci # buildkit`,
    `/bin/sh -c curl -u ci:${planted.password} https://repo.example/x`,
    `/bin/sh -c git clone https://ci:${planted.password}@git.example/app.git`,
    `ENV A=${planted.githubToken} DB_PASSWORD=${planted.shortPassword}`,
  ])('changes nothing the second time (%#)', (line) => {
    const once = maskHistoryLine(line)
    expect(maskHistoryLine(once)).toBe(once)
  })
})
