/**
 * Scanners document what their exit codes mean; `runScanner` only says "exited with code N". This puts
 * the documented meaning next to the number, so the user reads why the scan failed.
 */
import { ScannerError } from '../util/errors.js'

/** `… exited with code 129 …` → `… exited with code 129 (the OSV.dev API call failed) …`; anything else as is. */
export function explainExitCode(
  error: unknown,
  scannerId: string,
  meanings: Readonly<Record<number, string>>,
): unknown {
  if (!(error instanceof ScannerError)) return error
  const match = /exited with code (\d+)/.exec(error.message)
  const meaning = match ? meanings[Number(match[1])] : undefined
  if (meaning === undefined || match === null) return error
  return new ScannerError(scannerId, error.message.replace(match[0], `${match[0]} (${meaning})`), {
    cause: error,
  })
}
