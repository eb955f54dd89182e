#!/usr/bin/env node
// Runs a TypeScript script of this repository (scripts/*.ts) on plain Node 20: bundles it with esbuild
// into node_modules/.cache and imports it. Usage: node scripts/run-ts.js scripts/demo.ts [args...]
import { build } from 'esbuild'
import { mkdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [entry, ...args] = process.argv.slice(2)
if (!entry) {
  console.error('usage: node scripts/run-ts.js <script.ts> [args...]')
  process.exit(2)
}
const outDir = resolve('node_modules/.cache/csg-scripts')
mkdirSync(outDir, { recursive: true })
const outfile = join(outDir, basename(entry).replace(/\.ts$/, '.mjs'))
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
})
process.argv = [process.argv[0], resolve(entry), ...args]
await import(pathToFileURL(outfile).href)
