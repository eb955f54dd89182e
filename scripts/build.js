#!/usr/bin/env node
// Bundles the action (dist/index.js) and the CLI (dist/cli.js) with esbuild. Deterministic: the same
// sources and lockfile give the same bytes, which `.ci/run` checks against the committed dist/.
import { build } from 'esbuild'
import { rmSync, chmodSync } from 'node:fs'

// Some dependencies are CommonJS and call require() for Node built-ins; an ESM bundle needs a require.
const banner =
  "import { createRequire as __csgCreateRequire } from 'node:module';\nconst require = __csgCreateRequire(import.meta.url);"

rmSync('dist', { recursive: true, force: true })
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
await build({ ...common, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', banner: { js: banner } })
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  banner: { js: `#!/usr/bin/env node\n${banner}` },
})
chmodSync('dist/cli.js', 0o755)
