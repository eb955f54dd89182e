/**
 * The image in the form a scanner can read. Scanners differ: Trivy's `--input` reads a docker-archive or
 * an OCI layout directory but not an OCI archive tar; OSV-Scanner and Dockle read docker-archives only;
 * Snyk no OCI directory. When the user's form is not one a scanner reads, the image is written once in a
 * form it does read — shared by every scanner that needs it, as the one `docker save` of a daemon image
 * is — and removed when the image is closed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ImageError } from '../util/errors.js'
import type { Logger } from '../util/logger.js'
import { imageInternals } from './image-reader.js'
import type { ImageSource, OpenedImage } from './image-types.js'
import { writeDockerArchive, writeOciLayout } from './write-image.js'

/** The on-disk forms an image can be written in. */
export type WritableForm = 'docker-archive' | 'oci-dir'

const WRITTEN = new WeakMap<OpenedImage, Map<WritableForm, Promise<ImageSource>>>()

/** True when `source` can be handed to a scanner that reads `form` as it is. */
export function hasForm(source: ImageSource, form: WritableForm): boolean {
  if (form === 'oci-dir') return source.kind === 'oci-dir' && source.selectedImage === undefined
  return source.kind === 'docker-archive' || (source.kind === 'daemon' && source.path.trim() !== '')
}

/** What `imageSourceIn` reads from a scan: the image's source as given, and the opened image. */
export interface ImageFormContext {
  source: ImageSource
  image: OpenedImage
  logger: Logger
}

/**
 * A source in one of `accepted` forms: `ctx.source` when it has one of them, else a copy of the image in
 * the first accepted form, written on the first call and shared by every later one.
 */
export function imageSourceIn(
  ctx: ImageFormContext,
  accepted: readonly WritableForm[],
): Promise<ImageSource> {
  const { image, logger } = ctx
  if (accepted.some((form) => hasForm(ctx.source, form))) return Promise.resolve(ctx.source)
  const form = accepted[0]
  if (form === undefined) return Promise.reject(new Error('imageSourceIn: no accepted form'))
  let forms = WRITTEN.get(image)
  if (forms === undefined) {
    forms = new Map()
    WRITTEN.set(image, forms)
  }
  let written = forms.get(form)
  if (written === undefined) {
    written = writeForm(image, form, logger)
    forms.set(form, written)
  }
  return written
}

async function writeForm(image: OpenedImage, form: WritableForm, logger: Logger): Promise<ImageSource> {
  const internals = imageInternals(image)
  if (internals === undefined) {
    throw new ImageError(`${image.source.input} cannot be written as a ${form}: it was not opened from disk`)
  }
  await mkdir(internals.tempDir, { recursive: true })
  const dir = await mkdtemp(join(internals.tempDir, `image-${form}-`))
  internals.onClose(() => rm(dir, { recursive: true, force: true }))
  const options = { layout: internals.layout, diffIds: image.layers.map((layer) => layer.diffId) }
  const started = Date.now()
  let source: ImageSource
  if (form === 'oci-dir') {
    const path = join(dir, 'layout')
    await writeOciLayout(path, options)
    source = { input: image.source.input, kind: 'oci-dir', path }
  } else {
    const path = join(dir, 'image.tar')
    await writeDockerArchive(path, options)
    source = { input: image.source.input, kind: 'docker-archive', path }
  }
  logger.info(
    `wrote ${image.source.input} as a ${form} for the scanners that need one (${Date.now() - started} ms): ${source.path}`,
  )
  return source
}
