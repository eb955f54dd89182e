/**
 * Stage: the policy file's trusted base images, checked once per scanned image against the Dockerfile's
 * `FROM` lines and the image's own `org.opencontainers.image.base.name` annotation or label. The findings join the
 * image's others before suppressions, so an ignore rule can accept one like any finding.
 */
import type { BaseImagePolicy } from '../policy/base-images.js'
import { checkBaseImages } from '../policy/base-images.js'
import type { ImageResult } from '../report/gate-result.js'
import { appendAll } from '../util/arrays.js'
import type { LoadedDockerfile } from './dockerfile.js'
import type { ScanTarget } from './targets.js'

export function addBaseImageFindings(
  images: readonly ImageResult[],
  targets: readonly ScanTarget[],
  dockerfile: LoadedDockerfile | undefined,
  policy: BaseImagePolicy | undefined,
): void {
  if (policy === undefined) return
  for (const image of images) {
    const target = targets.find((t) => t.name === image.target)
    appendAll(
      image.findings,
      checkBaseImages({
        target: image.target,
        policy,
        ...(dockerfile !== undefined ? { model: dockerfile.model } : {}),
        // The manifest annotation (buildah, BuildKit) wins over a label of the same key.
        ...(target !== undefined
          ? { labels: { ...target.image.config.labels, ...(target.image.annotations ?? {}) } }
          : {}),
      }),
    )
  }
}
