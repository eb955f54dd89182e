/** Where locations say the Dockerfile is: relative to the workspace, or its base name outside it. */
import { describe, expect, it } from '@jest/globals'
import { relativeToWorkspace } from '../../src/stages/dockerfile.js'

describe('relativeToWorkspace', () => {
  it.each([
    ['/work/repo/Dockerfile', '/work/repo', 'Dockerfile'],
    ['/work/repo/docker/app/Dockerfile', '/work/repo/', 'docker/app/Dockerfile'],
    ['docker/Dockerfile', '/work/repo', 'docker/Dockerfile'],
    ['./Dockerfile', '/work/repo', 'Dockerfile'],
    ['/tmp/build/Dockerfile.prod', '/work/repo', 'Dockerfile.prod'],
    ['/work/repository/Dockerfile', '/work/repo', 'Dockerfile'],
    ['C:\\\\src\\\\Dockerfile', 'D:\\\\work', 'Dockerfile'],
  ])('%s in %s → %s', (path, workspace, expected) => {
    expect(relativeToWorkspace(path, workspace)).toBe(expected)
  })
})
