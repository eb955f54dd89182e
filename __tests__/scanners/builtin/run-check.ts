/** Runs one built-in check on a fake image the way the scanner does (one pass, masking, shared fields). */
import type { Finding } from '../../../src/findings/finding.js'
import type { ImageCheck } from '../../../src/scanners/builtin/check.js'
import { runBuiltinChecks } from '../../../src/scanners/builtin/run-checks.js'
import { silentLogger } from '../../../src/util/logger.js'
import { fakeCollectFinalFiles, fakeImage, type FakeImageSpec } from '../../helpers/fake-image.js'

export const TARGET = 'registry.example/app:1.0'

export function runCheck(check: ImageCheck, spec: FakeImageSpec = {}): Promise<Finding[]> {
  return runBuiltinChecks(fakeImage(spec), {
    target: TARGET,
    checks: [check],
    collectFinalFiles: fakeCollectFinalFiles,
    logger: silentLogger,
  })
}
