/** Trusted base images: name normalisation, allow patterns, FROM/ARG resolution and the findings. */
import { describe, expect, it } from '@jest/globals'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import {
  isAllowedBase,
  normaliseAllowPattern,
  normaliseBaseImage,
} from '../../src/policy/base-image-names.js'
import { checkBaseImages, type BaseImagePolicy } from '../../src/policy/base-images.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

describe('normaliseBaseImage', () => {
  it.each([
    ['alpine', { name: 'docker.io/library/alpine' }],
    ['alpine:3.19', { name: 'docker.io/library/alpine', tag: '3.19' }],
    ['library/alpine:3.19', { name: 'docker.io/library/alpine', tag: '3.19' }],
    ['docker.io/library/alpine', { name: 'docker.io/library/alpine' }],
    ['index.docker.io/library/alpine', { name: 'docker.io/library/alpine' }],
    ['bitnami/nginx:1.25', { name: 'docker.io/bitnami/nginx', tag: '1.25' }],
    [`alpine@${DIGEST}`, { name: 'docker.io/library/alpine', digest: DIGEST }],
    [`alpine:3.19@${DIGEST}`, { name: 'docker.io/library/alpine', tag: '3.19', digest: DIGEST }],
    ['ghcr.io/acme/base:1', { name: 'ghcr.io/acme/base', tag: '1' }],
    ['localhost:5000/app', { name: 'localhost:5000/app' }],
    ['localhost/acme/base:1.0', { name: 'localhost/acme/base', tag: '1.0' }],
    ['Ghcr.IO/acme/base', { name: 'ghcr.io/acme/base' }],
    ['', undefined],
    [':3.19', undefined],
    ['Alpine', undefined],
  ])('%j → %j', (reference, expected) => {
    expect(normaliseBaseImage(reference)).toEqual(expected)
  })
})

describe('normaliseAllowPattern', () => {
  it.each([
    ['alpine', { pattern: 'docker.io/library/alpine' }],
    ['library/*', { pattern: 'docker.io/library/*' }],
    ['docker.io/alpine', { pattern: 'docker.io/library/alpine' }],
    ['index.docker.io/library/alpine', { pattern: 'docker.io/library/alpine' }],
    ['bitnami/*', { pattern: 'docker.io/bitnami/*' }],
    ['ghcr.io/acme/*', { pattern: 'ghcr.io/acme/*' }],
    ['GHCR.io/Acme/*/', { pattern: 'ghcr.io/acme/*' }],
    ['*.dkr.ecr.*.amazonaws.com/base/*', { pattern: '*.dkr.ecr.*.amazonaws.com/base/*' }],
    ['localhost:5000/*', { pattern: 'localhost:5000/*' }],
    ['*', { pattern: '*' }],
    [
      'alpine:3.19',
      {
        problem:
          '"alpine:3.19" names a tag or digest; patterns name registry/repository only (require-digest checks pinning)',
      },
    ],
    [
      `alpine@${DIGEST}`,
      {
        problem: `"alpine@${DIGEST}" names a tag or digest; patterns name registry/repository only (require-digest checks pinning)`,
      },
    ],
    ['  ', { problem: 'is empty' }],
  ])('%j → %j', (pattern, expected) => {
    expect(normaliseAllowPattern(pattern)).toEqual(expected)
  })
})

describe('isAllowedBase', () => {
  const patterns = ['docker.io/library/alpine', 'ghcr.io/acme/*', '*.dkr.ecr.*.amazonaws.com/base/*']
  it.each([
    ['docker.io/library/alpine', true],
    ['docker.io/library/alpinex', false],
    ['docker.io/evil/alpine', false],
    ['ghcr.io/acme/base', true],
    ['ghcr.io/acme/team/base', true], // `*` crosses `/`, as in ignore rules' image patterns
    ['ghcr.io/acme', false],
    ['ghcr.io/acmex/base', false],
    ['evil.io/ghcr.io/acme/base', false],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/base/node', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/other/node', false],
  ])('%s → %s', (name, expected) => {
    expect(isAllowedBase(name, patterns)).toBe(expected)
  })

  it('stays linear on a pattern that would make a backtracking regex explode', () => {
    const started = Date.now()
    const pattern = `${'*a'.repeat(40)}*b`
    expect(isAllowedBase('a'.repeat(50_000), [pattern])).toBe(false)
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

const POLICY: BaseImagePolicy = {
  allow: ['docker.io/library/*', 'ghcr.io/acme/*'],
  requireDigest: false,
  severity: 'high',
  origin: '.github/container-security.yml',
}

const check = (dockerfile: string, policy: Partial<BaseImagePolicy> = {}, labels?: Record<string, string>) =>
  checkBaseImages({
    target: 'app:ci',
    model: parseDockerfile(dockerfile, 'Dockerfile'),
    policy: { ...POLICY, ...policy },
    ...(labels !== undefined ? { labels } : {}),
  }).map((f) => [f.ruleId, f.location?.startLine, f.subject])

describe('checkBaseImages: which FROM lines are base images, after ARG substitution', () => {
  it.each([
    ['allowed Docker Hub official image', 'FROM alpine:3.19', []],
    [
      'untrusted Docker Hub user image',
      'FROM evil/alpine:3.19',
      [['csg/untrusted-base-image', 1, 'FROM docker.io/evil/alpine']],
    ],
    ['FROM scratch is no base image', 'FROM scratch\nCOPY a /a', []],
    [
      'an earlier stage is no base image; every other stage is checked',
      'FROM quay.io/x/builder AS build\nRUN make\nFROM build\nFROM alpine',
      [['csg/untrusted-base-image', 1, 'FROM quay.io/x/builder']],
    ],
    [
      'ARG default before the first FROM',
      'ARG REGISTRY=quay.io\nARG TAG=1\nFROM ${REGISTRY}/x/base:${TAG}',
      [['csg/untrusted-base-image', 3, 'FROM quay.io/x/base']],
    ],
    ['ARG default that is allowed', 'ARG BASE=ghcr.io/acme/base:2\nFROM $BASE', []],
    [
      'ARG without a default: cannot be checked',
      'ARG BASE\nFROM ${BASE}',
      [['csg/base-image-unresolved', 2, 'FROM ${BASE}']],
    ],
    ['--platform flag is not the image', 'FROM --platform=$BUILDPLATFORM alpine:3.19 AS build', []],
    ['a stage name matched case-insensitively', 'FROM alpine AS Build\nFROM build', []],
  ])('%s', (_name, dockerfile, expected) => {
    expect(check(dockerfile)).toEqual(expected)
  })

  it.each([
    ['tag only', 'FROM alpine:3.19', [['csg/base-image-not-pinned', 1, 'FROM docker.io/library/alpine']]],
    ['no tag at all', 'FROM alpine', [['csg/base-image-not-pinned', 1, 'FROM docker.io/library/alpine']]],
    ['digest', `FROM alpine:3.19@${DIGEST}`, []],
    ['digest through an ARG default', `ARG BASE=alpine@${DIGEST}\nFROM \${BASE}`, []],
    ['FROM scratch is neither checked nor pinned', 'FROM scratch\nCOPY a /a', []],
    ['an earlier stage is not pinned again', `FROM alpine@${DIGEST} AS build\nFROM build`, []],
  ])('require-digest: %s', (_name, dockerfile, expected) => {
    expect(check(dockerfile, { requireDigest: true })).toEqual(expected)
  })

  it('without allow, any repository passes; require-digest alone still checks pinning', () => {
    expect(check('FROM quay.io/x/base:1', { allow: undefined as unknown as string[] })).toEqual([])
    const { allow: _allow, ...noAllow } = POLICY
    expect(
      checkBaseImages({
        target: 'a',
        model: parseDockerfile('FROM quay.io/x/base:1', 'D'),
        policy: { ...noAllow, requireDigest: true },
      }).map((f) => f.ruleId),
    ).toEqual(['csg/base-image-not-pinned'])
  })

  it('checks the org.opencontainers.image.base.name label when it names another image than the FROM lines', () => {
    const label = { 'org.opencontainers.image.base.name': 'quay.io/x/base:1' }
    expect(check('FROM alpine:3.19', {}, label)).toEqual([
      ['csg/untrusted-base-image', 1, 'FROM quay.io/x/base'],
    ])
    expect(
      check(
        'FROM alpine:3.19',
        {},
        { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' },
      ),
    ).toEqual([])
    // No Dockerfile: the label alone, without a line.
    const findings = checkBaseImages({ target: 'app:ci', labels: label, policy: POLICY })
    expect(findings.map((f) => [f.ruleId, f.location])).toEqual([['csg/untrusted-base-image', undefined]])
  })

  it('writes a finding with the severity, the message and the fix', () => {
    const [finding] = checkBaseImages({
      target: 'app:ci',
      model: parseDockerfile('FROM quay.io/x/base:1', 'build/Dockerfile'),
      policy: { ...POLICY, severity: 'critical' },
    })
    expect(finding).toMatchObject({
      kind: 'misconfiguration',
      severity: 'critical',
      detectedBy: ['policy'],
      target: 'app:ci',
      title: 'Base image from a repository outside the allowed list: quay.io/x/base',
      location: { path: 'build/Dockerfile', startLine: 1, endLine: 1 },
    })
    expect(finding?.description).toBe(
      'FROM quay.io/x/base:1 pulls quay.io/x/base:1, whose repository matches none of base-images.allow (docker.io/library/*, ghcr.io/acme/*). Pull base images only from trusted repositories.',
    )
    expect(finding?.help?.text).toContain(
      'Fix: Build on an image from an allowed repository, or — after reviewing who publishes quay.io/x/base — add it to base-images.allow in .github/container-security.yml.',
    )
  })
})
