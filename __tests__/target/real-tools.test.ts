/**
 * Reads images written by real tools (umoci, skopeo) in all three forms. Registered as skipped (with a
 * message) when the tools are missing, unless CSG_REQUIRE_REAL_TOOLS=1, where their absence is a failure.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { resolveImageSource } from '../../src/target/image.js'
import { openImage } from '../../src/target/image-reader.js'
import type { OpenedImage } from '../../src/target/image-types.js'
import { repositoryOf } from '../../src/target/reference.js'
import type { CommandRunner } from '../../src/util/exec.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { buildRealImage, missingRealTools, type RealImage } from '../../scripts/lib/real-image-tools.js'

const REFERENCE = 'example.com/acme/app:1.0'
const noDocker: CommandRunner = () => Promise.reject(new Error('docker must not be called'))

// Without the tools the tests register as skipped (not passed); with CSG_REQUIRE_REAL_TOOLS=1 (CI) a
// missing tool fails the file.
const missing = await missingRealTools()
if (missing.length > 0 && process.env['CSG_REQUIRE_REAL_TOOLS'] === '1') {
  throw new Error(`CSG_REQUIRE_REAL_TOOLS=1 but real image tools are missing: ${missing.join(', ')}`)
}
const describeReal = missing.length === 0 ? describe : describe.skip
if (missing.length > 0) console.warn(`skipping real-tool image tests: ${missing.join(', ')} not installed`)

describeReal('images written by umoci and skopeo', () => {
  let root = ''
  let real: RealImage | undefined

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'csg-real-tools-'))
    real = await buildRealImage(
      {
        layers: [
          {
            createdBy: 'COPY rootfs /',
            files: [
              { path: 'etc/os-release', content: 'ID=umoci\n' },
              { path: 'etc/hello', content: 'hi\n' },
              { path: 'etc/conf.d/a.conf', content: 'a\n' },
              { path: 'usr/bin/su', content: 'elf', mode: 0o4755 },
            ],
          },
          {
            createdBy: 'RUN rm /etc/hello && rm -r /etc/conf.d/* && echo b > /etc/conf.d/b.conf',
            files: [{ path: 'etc/conf.d/b.conf', content: 'b\n' }],
            remove: ['etc/hello', 'etc/conf.d/a.conf'],
          },
        ],
        config: {
          User: '1000:1000',
          ExposedPorts: ['8080/tcp'],
          Env: ['API_TOKEN=from-umoci'],
          Labels: { team: 'platform' },
          WorkingDir: '/app',
          Cmd: ['/bin/sh', '-c', 'serve'],
        },
      },
      { workDir: root, reference: REFERENCE },
    )
  }, 120_000)

  afterAll(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true })
  })

  const forms = ['oci-dir', 'docker-archive', 'oci-archive'] as const
  it.each(forms)('reads the %s form', async (form) => {
    if (real === undefined) throw new Error('the real image was not built (see beforeAll)')
    const input =
      form === 'oci-dir'
        ? `oci:${real.ociDir}:${real.tag}`
        : form === 'docker-archive'
          ? real.dockerArchive
          : real.ociArchive
    const logger = new RecordingLogger()
    const source = await resolveImageSource(input, {
      cwd: root,
      tempDir: join(root, 'tmp'),
      run: noDocker,
      logger,
    })
    expect(source.kind).toBe(form)
    const image: OpenedImage = await openImage(source, { tempDir: join(root, 'tmp'), logger })
    try {
      expect(image.config).toMatchObject({
        user: '1000:1000',
        exposedPorts: ['8080/tcp'],
        env: ['API_TOKEN=from-umoci'],
        labels: { team: 'platform' },
        workingDir: '/app',
        cmd: ['/bin/sh', '-c', 'serve'],
      })
      expect(image.config.healthcheck).toBeUndefined() // umoci cannot set one
      expect(image.layers).toHaveLength(2)
      expect(image.layers.map((l) => l.createdBy)).toEqual([
        'COPY rootfs /',
        'RUN rm /etc/hello && rm -r /etc/conf.d/* && echo b > /etc/conf.d/b.conf',
      ])
      expect(image.imageId).toMatch(/^sha256:[a-f0-9]{64}$/)
      if (form !== 'oci-dir') expect(repositoryOf(source, image)).toBe('example.com/acme/app')

      const files = await collectFinalFiles(image, {
        select: (h) => h.type === 'file',
        wantContent: () => true,
      })
      expect(Object.fromEntries([...files].map(([p, f]) => [p, f.entry.content?.toString()]))).toEqual({
        'etc/os-release': 'ID=umoci\n',
        'etc/conf.d/b.conf': 'b\n',
        'usr/bin/su': 'elf',
      })
      expect(files.get('usr/bin/su')?.entry.mode).toBe(0o4755)
      expect(files.get('etc/conf.d/b.conf')?.layerIndex).toBe(1)
    } finally {
      await image.close()
    }
  })
})
