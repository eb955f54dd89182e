/**
 * `ignore-base`: findings attribution traced to the final stage's base image are reported but kept out
 * of the gate; the image's own layers gate as before. A finding without attribution (no Dockerfile, an
 * imported report on no image) is not known to be the base image's, so it gates. Pure.
 */
import type { Finding } from '../findings/finding.js'

export interface BaseExemptionPolicy {
  ignoreBase?: boolean
}

/** True when `finding` came with the base image and `ignore-base` is on. */
export function isBaseExempt(finding: Finding, policy: BaseExemptionPolicy): boolean {
  return policy.ignoreBase === true && finding.base === true
}
