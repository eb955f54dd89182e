/**
 * Trusted base images (the policy file's `base-images` section): every `FROM` of the Dockerfile — all
 * stages, build args substituted with their defaults, `scratch` and earlier stage names skipped — and the
 * image's `org.opencontainers.image.base.name` annotation or label, checked against the allowed repositories and, when
 * asked, for a digest pin. Each problem is a misconfiguration finding on its `FROM` line. Pure.
 */
import type { Finding, SourceLocation } from '../findings/finding.js'
import { locationOf, type DockerfileModel } from '../findings/dockerfile.js'
import { baseImageOf } from '../findings/base-image.js'
import type { Severity } from '../findings/severity.js'
import { isAllowedBase, normaliseBaseImage } from './base-image-names.js'

export interface BaseImagePolicy {
  /** Normalised allow patterns (see `normaliseAllowPattern`); undefined: any repository. */
  allow?: string[]
  requireDigest: boolean
  severity: Severity
  /** The policy file, for the fix text. */
  origin: string
}

export const BASE_NAME_LABEL = 'org.opencontainers.image.base.name'
export const UNTRUSTED_BASE_RULE = 'csg/untrusted-base-image'
export const UNPINNED_BASE_RULE = 'csg/base-image-not-pinned'
export const UNCHECKABLE_BASE_RULE = 'csg/base-image-unresolved'
/** `detectedBy` of these findings: the policy, not a scanner. */
export const POLICY_DETECTOR = 'policy'

export interface BaseImageCheck {
  target: string
  model?: DockerfileModel
  /** The image's labels and manifest annotations (`org.opencontainers.image.base.name` is read from them). */
  labels?: Readonly<Record<string, string>>
  policy: BaseImagePolicy
}

interface Candidate {
  reference: string
  /** How the reference is written (`FROM ${BASE}` → `FROM ${BASE}`), for messages. */
  written: string
  location?: SourceLocation
  /** True when a build arg chose it: `--build-arg` may pick another at build time. */
  fromBuildArg: boolean
  /** True for the base-name label or annotation, false for a FROM line. */
  fromLabel: boolean
}

export function checkBaseImages(check: BaseImageCheck): Finding[] {
  const candidates = fromLines(check.model)
  const declared = check.labels?.[BASE_NAME_LABEL]?.trim()
  if (declared !== undefined && declared !== '') {
    const name = normaliseBaseImage(declared)?.name
    // The label usually repeats a FROM, often spelt otherwise: `docker.io/library/alpine:3.19`, with the
    // digest in its own annotation (org.opencontainers.image.base.digest; opencontainers/image-spec
    // annotations.md). A repository a FROM line names was judged on that line; only another one is checked.
    const repeated =
      name !== undefined && candidates.some((c) => normaliseBaseImage(c.reference)?.name === name)
    if (!repeated) {
      const base = check.model ? baseImageOf(check.model) : undefined
      candidates.push({
        reference: declared,
        written: `label ${BASE_NAME_LABEL}=${declared}`,
        fromBuildArg: false,
        fromLabel: true,
        ...(base !== undefined ? { location: base.location } : {}),
      })
    }
  }
  const findings: Finding[] = []
  for (const candidate of candidates) {
    const finding = judge(candidate, check)
    if (finding !== undefined) findings.push(finding)
  }
  return findings
}

/** Every FROM that names an image: not `scratch`, not an earlier stage. */
function fromLines(model: DockerfileModel | undefined): Candidate[] {
  if (model === undefined) return []
  return model.stages
    .filter((stage) => stage.baseStage === undefined && stage.baseImage.toLowerCase() !== 'scratch')
    .map((stage) => ({
      reference: stage.baseImage,
      written: `FROM ${stage.from.rawText}`,
      location: locationOf(model, stage.from),
      fromBuildArg: stage.from.rawText.includes('$'),
      fromLabel: false,
    }))
}

function judge(candidate: Candidate, check: BaseImageCheck): Finding | undefined {
  const { policy } = check
  const name = normaliseBaseImage(candidate.reference)
  const argNote = candidate.fromBuildArg
    ? ' (build args taken at their defaults: a --build-arg may choose another image)'
    : ''
  if (name === undefined) {
    return finding(check, candidate, {
      ruleId: UNCHECKABLE_BASE_RULE,
      ruleTitle: 'Base image cannot be checked',
      title: `Base image cannot be checked: ${candidate.written}`,
      subject: candidate.written,
      ...(candidate.fromLabel
        ? {
            description: `The image's ${candidate.written} does not name an image, so the base-images policy cannot check it.`,
            fix: `Set ${BASE_NAME_LABEL} to the base image's reference (registry/repository:tag), or leave it out.`,
          }
        : {
            description: `${candidate.written} does not name an image after build-arg substitution ("${candidate.reference}")${argNote}, so the base-images policy cannot check it.`,
            fix: 'Give the build arg a default (ARG BASE=registry/repository:tag@sha256:…) before the first FROM, or name the image directly.',
          }),
    })
  }
  const shown = `${name.name}${name.tag !== undefined ? `:${name.tag}` : ''}${name.digest !== undefined ? `@${name.digest}` : ''}`
  if (policy.allow !== undefined && !isAllowedBase(name.name, policy.allow)) {
    return finding(check, candidate, {
      ruleId: UNTRUSTED_BASE_RULE,
      ruleTitle: 'Base image from a repository outside the allowed list',
      title: `Base image from a repository outside the allowed list: ${name.name}`,
      subject: `FROM ${name.name}`,
      description: `${candidate.written} pulls ${shown}${argNote}, whose repository matches none of base-images.allow (${policy.allow.join(', ')}). Pull base images only from trusted repositories.`,
      fix: `Build on an image from an allowed repository, or — after reviewing who publishes ${name.name} — add it to base-images.allow in ${policy.origin}.`,
    })
  }
  if (policy.requireDigest && name.digest === undefined) {
    const tag = name.tag ?? 'latest'
    return finding(check, candidate, {
      ruleId: UNPINNED_BASE_RULE,
      ruleTitle: 'Base image not pinned by digest',
      title: `Base image not pinned by digest: ${shown}`,
      subject: `FROM ${name.name}`,
      description: `${candidate.written} names ${shown}${argNote} by tag: the image behind the tag can change between builds. base-images.require-digest is on in ${policy.origin}.`,
      fix: `Pin the digest: FROM ${candidate.reference}${name.tag === undefined ? `:${tag}` : ''}@sha256:<digest> (\`docker buildx imagetools inspect ${name.name}:${tag}\` shows it); Dependabot or Renovate keep pinned digests up to date.`,
    })
  }
  return undefined
}

interface FindingText {
  ruleId: string
  ruleTitle: string
  title: string
  subject: string
  description: string
  fix: string
}

function finding(check: BaseImageCheck, candidate: Candidate, text: FindingText): Finding {
  const out: Finding = {
    kind: 'misconfiguration',
    ruleId: text.ruleId,
    ruleTitle: text.ruleTitle,
    aliases: [],
    title: text.title,
    description: text.description,
    severity: check.policy.severity,
    detectedBy: [POLICY_DETECTOR],
    target: check.target,
    subject: text.subject,
    instruction: { keyword: 'FROM' },
    references: [],
    help: {
      text: `${text.description}\n\nFix: ${text.fix}`,
      markdown: `${text.description}\n\n**Fix:** ${text.fix}`,
    },
    evidence: candidate.written,
  }
  if (candidate.location !== undefined) out.location = { ...candidate.location }
  return out
}
