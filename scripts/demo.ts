// npm run demo: generates a small image with planted problems and a clean one (no network, no Docker),
// then scans both with the built CLI (dist/cli.js) and shows the exit codes.
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { CLEAN_DOCKERFILE, PLANTED_DOCKERFILE, cleanImage, plantedImage } from './lib/demo-images.js'
import { writeImage } from './lib/image-builder.js'

const dir = resolve('node_modules/.cache/csg-demo')
rmSync(dir, { recursive: true, force: true })
mkdirSync(join(dir, 'bad'), { recursive: true })
mkdirSync(join(dir, 'clean'), { recursive: true })
writeFileSync(join(dir, 'bad', 'Dockerfile'), PLANTED_DOCKERFILE)
writeFileSync(join(dir, 'clean', 'Dockerfile'), CLEAN_DOCKERFILE)
const bad = join(dir, 'bad', 'demo-bad.tar')
const clean = join(dir, 'clean', 'demo-clean.tar')
await writeImage(plantedImage(), {
  format: 'docker-archive',
  out: bad,
  repoTag: 'demo/bad:1.0',
  gzipLayers: true,
})
await writeImage(cleanImage(), { format: 'docker-archive', out: clean, repoTag: 'demo/clean:1.0' })

function scan(label: string, image: string, extra: string[]): number {
  const args = ['dist/cli.js', 'scan', image, '--scanners', 'builtin', ...extra]
  console.log(`\n$ container-security-gate ${args.slice(1).join(' ')}   # ${label}`)
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' })
  console.log(`exit code ${result.status ?? 'none'}`)
  return result.status ?? -1
}

const badExit = scan('planted problems', bad, [
  '--fail-on',
  'high',
  '--dockerfile',
  join(dir, 'bad', 'Dockerfile'),
  '--sarif',
  join(dir, 'bad', 'results.sarif'),
  '--json',
  join(dir, 'bad', 'findings.json'),
])
const cleanExit = scan('clean image', clean, [
  '--fail-on',
  'medium',
  '--dockerfile',
  join(dir, 'clean', 'Dockerfile'),
])
console.log(`\nSARIF and findings JSON of the first scan: ${join(dir, 'bad')}`)
if (badExit !== 1 || cleanExit !== 0) {
  console.error(`demo: expected exit codes 1 (planted) and 0 (clean), got ${badExit} and ${cleanExit}`)
  process.exit(1)
}
console.log(
  'demo: the gate failed the planted image (exit 1) and passed the clean one (exit 0), as it should.',
)
