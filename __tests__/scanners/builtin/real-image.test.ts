/**
 * The builtin scanner on real image archives (written by the project's image builder, read by the real
 * reader): tar modes, whiteouts and history as they are on disk, in every layout.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeImage, type ImageFormat, type ImageSpec } from '../../../scripts/lib/image-builder.js'
import { builtinScanner } from '../../../src/scanners/builtin.js'
import { openImage } from '../../../src/target/image-reader.js'
import type { ImageSourceKind, OpenedImage } from '../../../src/target/image-types.js'
import { silentLogger } from '../../../src/util/logger.js'
import { testScanContext } from '../../helpers/scan-context.js'
import { ALL_PLANTED, planted, privateKeyBlock } from './planted.js'

const SPEC: ImageSpec = {
  config: {
    Env: ['PATH=/usr/bin:/bin', `API_TOKEN=${planted.password}`],
    ExposedPorts: ['22/tcp', '8080/tcp'],
  },
  steps: [
    {
      createdBy: '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ',
      entries: [
        { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
        { path: 'usr/bin/su', content: 'ELF', mode: 0o4755 },
        { path: 'usr/bin/newgrp', content: 'ELF', mode: 0o4755 },
        { path: 'app/.env', content: `GITHUB_TOKEN=${planted.githubToken}\n` },
      ],
    },
    { createdBy: `ARG NPM_TOKEN=${planted.npmToken}` },
    {
      createdBy: `RUN |1 NPM_TOKEN=${planted.npmToken} /bin/sh -c chmod u-s /usr/bin/newgrp && rm /app/.env # buildkit`,
      entries: [
        { path: 'usr/bin/newgrp', content: 'ELF', mode: 0o755 },
        { path: 'app/.wh..env', content: '' },
      ],
    },
    {
      createdBy: 'COPY id_rsa /root/.ssh/id_rsa # buildkit',
      entries: [{ path: 'root/.ssh/id_rsa', content: privateKeyBlock('OPENSSH '), mode: 0o600 }],
    },
  ],
}

const LAYOUTS: [ImageFormat, ImageSourceKind, string][] = [
  ['docker-archive', 'docker-archive', 'image.tar'],
  ['docker-archive-oci', 'docker-archive', 'image-oci.tar'],
  ['oci-dir', 'oci-dir', 'oci'],
  ['oci-archive', 'oci-archive', 'image-oci-archive.tar'],
]

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csg-builtin-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function scan(format: ImageFormat, kind: ImageSourceKind, name: string) {
  const out = join(dir, name)
  await writeImage(SPEC, { format, out, repoTag: 'acme/app:1.0', gzipLayers: format !== 'docker-archive' })
  const image: OpenedImage = await openImage(
    { input: out, kind, path: out },
    { tempDir: join(dir, `tmp-${name}`), logger: silentLogger, architecture: 'amd64' },
  )
  try {
    const ctx = testScanContext({
      target: 'acme/app:1.0',
      source: image.source,
      image,
      workDir: dir,
      timeoutMs: 60_000,
      logger: silentLogger,
      run: () => Promise.reject(new Error('not used')),
      env: {},
    })
    return await builtinScanner.scan(ctx)
  } finally {
    await image.close()
  }
}

describe('builtinScanner on real archives', () => {
  it.each(LAYOUTS)('reads %s', async (format, kind, name) => {
    const findings = await scan(format, kind, name)
    const byRule = (ruleId: string) => findings.filter((f) => f.ruleId === ruleId)

    expect(byRule('csg/root-user').map((f) => f.instruction)).toEqual([{ keyword: 'FROM' }])
    expect(byRule('csg/risky-port').map((f) => f.subject)).toEqual(['22/tcp'])
    expect(byRule('csg/secret-in-env').map((f) => f.subject)).toEqual(['ENV API_TOKEN'])
    expect(byRule('csg/secret-in-history').map((f) => f.subject)).toEqual(['history: ARG NPM_TOKEN'])
    // The .env deleted by a whiteout still ships in its layer; the key added last is attributed to its layer.
    const files = byRule('csg/secret-file')
    expect(files.map((f) => [f.subject, f.severity])).toEqual([
      ['/app/.env (layer 0)', 'critical'],
      ['/root/.ssh/id_rsa', 'critical'],
    ])
    expect(files[1]?.layer?.createdBy).toBe('COPY id_rsa /root/.ssh/id_rsa # buildkit')
    expect(files[0]?.title).toBe('Environment file in an earlier layer: /app/.env')
    expect(files[0]?.description).toContain(
      'and deleted by layer 1 (`RUN |1 NPM_TOKEN=npm_…(40 chars) /bin/sh -c chmod u-s /usr/bin/newgrp && rm /app/.env # buildkit`)',
    )
    // newgrp lost its bit in a later layer; su kept it.
    const setuid = byRule('csg/setuid-files')
    expect(setuid.map((f) => f.title)).toEqual(['1 setuid/setgid executable in the image'])
    expect(setuid[0]?.description).toContain('/usr/bin/su (setuid)')

    const json = JSON.stringify(findings)
    for (const secret of [...ALL_PLANTED, ...planted.privateKeyBody.split('\n')])
      expect(json).not.toContain(secret)
  })
})
