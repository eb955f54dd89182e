/**
 * The policy stage for all images: ignore rules, OpenVEX statements, the baseline. Suppressed findings are
 * kept (with their `suppression`); what the summary must say (expired rules, unused rules, new vs
 * existing) comes back as notes and counts. Pure.
 */
import type { Finding } from '../findings/finding.js'
import type { PolicyConfig } from '../config/policy-config.js'
import { markBaseline } from './baseline.js'
import { applyIgnoreRules, describeExpiredRule, type IgnoreRule } from './suppress.js'
import { applyVex } from './vex.js'

export interface PolicyImageInput {
  target: string
  repository: string
  findings: readonly Finding[]
}

export interface PolicyOutcome {
  /** Findings per image, in the order given. */
  findings: Finding[][]
  /** What may change the verdict (an ignore rule that expired): the action writes these as warnings, first. */
  warnings: string[]
  notes: string[]
  /** Present when a baseline was given. */
  baseline?: { newCount: number; existingCount: number }
}

export function applyPolicy(
  images: readonly PolicyImageInput[],
  policy: PolicyConfig,
  today: Date,
): PolicyOutcome {
  const notes: string[] = []
  const warnings: string[] = []
  const unusedEverywhere = new Set<IgnoreRule>(policy.ignoreRules)
  let expired: IgnoreRule[] = []
  let newCount = 0
  let existingCount = 0
  const findings = images.map((image) => {
    const ignored = applyIgnoreRules(image.findings, policy.ignoreRules, { today })
    expired = ignored.expiredRules
    const unused = new Set(ignored.unusedRules)
    for (const rule of [...unusedEverywhere]) if (!unused.has(rule)) unusedEverywhere.delete(rule)
    let result = policy.vex.length > 0 ? applyVex(ignored.findings, policy.vex) : ignored.findings
    if (policy.baseline !== undefined) {
      const marked = markBaseline(result, policy.baseline, image.repository, { gateOn: policy.gateOn })
      newCount += marked.newCount
      existingCount += marked.existingCount
      result = marked.findings
    }
    return result
  })
  for (const rule of expired) {
    unusedEverywhere.delete(rule)
    warnings.push(`${describeExpiredRule(rule)} — it no longer suppresses anything.`)
  }
  for (const rule of unusedEverywhere) {
    notes.push(
      `ignore rule for ${rule.id}${rule.origin !== undefined ? ` in ${rule.origin}` : ''} matched no finding (stale, or a typo?).`,
    )
  }
  const outcome: PolicyOutcome = { findings, warnings, notes }
  if (policy.baseline !== undefined) outcome.baseline = { newCount, existingCount }
  return outcome
}
