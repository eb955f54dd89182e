import { describe, it, expect } from '@jest/globals'
import {
  isPrivilegedExecutable,
  MAX_LISTED_FILES,
  setuidFilesCheck,
} from '../../../src/scanners/builtin/setuid-files.js'
import type { FakeEntry } from '../../helpers/fake-image.js'
import { runCheck } from './run-check.js'

const DEBIAN_SETUID = ['chfn', 'chsh', 'gpasswd', 'mount', 'newgrp', 'passwd', 'su', 'umount'].map(
  (name): FakeEntry => ({ path: `usr/bin/${name}`, mode: 0o4755 }),
)

describe('isPrivilegedExecutable', () => {
  it.each([
    [0o4755, true],
    [0o4711, true],
    [0o2755, true],
    [0o6755, true],
    [0o4644, false], // setuid without any execute bit does nothing
    [0o2745, false], // setgid without group execute means mandatory locking
    [0o0755, false],
    [0o1777, false], // sticky bit
  ])('%s → %s', (mode, expected) => {
    expect(isPrivilegedExecutable(mode)).toBe(expected)
  })
})

describe('csg/setuid-files', () => {
  it('reports one finding listing every setuid/setgid executable', async () => {
    const findings = await runCheck(setuidFilesCheck, {
      layers: [
        {
          entries: [
            ...DEBIAN_SETUID,
            { path: 'usr/bin/expiry', mode: 0o2755 },
            { path: 'usr/bin/ls', mode: 0o755 },
            { path: 'usr/lib/dbus-1.0', type: 'directory', mode: 0o2755 },
          ],
        },
      ],
    })
    expect(findings).toHaveLength(1)
    const finding = findings[0]
    expect(finding).toMatchObject({
      ruleId: 'csg/setuid-files',
      severity: 'low',
      subject: 'setuid/setgid executables',
      title: '9 setuid/setgid executables in the image',
    })
    expect(finding?.description).toContain('/usr/bin/su (setuid)')
    expect(finding?.description).toContain('/usr/bin/expiry (setgid)')
    expect(finding?.description).not.toContain('/usr/bin/ls')
    expect(finding?.description).not.toContain('dbus')
    expect(finding?.help?.markdown).toContain('4.8')
  })

  it('keeps the same subject whatever the list, so the alert keeps its identity', async () => {
    const few = await runCheck(setuidFilesCheck, { layers: [{ entries: DEBIAN_SETUID.slice(0, 2) }] })
    const many = await runCheck(setuidFilesCheck, { layers: [{ entries: DEBIAN_SETUID }] })
    expect(few[0]?.subject).toBe(many[0]?.subject)
  })

  it('lists a bounded number of paths and gives the full count', async () => {
    const entries = Array.from({ length: MAX_LISTED_FILES + 7 }, (_, i): FakeEntry => ({
      path: `opt/bin/tool${String(i).padStart(2, '0')}`,
      mode: 0o4755,
    }))
    const [finding] = await runCheck(setuidFilesCheck, { layers: [{ entries }] })
    expect(finding?.title).toBe(`${MAX_LISTED_FILES + 7} setuid/setgid executables in the image`)
    expect(finding?.description).toContain('and 7 more.')
    expect(finding?.description.match(/\(setuid\)/g)).toHaveLength(MAX_LISTED_FILES)
  })

  it('does not report a bit removed by a later layer (chmod u-s)', async () => {
    const findings = await runCheck(setuidFilesCheck, {
      layers: [
        { entries: [{ path: 'usr/bin/su', mode: 0o4755 }] },
        { entries: [{ path: 'usr/bin/su', mode: 0o755 }] },
      ],
    })
    expect(findings).toEqual([])
  })

  it('does not report a file deleted by a whiteout', async () => {
    const findings = await runCheck(setuidFilesCheck, {
      layers: [
        { entries: [{ path: 'usr/bin/su', mode: 0o4755 }] },
        { entries: [{ path: 'usr/bin/su', whiteout: 'file' }] },
      ],
    })
    expect(findings).toEqual([])
  })

  it('names the newest layer that left one, so the finding lands on FROM only when the base brought all', async () => {
    const [fromBase] = await runCheck(setuidFilesCheck, {
      layers: [
        { createdBy: 'ADD rootfs.tar /', entries: DEBIAN_SETUID },
        { entries: [{ path: 'app', mode: 0o755 }] },
      ],
    })
    expect(fromBase?.layer).toEqual({ diffId: 'sha256:' + '0'.repeat(64), createdBy: 'ADD rootfs.tar /' })
    const [added] = await runCheck(setuidFilesCheck, {
      layers: [
        { entries: DEBIAN_SETUID },
        { createdBy: 'RUN chmod u+s /app', entries: [{ path: 'app', mode: 0o4755 }] },
      ],
    })
    expect(added?.layer?.createdBy).toBe('RUN chmod u+s /app')
  })

  it('reports nothing for an image without such files', async () => {
    expect(
      await runCheck(setuidFilesCheck, { layers: [{ entries: [{ path: 'bin/sh', mode: 0o755 }] }] }),
    ).toEqual([])
  })
})

describe('csg/setuid-files at scale', () => {
  it('reports 200,000 setuid executables in one finding (no array spread into a call)', async () => {
    const entries = Array.from({ length: 200_000 }, (_, i): FakeEntry => ({
      path: `opt/x/f${i}`,
      mode: 0o4755,
    }))
    const findings = await runCheck(setuidFilesCheck, { layers: [{ entries }] })
    expect(findings.map((f) => f.title)).toEqual(['200000 setuid/setgid executables in the image'])
  }, 120_000)
})
