import { describe, it, expect } from '@jest/globals'
import { secretFilesCheck } from '../../../src/scanners/builtin/secret-files.js'
import { sharedPrivateKeyCheck } from '../../../src/scanners/builtin/shared-private-key.js'
import { isLibraryPath } from '../../../src/scanners/builtin/secret-file-rules.js'
import type { FakeEntry, FakeLayer } from '../../helpers/fake-image.js'
import { ALL_PLANTED, planted, privateKeyBlock } from './planted.js'
import { runCheck, TARGET } from './run-check.js'
import { runBuiltinChecks } from '../../../src/scanners/builtin/run-checks.js'
import { collectFinalFiles } from '../../../src/target/filesystem.js'
import { silentLogger } from '../../../src/util/logger.js'
import { fakeImage } from '../../helpers/fake-image.js'

const one = (entry: FakeEntry): FakeLayer[] => [{ createdBy: 'COPY . /app # buildkit', entries: [entry] }]

const dockerConfig = (auth: string): string =>
  JSON.stringify({ auths: { 'registry.example': { auth } }, credsStore: '' })

describe('csg/secret-file', () => {
  it.each([
    ['/root/.ssh/id_rsa', privateKeyBlock('OPENSSH ')],
    ['/home/app/.ssh/id_ed25519', privateKeyBlock('OPENSSH ')],
    ['/etc/ssl/private/server.key', privateKeyBlock()],
    [
      '/app/certs/tls.pem',
      `-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n${privateKeyBlock('EC ')}`,
    ],
    [
      '/root/.aws/credentials',
      `[default]\naws_access_key_id = ${planted.awsAccessKeyId}\naws_secret_access_key = ${planted.awsSecretAccessKey}\n`,
    ],
    [
      '/app/.npmrc',
      `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${planted.password}\n`,
    ],
    ['/root/.pypirc', `[pypi]\nusername = __token__\npassword = ${planted.password}\n`],
    ['/root/.netrc', `machine git.example login ci password ${planted.password}\n`],
    ['/root/.pgpass', `# comment\ndb:5432:app:app:${planted.password}\n`],
    ['/root/.git-credentials', `https://ci:${planted.githubToken}@github.com\n`],
    ['/root/.docker/config.json', dockerConfig(Buffer.from(`ci:${planted.password}`).toString('base64'))],
    ['/root/.kube/config', `apiVersion: v1\nusers:\n- name: ci\n  user:\n    token: ${planted.password}\n`],
    ['/app/.env', `NODE_ENV=production\nSTRIPE_KEY=${planted.stripeKey}\n`],
    ['/app/.env.production', `export GITHUB_TOKEN=${planted.githubToken} # ci\n`],
  ])('reports %s as critical, with its layer', async (path, content) => {
    const findings = await runCheck(secretFilesCheck, { layers: one({ path, content }) })
    expect(findings).toHaveLength(1)
    const finding = findings[0]
    expect(finding).toMatchObject({
      ruleId: 'csg/secret-file',
      kind: 'secret',
      severity: 'critical',
      subject: path,
      layer: { diffId: expect.stringMatching(/^sha256:/), createdBy: 'COPY . /app # buildkit' },
    })
    expect(finding?.evidence).toMatch(/\(\d+ chars\)/)
    const json = JSON.stringify(finding)
    for (const secret of ALL_PLANTED) expect(json).not.toContain(secret)
    expect(json).not.toContain(planted.privateKeyBody.split('\n')[0])
  })

  it('reports a .env with only a secret-named literal as high', async () => {
    const findings = await runCheck(secretFilesCheck, {
      layers: one({ path: 'app/.env', content: `DB_PASSWORD=${planted.password}\n` }),
    })
    expect(findings.map((f) => f.severity)).toEqual(['high'])
  })

  it.each([
    // A hard link carries no content of its own: selected by name, its content cannot be confirmed.
    [
      'a hard link named id_rsa',
      { path: 'root/.ssh/id_rsa', type: 'hardlink' as const, linkTarget: 'tmp/k' },
    ],
    [
      'a Docker config that does not parse',
      { path: 'root/.docker/config.json', content: '{"auths": {"r": {"auth": "' },
    ],
  ])('reports %s as high', async (_name, entry) => {
    const findings = await runCheck(secretFilesCheck, { layers: one({ content: 'x', ...entry }) })
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([[`/${entry.path}`, 'high']])
  })

  it.each([
    [
      'a certificate named .pem',
      {
        path: 'etc/ssl/certs/ca.pem',
        content: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      },
    ],
    [
      'a public key named .key',
      { path: 'etc/apt/trusted.gpg.d/repo.key', content: '-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQIN\n' },
    ],
    ['an id_rsa.pub', { path: 'root/.ssh/id_rsa.pub', content: 'ssh-ed25519 AAAAC3Nza user@host' }],
    ['an empty id_rsa', { path: 'root/.ssh/id_rsa', content: '' }],
    [
      'an .npmrc with only a registry',
      { path: 'app/.npmrc', content: 'registry=https://registry.npmjs.org/\n' },
    ],
    [
      'an .npmrc token from the environment',
      { path: 'app/.npmrc', content: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' },
    ],
    [
      'a Docker config with a credential helper',
      { path: 'root/.docker/config.json', content: '{"auths":{"r":{}},"credsStore":"ecr-login"}' },
    ],
    ['a Docker config with an empty auth', { path: 'root/.docker/config.json', content: dockerConfig('') }],
    ['a .env without secrets', { path: 'app/.env', content: 'NODE_ENV=production\nPORT=3000\n' }],
    ['a .env with placeholders', { path: 'app/.env', content: 'DB_PASSWORD=changeme\nAPI_TOKEN=\n' }],
    ['a .env.example', { path: 'app/.env.example', content: `DB_PASSWORD=${planted.password}\n` }],
    [
      'a test key in node_modules',
      { path: 'app/node_modules/ssh2/test/fixtures/id_rsa', content: privateKeyBlock() },
    ],
    [
      'a key in a Python package',
      { path: 'usr/local/lib/python3.12/site-packages/x/tests/key.pem', content: privateKeyBlock() },
    ],
    ['a key under /usr/share', { path: 'usr/share/doc/x/examples/server.key', content: privateKeyBlock() }],
    [
      'a kubeconfig using an exec plugin',
      { path: 'root/.kube/config', content: 'users:\n- name: x\n  user:\n    exec:\n      command: aws\n' },
    ],
    ['a directory named .env', { path: 'app/.env', type: 'directory' as const }],
    [
      'a symlink named id_rsa',
      { path: 'root/.ssh/id_rsa', type: 'symlink' as const, linkTarget: '/run/secrets/key' },
    ],
  ])('does not report %s', async (_name, entry) => {
    expect(await runCheck(secretFilesCheck, { layers: one(entry) })).toEqual([])
  })

  describe('a secret removed after it was added (the real collector)', () => {
    const key = privateKeyBlock('OPENSSH ')
    const dotenv = `STRIPE_KEY=${planted.stripeKey}\n`
    const added = { createdBy: 'COPY . /app # buildkit', entries: [{ path: 'app/.env', content: dotenv }] }
    const runReal = (layers: FakeLayer[]) =>
      runBuiltinChecks(fakeImage({ layers }), {
        target: TARGET,
        checks: [secretFilesCheck],
        collectFinalFiles,
        logger: silentLogger,
      })

    it.each([
      [
        'a whiteout (RUN rm)',
        [
          added,
          {
            createdBy: 'RUN /bin/sh -c rm /app/.env',
            entries: [{ path: 'app/.env', whiteout: 'file' as const }],
          },
        ],
        'deleted by layer 1 (`RUN /bin/sh -c rm /app/.env`)',
      ],
      [
        'an opaque whiteout of its directory',
        [
          added,
          {
            createdBy: 'RUN /bin/sh -c rm -rf /app && mkdir /app',
            entries: [{ path: 'app', whiteout: 'opaque' as const }],
          },
        ],
        'deleted by layer 1 (`RUN /bin/sh -c rm -rf /app && mkdir /app`)',
      ],
      [
        'a whiteout of its parent directory',
        [
          added,
          { createdBy: 'RUN /bin/sh -c rm -rf /app', entries: [{ path: 'app', whiteout: 'file' as const }] },
        ],
        'deleted by layer 1 (`RUN /bin/sh -c rm -rf /app`)',
      ],
      [
        'a later layer overwriting it',
        [
          added,
          {
            createdBy: 'RUN /bin/sh -c echo > /app/.env',
            entries: [{ path: 'app/.env', content: 'NODE_ENV=production\n' }],
          },
        ],
        'deleted by layer 1 (`RUN /bin/sh -c echo > /app/.env`)',
      ],
      [
        'a second entry later in the same layer',
        [
          {
            createdBy: 'COPY . /app # buildkit',
            entries: [
              { path: 'app/.env', content: dotenv },
              { path: 'app/.env', content: 'X=1\n' },
            ],
          },
        ],
        'overwritten later in the same layer',
      ],
    ])(
      'reports a .env removed by %s, naming the layer that added it and what removed it',
      async (_name, layers, how) => {
        const findings = await runReal(layers)
        expect(findings).toHaveLength(1)
        expect(findings[0]).toMatchObject({
          ruleId: 'csg/secret-file',
          severity: 'critical',
          title: 'Environment file in an earlier layer: /app/.env',
          subject: '/app/.env (layer 0)',
          layer: { diffId: `sha256:${'0'.repeat(64)}`, createdBy: 'COPY . /app # buildkit' },
        })
        expect(findings[0]?.description).toContain(
          `It was added by layer 0 (\`COPY . /app # buildkit\`) and ${how}`,
        )
        expect(findings[0]?.description).toContain(
          'Use build secrets (RUN --mount=type=secret) or a multi-stage build',
        )
        expect(JSON.stringify(findings)).not.toContain(planted.stripeKey)
      },
    )

    it('reports a private key deleted by a later whiteout as critical', async () => {
      const findings = await runReal([
        { createdBy: 'COPY id_rsa /root/.ssh/id_rsa', entries: [{ path: 'root/.ssh/id_rsa', content: key }] },
        { createdBy: 'RUN /bin/sh -c rm -rf /root/.ssh', entries: [{ path: 'root/.ssh', whiteout: 'file' }] },
      ])
      expect(findings.map((f) => [f.title, f.severity])).toEqual([
        ['SSH private key in an earlier layer: /root/.ssh/id_rsa', 'critical'],
      ])
    })

    it('reports the final file once when a later layer only rewrote the same bytes (chmod)', async () => {
      const findings = await runReal([
        added,
        {
          createdBy: 'RUN /bin/sh -c chmod 600 /app/.env',
          entries: [{ path: 'app/.env', content: dotenv, mode: 0o600 }],
        },
      ])
      expect(findings.map((f) => f.subject)).toEqual(['/app/.env'])
    })

    it('does not report a removed file that held no secret', async () => {
      const findings = await runReal([
        { entries: [{ path: 'app/.env', content: 'NODE_ENV=production\n' }] },
        { entries: [{ path: 'app/.env', whiteout: 'file' }] },
      ])
      expect(findings).toEqual([])
    })
  })

  it('attributes a file to the layer that last wrote it', async () => {
    const findings = await runCheck(secretFilesCheck, {
      layers: [
        { createdBy: 'COPY base', entries: [{ path: 'app/.npmrc', content: 'registry=https://r/\n' }] },
        {
          createdBy: `RUN |1 NPM_TOKEN=${planted.npmToken} /bin/sh -c echo "//r/:_authToken=$NPM_TOKEN" > /app/.npmrc`,
          entries: [{ path: 'app/.npmrc', content: `//r/:_authToken=${planted.npmToken}\n` }],
        },
      ],
    })
    expect(findings).toHaveLength(1)
    expect(findings[0]?.layer?.diffId).toBe(`sha256:${'0'.repeat(63)}1`)
    // The layer's created_by is quoted masked: the build argument is a secret too.
    expect(findings[0]?.layer?.createdBy).not.toContain(planted.npmToken)
    expect(findings[0]?.layer?.createdBy).toContain('NPM_TOKEN=npm_…(40 chars)')
  })

  it('reads at most 64 KiB of a candidate and still finds a key at its start', async () => {
    const content = privateKeyBlock() + 'x'.repeat(200 * 1024)
    const findings = await runCheck(secretFilesCheck, { layers: one({ path: 'root/.ssh/id_rsa', content }) })
    expect(findings.map((f) => f.severity)).toEqual(['critical'])
  })
})

describe('isLibraryPath', () => {
  it.each([
    ['app/node_modules/x/.env', true],
    ['usr/lib/python3/dist-packages/x/key.pem', true],
    ['srv/app/tests/fixtures/id_rsa', true],
    ['go/src/acme/vendor/x/server.key', true],
    ['root/.ssh/id_rsa', false],
    ['app/.env', false],
    ['home/tester/.ssh/id_rsa', false],
    ['app/test.env', false],
  ])('%s → %s', (path, expected) => {
    expect(isLibraryPath(path)).toBe(expected)
  })
})

describe('private keys by content, and well-known shared keys', () => {
  const pem = privateKeyBlock()
  const openssh = privateKeyBlock('OPENSSH ')
  const run = (entries: FakeEntry[]) =>
    runBuiltinChecks(fakeImage({ layers: [{ createdBy: 'COPY . /', entries }] }), {
      target: TARGET,
      checks: [secretFilesCheck, sharedPrivateKeyCheck],
      collectFinalFiles,
      logger: silentLogger,
    })
  const summary = async (entries: FakeEntry[]) =>
    (await run(entries)).map((f) => [f.ruleId, f.severity, f.subject])

  it.each([
    ['/app/deploy_key', openssh, [['csg/secret-file', 'critical', '/app/deploy_key']]],
    ['/srv/keys/signing', pem, [['csg/secret-file', 'critical', '/srv/keys/signing']]],
    // Named and content-matched: one finding, by its name's rule.
    ['/root/.ssh/id_rsa', openssh, [['csg/secret-file', 'critical', '/root/.ssh/id_rsa']]],
    [
      '/etc/ssh/ssh_host_ed25519_key',
      openssh,
      [['csg/shared-private-key', 'medium', '/etc/ssh/ssh_host_ed25519_key']],
    ],
    [
      '/etc/ssl/private/ssl-cert-snakeoil.key',
      pem,
      [['csg/shared-private-key', 'medium', '/etc/ssl/private/ssl-cert-snakeoil.key']],
    ],
    ['/app/README', `Keys look like this:\n${pem}`, []],
    ['/usr/lib/python3/dist-packages/x/test_key', pem, []],
  ])('%s', async (path, content, expected) => {
    expect(await summary([{ path, content }])).toEqual(expected)
  })

  it('titles a key found by content and masks it', async () => {
    const findings = await run([{ path: '/app/deploy_key', content: openssh }])
    expect(findings[0]?.title).toBe('Private key in the image: /app/deploy_key')
    expect(JSON.stringify(findings)).not.toContain(openssh.split('\n')[1])
  })

  it('does not read a file larger than the content bound by content', async () => {
    expect(await summary([{ path: '/app/big_key', content: pem + 'x'.repeat(64 * 1024) }])).toEqual([])
  })
})
