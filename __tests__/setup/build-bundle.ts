/**
 * Jest global setup: bundles the current sources into a fresh temporary folder and tells the e2e
 * runners where it is (CSG_TEST_BUNDLE_DIR), so `npm test` exercises `src/` as it is now, never a
 * committed dist/ that someone forgot to rebuild. The committed dist/ is checked by `.ci/run`.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function buildBundle(): void {
  if (process.env['CSG_TEST_BUNDLE_DIR']) return // nested or explicit: already built
  const dir = mkdtempSync(join(tmpdir(), 'csg-bundle-'))
  execFileSync(process.execPath, ['scripts/build.js', '--outdir', dir], { stdio: 'inherit' })
  process.env['CSG_TEST_BUNDLE_DIR'] = dir
  process.env['CSG_TEST_BUNDLE_OWNED'] = '1'
}
