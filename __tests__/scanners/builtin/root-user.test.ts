import { describe, it, expect } from '@jest/globals'
import { effectiveUser, rootUserCheck } from '../../../src/scanners/builtin/root-user.js'
import { runCheck, TARGET } from './run-check.js'

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'toor:x:0:0:alias of root:/root:/bin/sh',
  'app:x:10001:10001::/home/app:/usr/sbin/nologin',
  'broken-line',
].join('\n')

describe('effectiveUser', () => {
  it.each([
    [undefined, true],
    ['', true],
    ['   ', true],
    ['root', true],
    ['0', true],
    ['00', true],
    ['0:0', true],
    ['root:root', true],
    ['0:1000', true],
    ['root:app', true],
    ['toor', true],
    ['app', false],
    ['app:root', false],
    ['1000:0', false],
    ['10001:10001', false],
    ['nobody', false],
    ['${APP_USER}', false],
  ])('USER %j → root %s', (user, isRoot) => {
    expect(effectiveUser(user, PASSWD).isRoot).toBe(isRoot)
  })

  it('does not treat an unknown name as root without /etc/passwd', () => {
    expect(effectiveUser('toor', undefined).isRoot).toBe(false)
  })
})

describe('csg/root-user', () => {
  it('reports an image without USER, pointing at FROM', async () => {
    const [finding, ...rest] = await runCheck(rootUserCheck, { config: {} })
    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      ruleId: 'csg/root-user',
      kind: 'misconfiguration',
      severity: 'high',
      target: TARGET,
      detectedBy: ['builtin'],
      severityBySource: { builtin: { severity: 'high' } },
      instruction: { keyword: 'FROM' },
      aliases: [],
    })
    expect(finding?.help?.markdown).toContain('USER')
    expect(finding?.help?.markdown).toContain('4.1')
  })

  it.each(['root', '0', '0:0', 'root:root', '0:1000'])(
    'reports USER %s, pointing at the USER line',
    async (user) => {
      const findings = await runCheck(rootUserCheck, { config: { user } })
      expect(findings).toHaveLength(1)
      expect(findings[0]?.instruction).toEqual({ keyword: 'USER', argument: user.split(':')[0] })
    },
  )

  it('reports a user name that is UID 0 in the image /etc/passwd', async () => {
    const findings = await runCheck(rootUserCheck, {
      config: { user: 'toor' },
      layers: [{ entries: [{ path: '/etc/passwd', content: PASSWD }] }],
    })
    expect(findings.map((f) => f.description)).toEqual([expect.stringContaining('/etc/passwd')])
  })

  it.each(['app', 'app:root', '1000:0', '10001:10001', 'nobody'])('does not report USER %s', async (user) => {
    const findings = await runCheck(rootUserCheck, {
      config: { user },
      layers: [{ entries: [{ path: 'etc/passwd', content: PASSWD }] }],
    })
    expect(findings).toEqual([])
  })
})
