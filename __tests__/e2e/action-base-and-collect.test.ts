/**
 * The built action (INPUT_* env, as the runner runs it) with `ignore-base` on a matrix leg, and a collect
 * step (`reports: findings:…`) over two legs' findings files: the step summary's base-image section, the
 * verdict, and one SARIF with a run per image.
 */
import { beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from 'sarif'
import { CLEAN_DOCKERFILE, cleanImage } from '../../scripts/lib/demo-images.js'
import { writeImage, type ImageSpec } from '../../scripts/lib/image-builder.js'
import { privateKeyBlock } from '../../scripts/lib/planted-secrets.js'
import { runAction, type ActionRun } from '../helpers/action-runner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()

function imageWithBaseKey(): ImageSpec {
  const spec = cleanImage()
  const [baseLayer, ...rest] = spec.steps
  const key = { path: 'root/.ssh/id_rsa', content: privateKeyBlock(), mode: 0o600 }
  return { ...spec, steps: [{ ...baseLayer!, entries: [...(baseLayer!.entries ?? []), key] }, ...rest] }
}

let workspace: string
let legApp: ActionRun
let legWeb: ActionRun

beforeAll(async () => {
  workspace = await tempDir('csg-action-base-')
  await writeImage(imageWithBaseKey(), {
    format: 'docker-archive',
    out: join(workspace, 'app.tar'),
    repoTag: 'acme/app:1.0',
  })
  await writeImage(cleanImage(), {
    format: 'docker-archive',
    out: join(workspace, 'web.tar'),
    repoTag: 'acme/web:2.0',
  })
  await writeFile(join(workspace, 'Dockerfile'), CLEAN_DOCKERFILE)
  const leg = (image: string, matrix: string): Promise<ActionRun> =>
    runAction({
      inputs: {
        image,
        scanners: 'builtin',
        'fail-on': 'critical',
        'ignore-base': 'true',
        upload: 'never',
        matrix,
      },
      cwd: workspace,
    })
  legApp = await leg('app.tar', '{"image":"app"}')
  legWeb = await leg('web.tar', '{"image":"web"}')
}, 120_000)

describe('the action with ignore-base on a leg', () => {
  it('passes, and the summary says which FROM line brought the base finding', () => {
    expect(legApp.exitCode).toBe(0)
    expect(legApp.outputs['result']).toBe('pass')
    expect(legApp.summary).toContain(
      '### Base image\n\n1 finding(s) came with the base image busybox:1.36 (FROM at Dockerfile:1): update that FROM line to a patched base image to fix them. With ignore-base they do not fail the gate (1 would have).',
    )
  })
})

describe('the action as the collect step of two legs', () => {
  it('gates both images once and writes one SARIF with a run per image', async () => {
    // As download-artifact would lay them out.
    await copyFile(legApp.outputs['findings-file']!, join(workspace, 'findings-app.json'))
    await copyFile(legWeb.outputs['findings-file']!, join(workspace, 'findings-web.json'))
    const collect = await runAction({
      inputs: {
        reports: 'findings:findings-app.json\nfindings:findings-web.json',
        'fail-on': 'critical',
        upload: 'never',
      },
      cwd: workspace,
    })
    // Without ignore-base in the collect step, the key leg "app" marked base gates.
    expect(collect.exitCode).toBe(1)
    expect(collect.outputs['result']).toBe('fail')
    const sarif = JSON.parse(await readFile(collect.outputs['sarif-file']!, 'utf8')) as Log
    expect(sarif.runs.map((r) => r.automationDetails?.id)).toEqual([
      'container-security-gate/acme/app/',
      'container-security-gate/acme/web/',
    ])
    expect(collect.summary).toContain('1 finding(s) came with the base image (FROM at Dockerfile:1)')
  })
})
