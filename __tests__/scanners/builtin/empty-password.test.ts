import { describe, it, expect } from '@jest/globals'
import {
  accountsWithEmptyPassword,
  emptyPasswordCheck,
} from '../../../src/scanners/builtin/empty-password.js'
import { runCheck } from './run-check.js'

describe('accountsWithEmptyPassword', () => {
  it.each([
    ['root::0:::::', ['root']],
    ['root:!::0:::::\nbin:*:18000:0:99999:7:::', []],
    ['root:$6$salt$hash:19000:0:99999:7:::', []],
    ['root:x:0:0:root:/root:/bin/sh', []],
    ['# comment\n\nguest::19000::::::\r\nroot:!:1::::::', ['guest']],
    ['garbage', []],
  ])('%j → %j', (content, expected) => {
    expect(accountsWithEmptyPassword(content)).toEqual(expected)
  })
})

describe('csg/empty-password', () => {
  it('reports root with an empty password in /etc/shadow (CVE-2019-5021)', async () => {
    const findings = await runCheck(emptyPasswordCheck, {
      layers: [{ entries: [{ path: 'etc/shadow', content: 'root:::0:::::\nbin:!::0:::::\n', mode: 0o640 }] }],
    })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      ruleId: 'csg/empty-password',
      severity: 'high',
      subject: '/etc/shadow: root',
      layer: { diffId: expect.stringMatching(/^sha256:/) },
    })
  })

  it('reports an empty field in /etc/passwd once, preferring shadow when both have it', async () => {
    const findings = await runCheck(emptyPasswordCheck, {
      layers: [
        {
          entries: [
            {
              path: 'etc/passwd',
              content: 'root::0:0:root:/root:/bin/sh\nguest::1000:1000::/home/guest:/bin/sh\n',
            },
            { path: 'etc/shadow', content: 'root::19000:0:::::\nguest:!:19000::::::\n' },
          ],
        },
      ],
    })
    expect(findings.map((f) => f.subject)).toEqual(['/etc/shadow: root', '/etc/passwd: guest'])
  })

  it('does not report locked accounts', async () => {
    const findings = await runCheck(emptyPasswordCheck, {
      layers: [
        {
          entries: [
            { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
            { path: 'etc/shadow', content: 'root:*:19000:0:99999:7:::\n' },
          ],
        },
      ],
    })
    expect(findings).toEqual([])
  })

  it('reads only the final /etc/shadow', async () => {
    const findings = await runCheck(emptyPasswordCheck, {
      layers: [
        { entries: [{ path: 'etc/shadow', content: 'root::0:::::\n' }] },
        { entries: [{ path: 'etc/shadow', content: 'root:!::0:::::\n' }] },
      ],
    })
    expect(findings).toEqual([])
  })
})
