/** Jest global teardown: removes the bundle folder that the global setup built. */
import { rmSync } from 'node:fs'

export default function removeBundle(): void {
  const dir = process.env['CSG_TEST_BUNDLE_DIR']
  if (dir && process.env['CSG_TEST_BUNDLE_OWNED'] === '1') rmSync(dir, { recursive: true, force: true })
}
