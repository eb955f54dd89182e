/**
 * The scan context of a scanner test: what a scanner gets from the scan stage, with defaults for what
 * a test is not about. The opened image is a stub (scanners that run an executable do not read it),
 * commands run for real, the environment is PATH only and there are no scanner options.
 */
import { join } from 'node:path'
import type { ScanContext } from '../../src/scanners/scanner.js'
import type { ImageSource, OpenedImage } from '../../src/target/image-types.js'
import { runCommand } from '../../src/util/exec.js'
import { RecordingLogger } from './recording-logger.js'

/** A local Docker image as the scan stage hands it over: exported once to `saved.tar` in `dir`. */
export function daemonSource(dir: string, reference = 'app:ci'): ImageSource {
  return { input: reference, kind: 'daemon', path: join(dir, 'saved.tar'), reference }
}

export function testScanContext(options: Partial<ScanContext> & Pick<ScanContext, 'workDir'>): ScanContext {
  return {
    target: 'app:ci',
    source: daemonSource(options.workDir),
    image: {} as OpenedImage,
    timeoutMs: 30_000,
    logger: new RecordingLogger(),
    run: runCommand,
    env: { PATH: process.env['PATH'] },
    options: {},
    ...options,
  }
}
