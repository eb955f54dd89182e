/**
 * Every scanner the action can run, by id. The compiler insists on one entry per `ScannerId`; a test checks
 * each entry has its pieces (id, version pin, version input).
 */
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

const SCANNERS = {
  builtin: builtinScanner,
  trivy: trivyScanner,
  grype: grypeScanner,
  'osv-scanner': osvScanner,
  dockle,
  hadolint,
  snyk,
  'docker-bench': dockerBench,
  'cinc-auditor': cincAuditor,
  cosign,
} as const satisfies Readonly<Record<ScannerId, Scanner>>

export function scannerById(id: ScannerId): Scanner {
  return SCANNERS[id]
}
