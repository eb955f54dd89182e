/**
 * The `platform` input on a local multi-platform OCI layout and archive (as buildx writes them): each
 * platform picked is a target of its own, and scanners that read the layout itself get a copy holding that
 * image alone (Trivy and Grype would otherwise pick the index's first image).
 */
import { describe, it, expect } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeMultiPlatformImage } from '../../scripts/lib/multi-platform-image.js'
import type { Config } from '../../src/config/config.js'
import type { PipelineDeps } from '../../src/stages/deps.js'
import { closeTargets, resolveTargets } from '../../src/stages/targets.js'
import { imageSourceIn } from '../../src/target/image-forms.js'
import { parsePlatformRequest } from '../../src/target/platform.js'
import { ImageError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { tempDirs } from '../helpers/temp-dirs.js'

const tempDir = tempDirs()
const step = (content: string) => ({
  steps: [{ createdBy: `COPY ${content}`, entries: [{ path: 'etc/which', content }] }],
})

async function layout(format: 'oci-dir' | 'oci-archive'): Promise<{ dir: string; input: string }> {
  const dir = await tempDir('csg-platforms-')
  const out = join(dir, format === 'oci-dir' ? 'layout' : 'image.tar')
  await writeMultiPlatformImage(
    [
      { architecture: 'amd64', spec: step('amd64') },
      { architecture: 'arm64', variant: 'v8', spec: step('arm64') },
      { architecture: 'arm', variant: 'v7', spec: step('armv7') },
    ],
    { format, out, repoTag: 'example.com/acme/app:1.0', attestations: true },
  )
  return { dir, input: `${format === 'oci-dir' ? 'oci:' : 'oci-archive:'}${out}` }
}

/** How findings name the image (src/target/target-name.ts: an archive path relative to the workspace). */
function shown(format: 'oci-dir' | 'oci-archive', input: string): string {
  return format === 'oci-archive' ? 'oci-archive:image.tar' : input
}

function setup(dir: string, input: string, platform: string): { config: Config; deps: PipelineDeps } {
  const config = {
    images: [input],
    workspace: dir,
    tempDir: join(dir, 'tmp'),
    platforms: parsePlatformRequest(platform),
    registry: { insecureRegistries: [] },
  } as unknown as Config
  const deps = {
    logger: new RecordingLogger(),
    env: {},
    run: () => Promise.reject(new Error('no process may run')),
  } as unknown as PipelineDeps
  return { config, deps }
}

describe.each(['oci-dir', 'oci-archive'] as const)('a multi-platform %s', (format) => {
  it('gives one target per platform picked, with its own name and repository', async () => {
    const { dir, input } = await layout(format)
    const { config, deps } = setup(dir, input, 'linux/arm/v7,linux/arm64')
    const targets = await resolveTargets(config, deps)
    try {
      expect(
        targets.map((t) => [t.name, t.repository, t.image.architecture, t.image.source.selectedImage]),
      ).toEqual([
        [
          `${shown(format, input)} (linux/arm/v7)`,
          'example.com/acme/app@linux-arm-v7',
          'arm',
          'linux/arm/v7',
        ],
        [
          `${shown(format, input)} (linux/arm64/v8)`,
          'example.com/acme/app@linux-arm64-v8',
          'arm64',
          'linux/arm64/v8',
        ],
      ])
      // The builtin reads the picked image; a scanner needing a layout gets one holding it alone.
      for (const [i, target] of targets.entries()) {
        const written = await imageSourceIn(
          { source: target.image.source, image: target.image, logger: deps.logger },
          ['oci-dir'],
        )
        const index = JSON.parse(await readFile(join(written.path, 'index.json'), 'utf8')) as {
          manifests: { mediaType: string }[]
        }
        expect(index.manifests.map((m) => m.mediaType)).toEqual([
          'application/vnd.oci.image.manifest.v1+json',
        ])
        const entries: string[] = []
        for await (const entry of target.image.walkLayer(0, { wantContent: () => true })) {
          if (entry.path === 'etc/which') entries.push(entry.content?.toString() ?? '')
        }
        expect(entries).toEqual([['armv7', 'arm64'][i]])
      }
    } finally {
      await closeTargets(targets)
    }
  })

  it('scans every platform with all, and lists the platforms when one is missing', async () => {
    const { dir, input } = await layout(format)
    const all = setup(dir, input, 'all')
    const targets = await resolveTargets(all.config, all.deps)
    expect(targets.map((t) => t.image.architecture)).toEqual(['amd64', 'arm64', 'arm'])
    await closeTargets(targets)
    const missing = setup(dir, input, 'linux/s390x')
    await expect(resolveTargets(missing.config, missing.deps)).rejects.toThrow(
      new ImageError(
        `${input} has no linux/s390x image (platforms: linux/amd64, linux/arm64/v8, linux/arm/v7); set the platform input to one of them or to all`,
      ),
    )
  })
})
