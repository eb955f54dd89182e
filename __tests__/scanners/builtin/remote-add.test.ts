import { describe, it, expect } from '@jest/globals'
import { remoteAddCheck, sanitizeUrl } from '../../../src/scanners/builtin/remote-add.js'
import type { HistoryEntry } from '../../../src/target/image-types.js'
import { planted } from './planted.js'
import { runCheck } from './run-check.js'

const layer = (createdBy: string): HistoryEntry => ({ createdBy, emptyLayer: false })

describe('sanitizeUrl', () => {
  it.each([
    ['https://example.com/tool.tgz', 'https://example.com/tool.tgz'],
    ['https://user:pw@example.com:8443/a/b.tgz?X-Amz-Signature=abc#frag', 'https://example.com:8443/a/b.tgz'],
    ['git@github.com:acme/app.git#v1', 'git@github.com:acme/app.git'],
    ['https://exa mple/x?y', 'https://exa mple/x'],
  ])('%s → %s', (raw, expected) => {
    expect(sanitizeUrl(raw)).toBe(expected)
  })
})

describe('csg/remote-add', () => {
  it.each([
    [
      'a BuildKit ADD',
      'ADD https://github.com/coredns/coredns/releases/download/v1.6.2/coredns_1.6.2_linux_arm64.tgz /coredns.tgz # buildkit',
      'https://github.com/coredns/coredns/releases/download/v1.6.2/coredns_1.6.2_linux_arm64.tgz',
    ],
    [
      'a classic ADD',
      '/bin/sh -c #(nop) ADD https://example.com/app.jar /app/app.jar',
      'https://example.com/app.jar',
    ],
    [
      'an ADD with --chown',
      'ADD --chown=app:app https://example.com/a.tgz /opt/ # buildkit',
      'https://example.com/a.tgz',
    ],
    ['a git source', 'ADD git@github.com:acme/tools.git /src # buildkit', 'git@github.com:acme/tools.git'],
  ])('reports %s', async (_name, line, url) => {
    const findings = await runCheck(remoteAddCheck, { history: [layer(line)], layers: [{}] })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      ruleId: 'csg/remote-add',
      severity: 'medium',
      subject: url,
      instruction: { keyword: 'ADD', argument: url },
      layer: { diffId: expect.stringMatching(/^sha256:/) },
    })
    expect(findings[0]?.help?.markdown).toContain('4.9')
  })

  it('names the URL without credentials or query string, and masks them everywhere', async () => {
    const line = `ADD https://ci:${planted.password}@files.example/t.tgz?token=${planted.githubToken} /t.tgz # buildkit`
    const findings = await runCheck(remoteAddCheck, { history: [layer(line)], layers: [{}] })
    expect(findings.map((f) => f.subject)).toEqual(['https://files.example/t.tgz'])
    expect(findings[0]?.instruction).toEqual({ keyword: 'ADD' })
    const json = JSON.stringify(findings)
    expect(json).not.toContain(planted.password)
    expect(json).not.toContain(planted.githubToken)
  })

  it('reports the same URL once', async () => {
    const line = 'ADD https://example.com/a.tgz /a # buildkit'
    const findings = await runCheck(remoteAddCheck, { history: [layer(line), layer(line)], layers: [{}, {}] })
    expect(findings).toHaveLength(1)
  })

  it.each([
    [
      'a local ADD (classic)',
      '/bin/sh -c #(nop) ADD file:3e9b6405f11dd24ce62105c033f1d8b931d9409298553f63b03af1b6dd1dda35 in / ',
    ],
    ['a local ADD (BuildKit)', 'ADD app.tar.gz /app # buildkit'],
    [
      'a verified ADD',
      'ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz / # buildkit',
    ],
    ['a COPY', 'COPY https-proxy.conf /etc/ # buildkit'],
    ['a RUN that downloads', 'RUN /bin/sh -c curl -fsSLO https://example.com/a.tgz # buildkit'],
  ])('does not report %s', async (_name, line) => {
    expect(await runCheck(remoteAddCheck, { history: [layer(line)], layers: [{}] })).toEqual([])
  })
})
