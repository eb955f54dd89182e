/**
 * A gzip-bomb layer through the built CLI, on an image packed by GNU tar and gzip: one layer holding a
 * sparse file of zeros just over the per-layer cap (4 GiB for a small blob) shrinks to a few MB. The
 * builtin scanner must refuse it naming the layer and the cap (exit 3), and with a short `--scan-timeout`
 * it must stop at the timeout instead (gunzipping 4 GiB takes seconds on any machine). The image is made
 * in the test and removed with its directory.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdir, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MIN_MAX_LAYER_EXPANDED_BYTES } from '../../src/target/layer-stream.js'
import { runCli } from '../helpers/cli-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
let image = ''
let blobBytes = 0
// Not checked while streaming (a diff ID is checked only when a layer is converted).
const DIFF_ID = `sha256:${'1'.repeat(64)}`

beforeAll(async () => {
  const work = await tempDir('csg-layer-bounds-')
  const root = join(work, 'root')
  await mkdir(join(root, 'app'), { recursive: true })
  await writeFile(join(root, 'app', 'zeros'), '')
  await truncate(join(root, 'app', 'zeros'), MIN_MAX_LAYER_EXPANDED_BYTES + 16 * 1024 * 1024)
  const layout = join(work, 'layout')
  await mkdir(join(layout, 'layer'), { recursive: true })
  execFileSync('tar', ['-czf', join(layout, 'layer', 'layer.tar.gz'), '-C', root, 'app'])
  blobBytes = (await stat(join(layout, 'layer', 'layer.tar.gz'))).size
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: { User: 'app' },
    rootfs: { type: 'layers', diff_ids: [DIFF_ID] },
    history: [{ created_by: 'COPY zeros /app/zeros' }],
  }
  await writeFile(join(layout, 'config.json'), JSON.stringify(config))
  await writeFile(
    join(layout, 'manifest.json'),
    JSON.stringify([{ Config: 'config.json', RepoTags: ['bomb:1'], Layers: ['layer/layer.tar.gz'] }]),
  )
  image = join(work, 'image.tar')
  execFileSync('tar', ['-cf', image, '-C', layout, 'config.json', 'layer', 'manifest.json'])
}, 600_000)

describe('a layer that expands past its cap (GNU tar + gzip), through the built CLI', () => {
  it('is refused naming the layer and the cap, exit 3', async () => {
    const run = await runCli(['scan', image, '--scanners', 'builtin'])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain(
      `layer 0 (${DIFF_ID}) expands to more than 4294967296 bytes (its blob is ${blobBytes}): ` +
        'refused as a decompression bomb',
    )
  }, 600_000)

  it('stops at --scan-timeout when that comes first, exit 3', async () => {
    const run = await runCli(['scan', image, '--scanners', 'builtin', '--scan-timeout', '1s'])
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('builtin did not finish within the scan timeout (1s)')
  }, 600_000)
})
