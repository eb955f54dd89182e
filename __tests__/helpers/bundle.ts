/**
 * Where the e2e tests find the bundled action and CLI: the folder the jest global setup built from the
 * current sources (__tests__/setup/build-bundle.ts). Running the e2e tests without that setup is an
 * error, not a silent fall-back to a possibly stale committed dist/.
 */
import { join } from 'node:path'

export function bundlePath(file: 'index.js' | 'cli.js'): string {
  const dir = process.env['CSG_TEST_BUNDLE_DIR']
  if (!dir)
    throw new Error(
      'CSG_TEST_BUNDLE_DIR is not set: run the e2e tests through jest (its globalSetup builds the bundle)',
    )
  return join(dir, file)
}
