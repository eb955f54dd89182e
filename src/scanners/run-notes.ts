/**
 * A note a scanner or parser attaches to the findings it returns, for the scanner's row in the summary
 * and the log (e.g. "12 of 40 controls skipped"). Kept beside the findings array rather than in it, so
 * the scanner interface stays `Finding[]`.
 */
import type { Finding } from '../findings/finding.js'

const NOTES = new WeakMap<readonly Finding[], string>()

/** Returns `findings` with `note` attached. */
export function withRunNote(findings: Finding[], note: string): Finding[] {
  NOTES.set(findings, note)
  return findings
}

/** The note attached to `findings`, if any. */
export function runNoteOf(findings: readonly Finding[]): string | undefined {
  return NOTES.get(findings)
}
