/**
 * Stable identity of a finding across builds: what GitHub uses to keep one alert open (and close it when
 * fixed) and what the baseline compares. Built from rule, package identity (not its version), subject and
 * image repository, never from a tag, digest, version or timestamp. Pure.
 */
import { createHash } from 'node:crypto'
import type { Finding } from './finding.js'

export function fingerprintOf(finding: Finding, repository: string): string {
  const parts = [
    finding.kind,
    finding.ruleId,
    finding.package?.type ?? '',
    finding.package?.name ?? '',
    finding.package?.path ?? '',
    finding.subject ?? '',
    repository,
  ]
  return `${createHash('sha256').update(parts.join('\u0000')).digest('hex')}:1`
}
