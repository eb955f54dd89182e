import { describe, expect, it } from '@jest/globals'
import { reportedTargetName, reportedTargetNames } from '../../src/target/target-name.js'

const workspace = '/home/runner/work/app/app'

describe('reportedTargetName', () => {
  it.each([
    ['a daemon reference as written', 'ghcr.io/acme/app:pr-42', 'ghcr.io/acme/app:pr-42'],
    ['a relative archive as written', 'out/app.tar', 'out/app.tar'],
    ['an absolute archive inside the workspace, relative to it', `${workspace}/out/app.tar`, 'out/app.tar'],
    [
      'the transport prefix kept',
      `oci-archive:${workspace}/build/app.oci.tar`,
      'oci-archive:build/app.oci.tar',
    ],
    ['outside the workspace, the base name', '/home/runner/work/_temp/app.tar', 'app.tar'],
    ['an OCI layout outside the workspace', 'oci-dir:/tmp/csg/layout/', 'oci-dir:layout'],
    ['a sibling of the workspace is outside it', '/home/runner/work/app/app-other/x.tar', 'x.tar'],
    ['the workspace itself as .', `oci-dir:${workspace}`, 'oci-dir:.'],
    ['a Windows path inside the workspace', 'D:\\a\\app\\app\\out\\app.tar', 'out/app.tar'],
  ])('%s', (_what, name, expected) => {
    const ws = name.startsWith('D:') ? 'D:\\a\\app\\app' : workspace
    expect(reportedTargetName(name, ws)).toBe(expected)
  })
})

describe('reportedTargetNames', () => {
  it('keeps the written name when the short one is taken, so two images never become one', () => {
    expect(
      reportedTargetNames(['/tmp/a/app.tar', '/tmp/b/app.tar', `${workspace}/c.tar`, 'c.tar'], workspace),
    ).toEqual(['app.tar', '/tmp/b/app.tar', `${workspace}/c.tar`, 'c.tar'])
  })
})
