/** Stage: one image's findings from every scanner as one list, merged and located in the Dockerfile. */
import { attributeFindings } from '../findings/attribution.js'
import type { Finding } from '../findings/finding.js'
import { mergeFindings } from '../findings/merge.js'
import type { ImageResult } from '../report/gate-result.js'
import { scannerById } from '../scanners/registry.js'
import { isScannerId } from '../scanners/scanner.js'
import type { LoadedDockerfile } from './dockerfile.js'
import type { ScanTarget } from './targets.js'

/** One image's findings from every scanner as one list: merged across scanners, located in the Dockerfile. */
export function consolidate(
  image: ImageResult,
  target: ScanTarget | undefined,
  dockerfile: LoadedDockerfile | undefined,
  severitySource: string,
): Finding[] {
  const merged = mergeFindings(
    image.findings.map((f) => withDockerfilePath(f, dockerfile?.path)),
    { severitySource },
  )
  return attributeFindings(merged, {
    history: target?.image.history ?? [],
    layers: target?.image.layers ?? [],
    ...(dockerfile !== undefined ? { dockerfile: dockerfile.model, dockerfilePath: dockerfile.path } : {}),
  })
}

/** Lint findings name the Dockerfile as the scanner saw it; point them at the repository path. */
function withDockerfilePath(finding: Finding, dockerfilePath: string | undefined): Finding {
  if (
    dockerfilePath === undefined ||
    finding.location === undefined ||
    !finding.detectedBy.some((id) => isScannerId(id) && scannerById(id).locatesInDockerfile === true)
  )
    return finding
  return { ...finding, location: { ...finding.location, path: dockerfilePath } }
}
