#!/usr/bin/env node
// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with esbuild. Deterministic: the same
// sources and lockfile give the same bytes, which `.ci/run` checks against the committed dist/.
// `node scripts/build.js --outdir <dir>` writes the bundles to <dir> instead (the jest global setup
// builds the current sources there, so the e2e tests never run a stale committed dist/).
import { build } from 'esbuild'
import { rmSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } })
const outdir = values.outdir

// Some dependencies are CommonJS and call require() for Node built-ins; an ESM bundle needs a require.
const banner =
  "import { createRequire as __csgCreateRequire } from 'node:module';\nconst require = __csgCreateRequire(import.meta.url);"

rmSync(outdir, { recursive: true, force: true })
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'warning',
  // @cyclonedx/cyclonedx-library's XML plug-ins require these optional packages lazily, inside try/catch;
  // only its JSON serialiser is used, so they stay unresolved rather than fail the bundle.
  external: ['libxmljs2', 'xmlbuilder2'],
}
await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: join(outdir, 'index.js'),
  banner: { js: banner },
})
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: join(outdir, 'cli.js'),
  banner: { js: `#!/usr/bin/env node\n${banner}` },
})
chmodSync(join(outdir, 'cli.js'), 0o755)
