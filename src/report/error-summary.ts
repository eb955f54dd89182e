/**
 * The job summary of a run that stopped before a verdict (a bad input, an unreadable image, a bug): what
 * failed, in words, so the summary never stays empty while the step fails. Pure.
 */
import { escapeMarkdown } from './markdown.js'

/** What kind of failure stopped the run, as the summary names it. */
export type RunErrorKind = 'configuration' | 'image' | 'scanner' | 'upload' | 'internal'

const KIND_TEXT: Record<RunErrorKind, string> = {
  configuration: 'An input is not valid',
  image: 'The image could not be read',
  scanner: 'A scanner or report could not be read',
  upload: 'The code scanning upload failed',
  internal: 'The action hit an internal error (a bug; please report it)',
}

export function buildErrorSummaryMarkdown(failure: { kind: RunErrorKind; message: string }): string {
  // An internal error's message carries a stack trace: its first line says what failed.
  const message = failure.message.split('\n')[0] ?? ''
  return [
    '## ⚠️ Container security gate errored',
    '',
    `${KIND_TEXT[failure.kind]}, so the run stopped before a verdict and the image cannot be called clean:`,
    '',
    `- ${escapeMarkdown(message, 2000)}`,
    '',
  ].join('\n')
}
