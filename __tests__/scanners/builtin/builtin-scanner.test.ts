import { describe, it, expect } from '@jest/globals'
import { BUILTIN_CHECKS, builtinScanner, createBuiltinScanner } from '../../../src/scanners/builtin.js'
import type { ImageCheck } from '../../../src/scanners/builtin/check.js'
import type { ScanContext } from '../../../src/scanners/scanner.js'
import type { OpenedImage } from '../../../src/target/image-types.js'
import { ImageError, ScannerError } from '../../../src/util/errors.js'
import { testScanContext } from '../../helpers/scan-context.js'
import { fakeCollectFinalFiles, fakeImage, type FakeImageSpec } from '../../helpers/fake-image.js'
import { ALL_PLANTED, planted, privateKeyBlock } from './planted.js'

const TARGET = 'ghcr.io/acme/app:pr-42'

function scanContext(image: OpenedImage): ScanContext {
  return testScanContext({
    target: TARGET,
    source: image.source,
    image,
    workDir: '/tmp/csg-test',
    run: () => Promise.reject(new Error('builtin must not run commands')),
    env: {},
  })
}

/** An image that trips every check, with a secret in every place one can hide. */
const SECRET_LADEN: FakeImageSpec = {
  config: {
    env: [
      'PATH=/usr/local/bin:/usr/bin:/bin',
      `AWS_ACCESS_KEY_ID=${planted.awsAccessKeyId}`,
      `AWS_SECRET_ACCESS_KEY=${planted.awsSecretAccessKey}`,
      `DB_PASSWORD=${planted.password}`,
      `SHORT_PASSWORD=${planted.shortPassword}`,
      `DATABASE_URL=postgres://app:${planted.password}@db/app`,
      `SSH_KEY=${privateKeyBlock()}`,
    ],
    exposedPorts: ['22/tcp', '8080/tcp'],
  },
  history: [
    { createdBy: '/bin/sh -c #(nop) ADD file:0123abcd in / ', emptyLayer: false },
    { createdBy: `ARG NPM_TOKEN=${planted.npmToken}`, emptyLayer: true },
    { createdBy: `ENV GITHUB_TOKEN=${planted.githubToken}`, emptyLayer: true },
    {
      createdBy: `RUN |1 NPM_TOKEN=${planted.npmToken} /bin/sh -c echo "//r/:_authToken=${planted.npmToken}" > /root/.npmrc && curl -u ci:${planted.shortPassword} https://r/x # buildkit`,
      emptyLayer: false,
    },
    {
      createdBy: `ADD https://ci:${planted.password}@files.example/tool.tgz?sig=${planted.stripeKey} /opt/ # buildkit`,
      emptyLayer: false,
    },
    { createdBy: 'ENV GITHUB_TOKEN=', emptyLayer: true },
  ],
  layers: [
    {
      entries: [
        { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
        { path: 'etc/shadow', content: 'root::19000:0:::::\n' },
        { path: 'usr/bin/su', mode: 0o4755 },
        { path: 'usr/bin/passwd', mode: 0o4755 },
      ],
    },
    {
      entries: [
        { path: 'root/.npmrc', content: `//r/:_authToken=${planted.npmToken}\n` },
        { path: 'root/.ssh/id_rsa', content: privateKeyBlock('OPENSSH ') },
        { path: 'etc/ssh/ssh_host_ed25519_key', content: privateKeyBlock('OPENSSH ') },
        { path: 'root/.git-credentials', content: `https://ci:${planted.githubOauth}@github.com\n` },
        { path: 'app/.env', content: `SLACK=${planted.slackToken}\nGOOGLE=${planted.googleApiKey}\n` },
        {
          path: 'root/.docker/config.json',
          content: JSON.stringify({
            auths: { r: { auth: Buffer.from(`u:${planted.dockerHubToken}`).toString('base64') } },
          }),
        },
      ],
    },
    { entries: [{ path: 'opt/tool.tgz', content: 'x' }] },
  ],
}

describe('builtinScanner', () => {
  it('is the builtin scanner, with nothing to install', () => {
    expect(builtinScanner.id).toBe('builtin')
    expect(builtinScanner.name).toBe('Built-in checks')
    expect(builtinScanner.tool).toBeUndefined()
  })

  it('runs every check in one pass over the layers (with the real collector)', async () => {
    const image = fakeImage(SECRET_LADEN)
    const findings = await builtinScanner.scan(scanContext(image))
    expect(image.walks).toEqual([1, 1, 1])
    expect(new Set(findings.map((f) => f.ruleId))).toEqual(new Set(BUILTIN_CHECKS.map((c) => c.id)))
  })

  it('gives the same findings with the reference collector', async () => {
    const real = await builtinScanner.scan(scanContext(fakeImage(SECRET_LADEN)))
    const injected = await createBuiltinScanner({ collectFinalFiles: fakeCollectFinalFiles }).scan(
      scanContext(fakeImage(SECRET_LADEN)),
    )
    expect(injected).toEqual(real)
  })

  it('does not walk the layers when no check needs the filesystem', async () => {
    const image = fakeImage(SECRET_LADEN)
    const metadataOnly = BUILTIN_CHECKS.filter((c) => c.selects === undefined)
    const findings = await createBuiltinScanner({ checks: metadataOnly }).scan(scanContext(image))
    expect(image.walks).toEqual([0, 0, 0])
    expect(findings.length).toBeGreaterThan(0)
  })

  it('marks every finding as builtin, for the target as named, with help and references', async () => {
    const findings = await builtinScanner.scan(scanContext(fakeImage(SECRET_LADEN)))
    for (const finding of findings) {
      expect(finding.detectedBy).toEqual(['builtin'])
      expect(finding.target).toBe(TARGET)
      expect(finding.severityBySource).toEqual({ builtin: { severity: finding.severity } })
      expect(finding.help?.markdown.length).toBeGreaterThan(100)
      expect(finding.references.length).toBeGreaterThan(0)
      expect(finding.ruleId).toMatch(/^csg\/[a-z-]+$/)
    }
  })

  it('never lets a planted secret reach a finding, in any field', async () => {
    const findings = await builtinScanner.scan(scanContext(fakeImage(SECRET_LADEN)))
    // Secrets of every kind were found...
    const subjects = findings.map((f) => f.subject)
    expect(subjects).toEqual(
      expect.arrayContaining([
        'ENV AWS_ACCESS_KEY_ID',
        'ENV AWS_SECRET_ACCESS_KEY',
        'ENV DB_PASSWORD',
        'ENV SHORT_PASSWORD',
        'ENV DATABASE_URL',
        'ENV SSH_KEY',
        'history: ARG NPM_TOKEN',
        'history: ENV GITHUB_TOKEN',
        'history: RUN curl -u',
        'history: ADD URL credentials',
        '/root/.npmrc',
        '/root/.ssh/id_rsa',
        '/root/.git-credentials',
        '/app/.env',
        '/root/.docker/config.json',
        '/etc/shadow: root',
        'https://files.example/tool.tgz',
      ]),
    )
    // ...and none of them is in the serialised findings, whole or as a line of a key.
    const json = JSON.stringify(findings)
    const text = findings.map((f) => Object.values(f).join('\n')).join('\n')
    const keyLines = planted.privateKeyBody.split('\n')
    for (const secret of [...ALL_PLANTED, ...keyLines]) {
      expect(json).not.toContain(secret)
      expect(text).not.toContain(secret)
    }
    expect(json).not.toContain(Buffer.from(`u:${planted.dockerHubToken}`).toString('base64'))
  })

  it('fails with a ScannerError naming builtin when the layers cannot be read', async () => {
    const scanner = createBuiltinScanner({
      collectFinalFiles: () => Promise.reject(new ImageError('layer 1 (sha256:abc) is not a tar archive')),
    })
    const scan = scanner.scan(scanContext(fakeImage(SECRET_LADEN)))
    await expect(scan).rejects.toBeInstanceOf(ScannerError)
    await expect(scan).rejects.toMatchObject({
      scanner: 'builtin',
      message: expect.stringContaining('layer 1 (sha256:abc) is not a tar archive'),
    })
  })

  it('fails with a ScannerError naming the check when a check throws', async () => {
    const broken: ImageCheck = {
      ...BUILTIN_CHECKS[0]!,
      id: 'csg/broken',
      evaluate: () => {
        throw new TypeError('boom')
      },
    }
    const scan = createBuiltinScanner({ checks: [broken] }).scan(scanContext(fakeImage()))
    await expect(scan).rejects.toMatchObject({
      scanner: 'builtin',
      message: expect.stringContaining('csg/broken'),
    })
  })

  it('finds nothing in a well-built image', async () => {
    const findings = await builtinScanner.scan(
      scanContext(
        fakeImage({
          config: {
            user: '10001:10001',
            exposedPorts: ['8080/tcp'],
            env: ['PATH=/usr/bin', 'NODE_ENV=production'],
            healthcheck: { test: ['CMD', '/app/healthcheck'] },
          },
          layers: [{ entries: [{ path: 'etc/passwd', content: 'root:x:0:0::/root:/sbin/nologin\n' }] }],
        }),
      ),
    )
    expect(findings).toEqual([])
  })
})

describe('BUILTIN_CHECKS', () => {
  it('has unique, prefixed, stable rule ids', () => {
    const ids = BUILTIN_CHECKS.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual([
      'csg/root-user',
      'csg/no-healthcheck',
      'csg/risky-port',
      'csg/secret-in-env',
      'csg/secret-in-history',
      'csg/secret-file',
      'csg/shared-private-key',
      'csg/setuid-files',
      'csg/remote-add',
      'csg/empty-password',
    ])
  })

  it.each(BUILTIN_CHECKS.map((c) => [c.id, c] as const))(
    '%s has a title, help with a fix, and references',
    (_id, check) => {
      expect(check.title.length).toBeGreaterThan(5)
      expect(check.help.text.length).toBeGreaterThan(50)
      expect(check.help.markdown).toContain('**Why it matters.**')
      expect(check.help.markdown).toContain('**How to fix.**')
      expect(check.help.markdown).toMatch(/```dockerfile\n/)
      expect(check.references.every((r) => r.startsWith('https://'))).toBe(true)
    },
  )
})

describe('builtin scan timeout', () => {
  it('stops walking the layers once scan-timeout has passed, with a ScannerError naming the timeout', async () => {
    const image = fakeImage({
      layers: [{ entries: [{ path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' }] }],
    })
    // A layer that never ends (a decompression bomb's worth of entries), yielding to timers as real I/O does.
    image.walkLayer = async function* () {
      for (let i = 0; ; i++) {
        if (i % 1000 === 0) await new Promise((done) => setImmediate(done))
        yield { path: `f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0 }
      }
    }
    const scan = builtinScanner.scan({ ...scanContext(image), timeoutMs: 1000 })
    await expect(scan).rejects.toThrow(
      new ScannerError(
        'builtin',
        'builtin did not finish within the scan timeout (1s) on ghcr.io/acme/app:pr-42',
      ),
    )
  })
})
