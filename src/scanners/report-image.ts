/**
 * The image ID (`sha256:` digest of the image config) a report names, kept beside the findings a parser
 * returns (Trivy `Metadata.ImageID`, Grype `source.target.imageID`), so reports of one image imported
 * under different names (`app.tar`, `docker-archive:app.tar`) are grouped as one image.
 */
import type { Finding } from '../findings/finding.js'

const IMAGE_IDS = new WeakMap<readonly Finding[], string>()
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/

/** Returns `findings` with the report's image ID attached (ignored unless it is a sha256 digest). */
export function withReportImageId(findings: Finding[], imageId: string | undefined): Finding[] {
  if (imageId !== undefined && IMAGE_ID.test(imageId)) IMAGE_IDS.set(findings, imageId)
  return findings
}

export function reportImageIdOf(findings: readonly Finding[]): string | undefined {
  return IMAGE_IDS.get(findings)
}
