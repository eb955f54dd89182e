/**
 * The base-images policy's findings written out whole (rule, titles, description, fix, help, location,
 * evidence) for each of its three rules, from a FROM line and from the base-name label, and which label
 * values are checked again beside the FROM lines.
 */
import { describe, expect, it } from '@jest/globals'
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import type { Finding } from '../../src/findings/finding.js'
import { checkBaseImages, type BaseImagePolicy } from '../../src/policy/base-images.js'

const DIGEST = `sha256:${'b'.repeat(64)}`
const ORIGIN = '.github/container-security.yml'
const POLICY: BaseImagePolicy = {
  allow: ['docker.io/library/*', 'ghcr.io/acme/*'],
  requireDigest: true,
  severity: 'high',
  origin: ORIGIN,
}
const LABEL = 'org.opencontainers.image.base.name'

function findingsOf(
  dockerfile: string | undefined,
  labels?: Record<string, string>,
  policy = POLICY,
): Finding[] {
  return checkBaseImages({
    target: 'app:ci',
    ...(dockerfile !== undefined ? { model: parseDockerfile(dockerfile, 'build/Dockerfile') } : {}),
    ...(labels !== undefined ? { labels } : {}),
    policy,
  })
}

function expected(fields: {
  ruleId: string
  ruleTitle: string
  title: string
  subject: string
  description: string
  fix: string
  evidence: string
  line?: number
}): Finding {
  return {
    kind: 'misconfiguration',
    ruleId: fields.ruleId,
    ruleTitle: fields.ruleTitle,
    aliases: [],
    title: fields.title,
    description: fields.description,
    severity: 'high',
    detectedBy: ['policy'],
    target: 'app:ci',
    subject: fields.subject,
    instruction: { keyword: 'FROM' },
    references: [],
    help: {
      text: `${fields.description}\n\nFix: ${fields.fix}`,
      markdown: `${fields.description}\n\n**Fix:** ${fields.fix}`,
    },
    evidence: fields.evidence,
    ...(fields.line !== undefined
      ? { location: { path: 'build/Dockerfile', startLine: fields.line, endLine: fields.line } }
      : {}),
  }
}

describe('the three base-image rules, whole', () => {
  it('an untrusted repository, named through a build arg', () => {
    expect(findingsOf('ARG BASE=quay.io/x/base:1\nFROM ${BASE}')).toStrictEqual([
      expected({
        ruleId: 'csg/untrusted-base-image',
        ruleTitle: 'Base image from a repository outside the allowed list',
        title: 'Base image from a repository outside the allowed list: quay.io/x/base',
        subject: 'FROM quay.io/x/base',
        description:
          'FROM ${BASE} pulls quay.io/x/base:1 (build args taken at their defaults: a --build-arg may choose another image), whose repository matches none of base-images.allow (docker.io/library/*, ghcr.io/acme/*). Pull base images only from trusted repositories.',
        fix: `Build on an image from an allowed repository, or — after reviewing who publishes quay.io/x/base — add it to base-images.allow in ${ORIGIN}.`,
        evidence: 'FROM ${BASE}',
        line: 2,
      }),
    ])
  })

  it.each<[string, string, string, string, string]>([
    [
      'a tag',
      'FROM alpine:3.19',
      'docker.io/library/alpine:3.19',
      'FROM alpine:3.19 names docker.io/library/alpine:3.19 by tag',
      'Pin the digest: FROM alpine:3.19@sha256:<digest> (`docker buildx imagetools inspect docker.io/library/alpine:3.19` shows it)',
    ],
    [
      'no tag (latest)',
      'FROM alpine',
      'docker.io/library/alpine',
      'FROM alpine names docker.io/library/alpine by tag',
      'Pin the digest: FROM alpine:latest@sha256:<digest> (`docker buildx imagetools inspect docker.io/library/alpine:latest` shows it)',
    ],
  ])('an image not pinned by digest: %s', (_name, dockerfile, shown, description, fix) => {
    const text = `${description}: the image behind the tag can change between builds. base-images.require-digest is on in ${ORIGIN}.`
    expect(findingsOf(dockerfile)).toStrictEqual([
      expected({
        ruleId: 'csg/base-image-not-pinned',
        ruleTitle: 'Base image not pinned by digest',
        title: `Base image not pinned by digest: ${shown}`,
        subject: 'FROM docker.io/library/alpine',
        description: text,
        fix: `${fix}; Dependabot or Renovate keep pinned digests up to date.`,
        evidence: dockerfile,
        line: 1,
      }),
    ])
  })

  it('an image that cannot be resolved', () => {
    expect(findingsOf('ARG BASE\nFROM ${BASE}:1')).toStrictEqual([
      expected({
        ruleId: 'csg/base-image-unresolved',
        ruleTitle: 'Base image cannot be checked',
        title: 'Base image cannot be checked: FROM ${BASE}:1',
        subject: 'FROM ${BASE}:1',
        description:
          'FROM ${BASE}:1 does not name an image after build-arg substitution (":1") (build args taken at their defaults: a --build-arg may choose another image), so the base-images policy cannot check it.',
        fix: 'Give the build arg a default (ARG BASE=registry/repository:tag@sha256:…) before the first FROM, or name the image directly.',
        evidence: 'FROM ${BASE}:1',
        line: 2,
      }),
    ])
  })

  it('a label that names no image', () => {
    expect(findingsOf(undefined, { [LABEL]: ' Not An Image ' })).toStrictEqual([
      expected({
        ruleId: 'csg/base-image-unresolved',
        ruleTitle: 'Base image cannot be checked',
        title: `Base image cannot be checked: label ${LABEL}=Not An Image`,
        subject: `label ${LABEL}=Not An Image`,
        description: `The image's label ${LABEL}=Not An Image does not name an image, so the base-images policy cannot check it.`,
        fix: `Set ${LABEL} to the base image's reference (registry/repository:tag), or leave it out.`,
        evidence: `label ${LABEL}=Not An Image`,
      }),
    ])
  })

  it('shows a pinned image with its tag and digest; a malformed digest cannot be checked', () => {
    const [untrusted] = findingsOf(`FROM quay.io/x/base:1@${DIGEST}`)
    expect(untrusted?.description).toBe(
      `FROM quay.io/x/base:1@${DIGEST} pulls quay.io/x/base:1@${DIGEST}, whose repository matches none of base-images.allow (docker.io/library/*, ghcr.io/acme/*). Pull base images only from trusted repositories.`,
    )
    const [pinnedByArg] = findingsOf(`ARG BASE=alpine:3.19@notadigest\nFROM \${BASE}`)
    expect(pinnedByArg?.ruleId).toBe('csg/base-image-unresolved')
  })
})

describe('the base-name label beside the FROM lines', () => {
  it.each<[string, string | undefined, string, string[]]>([
    [
      'the same image spelt in full',
      'FROM alpine:3.19',
      'docker.io/library/alpine:3.19',
      ['csg/base-image-not-pinned@1'],
    ],
    // The digest pins the FROM; the label names the repository and tag only, as the OCI annotation does.
    [
      'a pinned FROM and a label without the digest',
      `FROM alpine:3.19@${DIGEST}`,
      'docker.io/library/alpine:3.19',
      [],
    ],
    ['another tag of a repository a FROM names', `FROM alpine:3.19@${DIGEST}`, 'alpine:3.20', []],
    [
      'a repository no FROM names',
      `FROM alpine@${DIGEST}`,
      'quay.io/x/base:1',
      ['csg/untrusted-base-image@1'],
    ],
    [
      'a label on an image without a Dockerfile',
      undefined,
      'quay.io/x/base:1',
      ['csg/untrusted-base-image@none'],
    ],
    [
      'a label beside a FROM that names no image',
      'ARG BASE\nFROM ${BASE}',
      'quay.io/x/base:1',
      ['csg/base-image-unresolved@2', 'csg/untrusted-base-image@2'],
    ],
    [
      'two unresolvable names, each reported',
      'ARG BASE\nFROM ${BASE}',
      'Not An Image',
      ['csg/base-image-unresolved@2', 'csg/base-image-unresolved@2'],
    ],
    ['a blank label', `FROM alpine@${DIGEST}`, '   ', []],
    ['a padded label of a named repository', `FROM alpine@${DIGEST}`, '  alpine  ', []],
    [
      'a label naming a stage-only chain',
      `FROM scratch AS root\nFROM root`,
      'ghcr.io/acme/base',
      ['csg/base-image-not-pinned@none'],
    ],
  ])('%s', (_name, dockerfile, label, rules) => {
    const findings = findingsOf(dockerfile, { [LABEL]: label })
    expect(findings.map((f) => `${f.ruleId}@${f.location?.startLine ?? 'none'}`)).toEqual(rules)
  })

  it('reads the label as evidence, never as a build-arg choice', () => {
    const [finding] = findingsOf(`FROM alpine@${DIGEST}`, { [LABEL]: 'quay.io/x/base:1' })
    expect(finding?.evidence).toBe(`label ${LABEL}=quay.io/x/base:1`)
    expect(finding?.description).toBe(
      `label ${LABEL}=quay.io/x/base:1 pulls quay.io/x/base:1, whose repository matches none of base-images.allow (docker.io/library/*, ghcr.io/acme/*). Pull base images only from trusted repositories.`,
    )
  })

  it('ignores other labels', () => {
    expect(
      findingsOf(`FROM alpine@${DIGEST}`, { 'org.opencontainers.image.source': 'quay.io/x/base' }),
    ).toEqual([])
  })
})
