/** The consolidate stage: a linter's findings are pointed at the Dockerfile's repository path. */
import { describe, expect, it } from '@jest/globals'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding } from '../../src/findings/finding.js'
import { consolidate } from '../../src/stages/consolidate.js'

const finding = (scanner: string, ruleId: string, path: string): Finding => ({
  kind: 'misconfiguration',
  ruleId,
  aliases: [],
  title: ruleId,
  description: ruleId,
  severity: 'medium',
  detectedBy: [scanner],
  target: 'app:ci',
  location: { path, startLine: 2 },
  references: [],
})

describe('consolidate', () => {
  it('points hadolint findings at the workspace Dockerfile, and leaves other scanners’ locations alone', () => {
    const dockerfile = {
      path: 'docker/Dockerfile',
      model: parseDockerfile('FROM alpine:3.19\nRUN apk add curl\n', 'docker/Dockerfile'),
    }
    const findings = consolidate(
      {
        target: 'app:ci',
        repository: 'app',
        scanners: [],
        findings: [
          finding('hadolint', 'DL3018', '/tmp/csg/0-hadolint/Dockerfile'),
          finding('trivy', 'DS002', 'usr/lib/app/Dockerfile'),
        ],
      },
      undefined,
      dockerfile,
      'highest',
    )
    expect(findings.map((f) => [f.ruleId, f.location?.path])).toEqual([
      ['DL3018', 'docker/Dockerfile'],
      ['DS002', 'usr/lib/app/Dockerfile'],
    ])
  })
})
