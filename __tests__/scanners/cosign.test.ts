import { describe, it, expect } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  COSIGN_UNSIGNED_RULE,
  COSIGN_UNVERIFIABLE_RULE,
  cosign,
  cosignMode,
  cosignSeverity,
  cosignTool,
  cosignVerifyArgs,
  digestReference,
  pickRepoDigest,
  repositoryOf,
  unsignedReason,
} from '../../src/scanners/cosign.js'
import type { ScannerOptions } from '../../src/scanners/scanner.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../../src/util/errors.js'
import { runCommand, type CommandRunner, type RunResult } from '../../src/util/exec.js'
import { daemonSource, testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const DIGEST = `sha256:${'1f'.repeat(32)}`
const PINNED = `ghcr.io/acme/app@${DIGEST}`

describe('cosignTool', () => {
  it.each<[Platform, string, string]>([
    ['linux-x64', 'cosign-linux-amd64', 'cosign'],
    ['linux-arm64', 'cosign-linux-arm64', 'cosign'],
    ['darwin-x64', 'cosign-darwin-amd64', 'cosign'],
    ['darwin-arm64', 'cosign-darwin-arm64', 'cosign'],
    ['win32-x64', 'cosign-windows-amd64.exe', 'cosign.exe'],
  ])('%s → %s', (platform, name, executable) => {
    expect(cosignTool.asset('3.1.1', platform)).toEqual({ name, format: 'raw', executable })
  })

  it('is verified against cosign_checksums.txt of the v-tag', () => {
    expect(cosignTool.checksums('3.1.1')).toEqual({ kind: 'checksums-file', name: 'cosign_checksums.txt' })
    expect(cosignTool.tag('v3.1.1')).toBe('v3.1.1')
  })
})

describe('cosignMode', () => {
  it.each<[ScannerOptions, ReturnType<typeof cosignMode>]>([
    [{ cosignKey: ' cosign.pub ' }, { kind: 'key', key: 'cosign.pub' }],
    [{ cosignKey: 'awskms:///alias/signer' }, { kind: 'key', key: 'awskms:///alias/signer' }],
    [
      {
        cosignCertificateIdentity:
          'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
        cosignCertificateOidcIssuer: 'https://token.actions.githubusercontent.com',
      },
      {
        kind: 'keyless',
        identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
        issuer: 'https://token.actions.githubusercontent.com',
      },
    ],
  ])('%j', (options, mode) => {
    expect(cosignMode(options)).toEqual(mode)
  })

  it.each<[ScannerOptions, RegExp]>([
    [{}, /set cosign-key, or cosign-certificate-identity with cosign-certificate-oidc-issuer/],
    [{ cosignKey: '  ' }, /needs a way to verify/],
    [{ cosignCertificateIdentity: 'me@example.com' }, /needs both/],
    [{ cosignCertificateOidcIssuer: 'https://accounts.google.com' }, /needs both/],
    [{ cosignKey: 'k.pub', cosignCertificateIdentity: 'me@example.com' }, /not both/],
    [{ cosignKey: '--insecure-ignore-tlog' }, /could be read as an option/],
    [{ cosignCertificateIdentity: '-x', cosignCertificateOidcIssuer: 'i' }, /could be read as an option/],
  ])('refuses %j', (options, message) => {
    expect(() => cosignMode(options)).toThrow(ConfigurationError)
    expect(() => cosignMode(options)).toThrow(message)
  })

  it.each<[string | undefined, string]>([
    [undefined, 'high'],
    ['', 'high'],
    ['Critical', 'critical'],
    ['low', 'low'],
  ])('cosign-severity %j → %s', (text, severity) => {
    expect(cosignSeverity(text)).toBe(severity)
  })

  it.each(['unknown', 'severe', 'none'])('refuses cosign-severity %j', (text) => {
    expect(() => cosignSeverity(text)).toThrow(/cosign-severity/)
  })
})

describe('cosign references', () => {
  it('builds verify arguments for both modes', () => {
    expect(
      cosignVerifyArgs({ image: PINNED, mode: { kind: 'key', key: 'cosign.pub' }, timeoutMs: 90_500 }),
    ).toEqual(['verify', '--key', 'cosign.pub', '--output', 'json', '--timeout', '91s', PINNED])
    expect(
      cosignVerifyArgs({
        image: PINNED,
        mode: { kind: 'keyless', identity: 'id', issuer: 'iss' },
        timeoutMs: 1000,
      }),
    ).toEqual([
      'verify',
      '--certificate-identity',
      'id',
      '--certificate-oidc-issuer',
      'iss',
      '--output',
      'json',
      '--timeout',
      '1s',
      PINNED,
    ])
  })

  it.each<[string | undefined, string | undefined]>([
    [PINNED, PINNED],
    [`ghcr.io/acme/app:1.0@${DIGEST}`, `ghcr.io/acme/app:1.0@${DIGEST}`],
    ['ghcr.io/acme/app:1.0', undefined],
    ['app@sha256:short', undefined],
    [undefined, undefined],
  ])('digestReference(%j) → %j', (ref, expected) => {
    expect(digestReference(ref)).toBe(expected)
  })

  it.each<[string, string]>([
    ['alpine', 'docker.io/library/alpine'],
    ['alpine:3.20', 'docker.io/library/alpine'],
    [`library/alpine@${DIGEST}`, 'docker.io/library/alpine'],
    ['index.docker.io/library/alpine', 'docker.io/library/alpine'],
    ['localhost:5000/app:ci', 'localhost:5000/app'],
    ['ghcr.io/acme/app:1', 'ghcr.io/acme/app'],
  ])('repositoryOf(%j) → %j', (ref, repo) => {
    expect(repositoryOf(ref)).toBe(repo)
  })

  it('picks the RepoDigest of the named repository, else the first', () => {
    const digests = [`docker.io/library/alpine@${DIGEST}`, `ghcr.io/acme/app@${DIGEST}`, 'garbage']
    expect(pickRepoDigest(digests, 'ghcr.io/acme/app:ci')).toBe(`ghcr.io/acme/app@${DIGEST}`)
    expect(pickRepoDigest(digests, 'other:1')).toBe(`docker.io/library/alpine@${DIGEST}`)
    expect(pickRepoDigest(['garbage'], 'x')).toBeUndefined()
  })

  it.each<[number | null, string, boolean]>([
    [10, '', true],
    [12, '', true],
    [13, '', true],
    [1, 'Error: no signatures found', true],
    [1, 'Error: no matching signatures:\ninvalid signature', true],
    // cosign v3.1.1, new bundle format signed by another key (pkg/cosign/verify.go, exit 1).
    [
      1,
      'error during command execution: no matching attestations: verifying bundle: signature mismatch',
      true,
    ],
    [1, 'Error: GET https://ghcr.io/v2/: dial tcp: i/o timeout', false],
    [11, '', false],
  ])('exit %s with %j means unsigned: %s', (code, stderr, unsigned) => {
    expect(unsignedReason(code, stderr) !== undefined).toBe(unsigned)
  })
})

// ---------------------------------------------------------------------------------------------------
// scan()

function result(stdout: string, exitCode = 0, stderr = ''): RunResult {
  return { exitCode, signal: null, timedOut: false, stdout, stderr, durationMs: 1 }
}

function withDocker(repoDigests: string[] | 'fail'): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = []
  const run: CommandRunner = async (command, args, opts) => {
    if (command !== 'docker') return runCommand(command, args, opts)
    calls.push([...args])
    if (repoDigests === 'fail') return result('', 1, 'Error: No such image: app:ci')
    return result(`${JSON.stringify(repoDigests)}\n`)
  }
  return { run, calls }
}

const PAYLOAD = JSON.stringify([
  {
    critical: {
      identity: { 'docker-reference': 'ghcr.io/acme/app' },
      image: { 'docker-manifest-digest': DIGEST },
      type: 'cosign container image signature',
    },
    optional: null,
  },
])

async function setup(
  replay: Omit<Parameters<typeof writeReplayScanner>[1], 'name'>,
  options: { source?: ImageSource; docker?: ReturnType<typeof withDocker>; scanner?: ScannerOptions } = {},
) {
  const dir = await tempDir('csg-cosign-')
  const tool = await writeReplayScanner(join(dir, 'bin'), { name: 'cosign', ...replay })
  const docker = options.docker ?? withDocker([])
  const scanCtx = testScanContext({
    target: 'ghcr.io/acme/app:ci',
    source: options.source ?? daemonSource(dir, PINNED),
    workDir: dir,
    tool: { path: tool.path, version: '3.1.1' },
    run: docker.run,
    options: { cosignKey: 'cosign.pub', ...options.scanner },
  })
  return { ctx: scanCtx, tool, docker }
}

describe('cosign.scan', () => {
  it('returns no finding when the signature verifies', async () => {
    const { ctx: scanCtx, tool } = await setup({
      report: PAYLOAD,
      reportToStdout: true,
      stderr: 'Verification for ghcr.io/acme/app --\n',
    })
    expect(await cosign.scan(scanCtx)).toEqual([])
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv).toEqual([
      'verify',
      '--key',
      'cosign.pub',
      '--output',
      'json',
      '--timeout',
      '30s',
      PINNED,
    ])
  })

  it.each<[number, string]>([
    [10, 'Error: no signatures found\nerror during command execution: no signatures found'],
    [12, 'Error: no matching signatures: invalid signature when validating ASN.1 encoded signature'],
    [1, 'Error: no signatures found'],
    // cosign v3.1.1 on a new-format bundle from another signer: ErrNoMatchingAttestations has no exit code
    // of its own (cmd/cosign/errors/exit_code_lookup.go), so main.go's log.Fatalf exits 1.
    [
      1,
      '2026/12/02 18:00:00 error during command execution: no matching attestations: ' +
        'failed to verify signature: crypto/rsa: verification error',
    ],
  ])('makes exit %d a finding of the configured severity, not an error', async (exitCode, stderr) => {
    const { ctx: scanCtx } = await setup({ exitCode, stderr }, { scanner: { cosignSeverity: 'critical' } })
    const findings = await cosign.scan(scanCtx)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      kind: 'compliance',
      ruleId: COSIGN_UNSIGNED_RULE,
      severity: 'critical',
      detectedBy: ['cosign'],
      target: 'ghcr.io/acme/app:ci',
    })
    expect(findings[0]?.description).toContain(PINNED)
  })

  it('turns any other failure into a ScannerError with the stderr tail', async () => {
    const { ctx: scanCtx } = await setup({
      exitCode: 1,
      stderr: 'Error: loading public key: open cosign.pub: no such file or directory\n',
    })
    const error = await cosign.scan(scanCtx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as ScannerError).scanner).toBe('cosign')
    expect((error as Error).message).toMatch(/exit 1[\s\S]*no such file or directory/)
  })

  it('makes a digest missing from the registry an unverifiable finding', async () => {
    const { ctx: scanCtx } = await setup({ exitCode: 11, stderr: 'Error: image tag not found' })
    expect((await cosign.scan(scanCtx)).map((f) => [f.ruleId, f.severity])).toEqual([
      [COSIGN_UNVERIFIABLE_RULE, 'high'],
    ])
  })

  it('verifies a daemon image by the RepoDigest of its repository', async () => {
    const docker = withDocker([`ghcr.io/acme/app@${DIGEST}`])
    const source: ImageSource = {
      input: 'ghcr.io/acme/app:ci',
      kind: 'daemon',
      path: '/t/s.tar',
      reference: 'ghcr.io/acme/app:ci',
    }
    const { ctx: scanCtx, tool } = await setup({ report: PAYLOAD, reportToStdout: true }, { docker, source })
    expect(await cosign.scan(scanCtx)).toEqual([])
    expect(docker.calls).toEqual([
      ['image', 'inspect', '--format', '{{json .RepoDigests}}', 'ghcr.io/acme/app:ci'],
    ])
    expect((await readCalls(tool.callLog))[0]?.argv.at(-1)).toBe(PINNED)
  })

  it('verifies a registry: image by the digest it was pulled by, without docker', async () => {
    const docker = withDocker('fail')
    const source: ImageSource = {
      input: 'registry:ghcr.io/acme/app:1.4',
      kind: 'oci-dir',
      path: '/t/registry-1/image-1',
      registryDigest: `ghcr.io/acme/app@${DIGEST}`,
    }
    const { ctx: scanCtx, tool } = await setup({ report: PAYLOAD, reportToStdout: true }, { docker, source })
    expect(await cosign.scan(scanCtx)).toEqual([])
    expect(docker.calls).toEqual([])
    expect((await readCalls(tool.callLog))[0]?.argv.at(-1)).toBe(`ghcr.io/acme/app@${DIGEST}`)
  })

  it.each<[string, ImageSource, string[]]>([
    [
      'a locally built daemon image',
      { input: 'app:ci', kind: 'daemon', path: '/t/s.tar', reference: 'app:ci' },
      [],
    ],
    ['a docker-archive', { input: './image.tar', kind: 'docker-archive', path: '/t/image.tar' }, []],
  ])('reports %s as unverifiable without running cosign', async (_name, source, digests) => {
    const { ctx: scanCtx, tool } = await setup({ report: PAYLOAD }, { source, docker: withDocker(digests) })
    const findings = await cosign.scan(scanCtx)
    expect(findings.map((f) => f.ruleId)).toEqual([COSIGN_UNVERIFIABLE_RULE])
    expect(findings[0]?.description).toMatch(/no registry digest/)
    expect(await readCalls(tool.callLog)).toEqual([])
  })

  it('writes an inline PEM key to a file and passes its path', async () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'
    const { ctx: scanCtx, tool } = await setup(
      { report: PAYLOAD, reportToStdout: true },
      { scanner: { cosignKey: pem } },
    )
    await cosign.scan(scanCtx)
    const argv = (await readCalls(tool.callLog))[0]?.argv ?? []
    const keyFile = argv[argv.indexOf('--key') + 1]!
    expect(keyFile).toBe(join(scanCtx.workDir, 'cosign.pub'))
    expect(await readFile(keyFile, 'utf8')).toContain('BEGIN PUBLIC KEY')
  })

  it('refuses a missing verification mode before running anything', async () => {
    const { ctx: scanCtx, tool } = await setup({ report: PAYLOAD }, { scanner: { cosignKey: '' } })
    await expect(cosign.scan(scanCtx)).rejects.toThrow(ConfigurationError)
    expect(await readCalls(tool.callLog)).toEqual([])
  })

  it('fails when docker cannot inspect the daemon image', async () => {
    const source: ImageSource = { input: 'app:ci', kind: 'daemon', path: '/t/s.tar', reference: 'app:ci' }
    const { ctx: scanCtx } = await setup({ report: PAYLOAD }, { source, docker: withDocker('fail') })
    await expect(cosign.scan(scanCtx)).rejects.toThrow(/docker image inspect app:ci/)
  })
})
