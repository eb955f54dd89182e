/** Every scanner the action can run, by id. */
import { builtinScanner } from './builtin.js'
import { cincAuditor } from './cinc-auditor.js'
import { cosign } from './cosign.js'
import { dockerBench } from './docker-bench.js'
import { dockle } from './dockle.js'
import { grypeScanner } from './grype.js'
import { hadolint } from './hadolint.js'
import { osvScanner } from './osv-scanner.js'
import type { Scanner, ScannerId } from './scanner.js'
import { snyk } from './snyk.js'
import { trivyScanner } from './trivy.js'

const SCANNERS: readonly Scanner[] = [
  builtinScanner,
  trivyScanner,
  grypeScanner,
  osvScanner,
  dockle,
  hadolint,
  snyk,
  dockerBench,
  cincAuditor,
  cosign,
]

const BY_ID = new Map<ScannerId, Scanner>(SCANNERS.map((s) => [s.id, s]))

export function scannerById(id: ScannerId): Scanner {
  const scanner = BY_ID.get(id)
  if (scanner === undefined) throw new Error(`no scanner registered for id ${id}`)
  return scanner
}

export function allScanners(): readonly Scanner[] {
  return SCANNERS
}
