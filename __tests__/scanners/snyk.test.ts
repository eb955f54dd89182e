import { describe, it, expect } from '@jest/globals'
import { join } from 'node:path'
import type { ScanContext } from '../../src/scanners/scanner.js'
import {
  SNYK_EXIT_CODES,
  SNYK_NO_TOKEN,
  parseSnykReport,
  scrubToken,
  snyk,
  snykArgs,
  snykTool,
} from '../../src/scanners/snyk.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const TOKEN = 'f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d'

/** One OS vulnerability as `snyk container test --json` lists it: once per dependency path (`from`). */
function osVuln(binary: string, from: string[]): Record<string, unknown> {
  return {
    id: 'SNYK-ALPINE312-BUSYBOX-1089799',
    title: 'Improper Handling of Exceptional Conditions',
    packageName: 'busybox',
    packageManager: 'alpine:3.12',
    identifiers: { ALTERNATIVE: [], CVE: ['CVE-2021-28831'], CWE: ['CWE-755'] },
    severity: 'high',
    severityWithCritical: 'high',
    cvssScore: 7.5,
    nvdSeverity: 'high',
    references: [{ title: 'GENTOO', url: 'https://security.gentoo.org/glsa/202105-09' }],
    from,
    upgradePath: [],
    isUpgradable: false,
    isPatchable: false,
    name: `busybox/${binary}`,
    version: '1.31.1-r21',
    nearestFixedInVersion: '1.32.1-r4',
  }
}

function appVuln(): Record<string, unknown> {
  return {
    id: 'SNYK-JS-EXPRESSJWT-575022',
    title: 'Authorization Bypass',
    description: '## Overview\nexpress-jwt is missing an algorithm check.',
    identifiers: { CVE: ['CVE-2020-15084'], CWE: ['CWE-285'], GHSA: ['GHSA-6g6m-m6h5-w9gf'] },
    severity: 'high',
    cvssScore: 7.4,
    cvssDetails: [{ assigner: 'NVD', severity: 'critical', cvssV3BaseScore: 9.1 }],
    fixedIn: ['6.0.0'],
    from: ['juice-shop@15.3.0', 'express-jwt@0.1.3'],
    isUpgradable: true,
    name: 'express-jwt',
    version: '0.1.3',
  }
}

function report(): Record<string, unknown> {
  return {
    ok: false,
    packageManager: 'apk',
    path: 'cli-grouping',
    projectName: 'docker-image|cli-grouping',
    vulnerabilities: [
      osVuln('busybox', ['docker-image|cli-grouping@latest', 'busybox/busybox@1.31.1-r21']),
      osVuln('busybox', [
        'docker-image|cli-grouping@latest',
        'alpine-baselayout@3.2.0-r7',
        'busybox/busybox@1.31.1-r21',
      ]),
      osVuln('ssl_client', ['docker-image|cli-grouping@latest', 'busybox/ssl_client@1.31.1-r21']),
    ],
    docker: {
      baseImage: 'alpine:3.12.9',
      binariesVulns: {
        issuesData: {
          'SNYK-UPSTREAM-NODE-1': {
            id: 'SNYK-UPSTREAM-NODE-1',
            title: 'Buffer overflow',
            severity: 'medium',
            identifiers: { CVE: [] },
            fixedIn: [],
          },
        },
        affectedPkgs: {
          'node/14.0.0': {
            pkg: { name: 'node', version: '14.0.0' },
            issues: {
              'SNYK-UPSTREAM-NODE-1': {
                issueId: 'SNYK-UPSTREAM-NODE-1',
                fixInfo: { nearestFixedInVersion: '14.1.0' },
              },
            },
          },
        },
      },
    },
    applications: [
      {
        ok: false,
        packageManager: 'npm',
        targetFile: '/juice-shop/package.json',
        vulnerabilities: [
          appVuln(),
          { ...appVuln(), from: ['juice-shop@15.3.0', 'other@1.0.0', 'express-jwt@0.1.3'] },
        ],
      },
    ],
  }
}

describe('snyk tool spec', () => {
  it.each<[Platform, string, string]>([
    ['linux-x64', 'snyk-linux', 'snyk'],
    ['linux-arm64', 'snyk-linux-arm64', 'snyk'],
    ['darwin-x64', 'snyk-macos', 'snyk'],
    ['darwin-arm64', 'snyk-macos-arm64', 'snyk'],
    ['win32-x64', 'snyk-win.exe', 'snyk.exe'],
  ])('%s → %s', (platform, name, executable) => {
    expect(snykTool.asset('1.1300.0', platform)).toEqual({ name, format: 'raw', executable })
  })

  it('downloads from snyk/cli v-tags with a .sha256 next to each asset', () => {
    expect(snykTool.repository).toBe('snyk/cli')
    expect(snykTool.tag('1.1300.0')).toBe('v1.1300.0')
    expect(snykTool.checksums('1.1300.0')).toEqual({ kind: 'per-asset', suffix: '.sha256' })
  })

  it.each<[string, Record<string, string | undefined>, string | undefined]>([
    ['no token', {}, SNYK_NO_TOKEN],
    ['an empty token', { SNYK_TOKEN: '' }, SNYK_NO_TOKEN],
    ['a token', { SNYK_TOKEN: TOKEN }, undefined],
  ])('unavailableReason with %s', (_name, env, reason) => {
    expect(snyk.unavailableReason?.({ env, platform: 'linux-x64', dockerAvailable: false })).toBe(reason)
  })

  it('documents exit 1 as vulnerabilities found and 2/3 as failures', () => {
    expect(SNYK_EXIT_CODES[1]).toMatch(/vulnerabilities found/)
    expect(SNYK_EXIT_CODES[2]).toMatch(/failure/)
    expect(SNYK_EXIT_CODES[3]).toMatch(/no supported projects/)
  })
})

describe('snykArgs', () => {
  it.each<[string, string, ImageSource]>([
    [
      'docker-archive',
      'docker-archive:/abs/image.tar',
      { input: './image.tar', kind: 'docker-archive', path: '/abs/image.tar' },
    ],
    [
      'daemon (the saved tarball)',
      'docker-archive:/tmp/saved.tar',
      { input: 'app:ci', kind: 'daemon', path: '/tmp/saved.tar', reference: 'app:ci' },
    ],
    [
      'oci-archive',
      'oci-archive:/abs/oci.tar',
      { input: 'oci-archive:./oci.tar', kind: 'oci-archive', path: '/abs/oci.tar' },
    ],
  ])('%s → %s', (_name, image, source) => {
    expect(snykArgs({ source, reportFile: '/w/snyk.json' })).toEqual([
      'container',
      'test',
      image,
      '--json-file-output=/w/snyk.json',
    ])
  })

  it('names a daemon image that was not exported by its reference', () => {
    const source: ImageSource = { input: 'app', kind: 'daemon', path: '', reference: 'app:ci' }
    expect(snykArgs({ source, reportFile: 'r' }).slice(0, 3)).toEqual(['container', 'test', 'app:ci'])
  })

  it('refuses an OCI layout directory', () => {
    const source: ImageSource = { input: 'oci:build/oci', kind: 'oci-dir', path: '/abs/oci' }
    expect(() => snykArgs({ source, reportFile: 'r' })).toThrow(ScannerError)
    expect(() => snykArgs({ source, reportFile: 'r' })).toThrow(/OCI layout directory/)
  })
})

describe('parseSnykReport', () => {
  it('gives one finding per (vulnerability, package, version) across OS, applications and binaries', () => {
    const findings = parseSnykReport(JSON.stringify(report()), { target: 'app:ci', origin: 'snyk.json' })
    expect(findings.map((f) => [f.ruleId, f.package?.name, f.package?.type])).toEqual([
      ['CVE-2021-28831', 'busybox', 'apk'],
      ['CVE-2021-28831', 'ssl_client', 'apk'],
      ['CVE-2020-15084', 'express-jwt', 'npm'],
      ['SNYK-UPSTREAM-NODE-1', 'node', 'binary'],
    ])
    const [busybox, , jwt, node] = findings
    expect(busybox).toMatchObject({
      kind: 'vulnerability',
      aliases: ['SNYK-ALPINE312-BUSYBOX-1089799'],
      severity: 'high',
      score: 7.5,
      vendorSeverity: { nvd: 'high' },
      target: 'app:ci',
      detectedBy: ['snyk'],
      package: { name: 'busybox', version: '1.31.1-r21', type: 'apk' },
      fix: { state: 'fixed', versions: ['1.32.1-r4'] },
      references: ['https://security.gentoo.org/glsa/202105-09'],
    })
    expect(busybox?.package?.path).toBeUndefined()
    expect(jwt).toMatchObject({
      aliases: ['GHSA-6g6m-m6h5-w9gf', 'SNYK-JS-EXPRESSJWT-575022'],
      vendorSeverity: { nvd: 'critical' },
      package: { path: '/juice-shop/package.json' },
      fix: { state: 'fixed', versions: ['6.0.0'] },
      description: expect.stringMatching(/algorithm check/),
    })
    expect(node).toMatchObject({ severity: 'medium', fix: { state: 'fixed', versions: ['14.1.0'] } })
  })

  it('reads an array of projects and falls back to the project path as target', () => {
    const other = {
      packageManager: 'deb',
      path: 'app:ci/base',
      vulnerabilities: [{ ...osVuln('x', []), name: 'openssl/libssl3', version: '3.0.2', identifiers: {} }],
    }
    const findings = parseSnykReport(JSON.stringify([report(), other]), { origin: 'snyk.json' })
    expect(findings).toHaveLength(5)
    expect(findings[0]?.target).toBe('cli-grouping')
    expect(findings[4]).toMatchObject({
      ruleId: 'SNYK-ALPINE312-BUSYBOX-1089799', // no CVE identifier: the Snyk id
      aliases: [],
      target: 'app:ci/base',
      package: { name: 'libssl3', type: 'deb' },
    })
  })

  it('marks vulnerabilities without a fix', () => {
    const noFix = { ...osVuln('busybox', []), fixedIn: [], nearestFixedInVersion: undefined }
    const [finding] = parseSnykReport(JSON.stringify({ packageManager: 'apk', vulnerabilities: [noFix] }), {
      origin: 'x',
    })
    expect(finding?.fix).toEqual({ state: 'not-fixed', versions: [] })
  })

  it('turns an { ok: false, error } report into a ScannerError with that error', () => {
    const text = JSON.stringify({
      ok: false,
      error: 'Authentication failed. Please check the API token',
      path: 'x',
    })
    expect(() => parseSnykReport(text, { origin: 'snyk.json' })).toThrow(ScannerError)
    expect(() => parseSnykReport(text, { origin: 'snyk.json' })).toThrow(/Authentication failed/)
  })

  it.each([
    ['not JSON', 'Testing docker-archive:image.tar...', /not valid JSON/],
    ['an empty array', '[]', /empty array/],
    ['a project that is not an object', '[1]', /\[0\] is not an object/],
    ['no vulnerabilities', '{"ok": true}', /vulnerabilities is missing/],
    [
      'a vulnerability without id',
      '{"vulnerabilities": [{"title": "x"}]}',
      /vulnerabilities\[0\] has no "id"/,
    ],
    [
      'an application without vulnerabilities',
      '{"vulnerabilities": [], "applications": [{}]}',
      /applications\[0\]/,
    ],
  ])('rejects %s with a ScannerError naming snyk', (_name, text, message) => {
    let caught: unknown
    try {
      parseSnykReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('snyk')
    expect((caught as ScannerError).message).toMatch(/snyk report bad\.json/)
    expect((caught as ScannerError).message).toMatch(message)
  })
})

describe('scrubToken', () => {
  it('replaces every occurrence and leaves text without it alone', () => {
    expect(scrubToken(`a ${TOKEN} b ${TOKEN}`, TOKEN)).toBe('a *** b ***')
    expect(scrubToken('nothing here', TOKEN)).toBe('nothing here')
    expect(scrubToken('abc', undefined)).toBe('abc')
  })
})

describe('snyk.scan', () => {
  async function setup(
    replay: Parameters<typeof writeReplayScanner>[1],
    options: { timeoutMs?: number; token?: string | undefined } = {},
  ) {
    const dir = await tempDir('csg-snyk-')
    const tool = await writeReplayScanner(join(dir, 'bin'), {
      outputFlags: ['--json-file-output'],
      ...replay,
    })
    const token = 'token' in options ? options.token : TOKEN
    const ctx = testScanContext({
      workDir: dir,
      timeoutMs: options.timeoutMs ?? 30_000,
      tool: { path: tool.path, version: '1.1300.0' },
      env: { PATH: process.env.PATH, SNYK_TOKEN: token },
    })
    return { ctx, tool }
  }

  async function failure(ctx: ScanContext): Promise<ScannerError> {
    const error = await snyk.scan(ctx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    return error as ScannerError
  }

  it('tests the saved tarball, passes the token by environment only, and parses the report', async () => {
    const { ctx, tool } = await setup({ name: 'snyk', report: JSON.stringify(report()), exitCode: 1 })
    await expect(snyk.scan(ctx)).resolves.toHaveLength(4)
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv.slice(0, 3)).toEqual(['container', 'test', `docker-archive:${ctx.source.path}`])
    expect(call?.argv.join(' ')).not.toContain(TOKEN)
    expect(call?.envKeys).toContain('SNYK_TOKEN')
  })

  it('treats exit 0 as success', async () => {
    const { ctx } = await setup({
      name: 'snyk',
      report: JSON.stringify({ ok: true, vulnerabilities: [] }),
      exitCode: 0,
    })
    await expect(snyk.scan(ctx)).resolves.toEqual([])
  })

  it('never shows the token in an error, even when snyk prints it', async () => {
    const { ctx } = await setup({
      name: 'snyk',
      exitCode: 2,
      stderr: `using token ${TOKEN}\nrequest failed: 401 Unauthorized\n`,
    })
    const error = await failure(ctx)
    expect(error.message).toMatch(/exited with code 2 \(failure\)[\s\S]*401 Unauthorized/)
    expect(error.message).not.toContain(TOKEN)
    expect(error.message).toContain('***')
    expect(JSON.stringify(error.cause ?? '')).not.toContain(TOKEN)
  })

  it('reports the error snyk wrote into its report file', async () => {
    const written = JSON.stringify({ ok: false, error: `Invalid auth token ${TOKEN} provided`, path: 'x' })
    const { ctx } = await setup({ name: 'snyk', report: written, exitCode: 2 })
    const error = await failure(ctx)
    expect(error.message).toMatch(/exited with code 2: Invalid auth token \*\*\* provided/)
    expect(error.message).not.toContain(TOKEN)
  })

  it('fails on exit 3 (no supported projects)', async () => {
    const { ctx } = await setup({
      name: 'snyk',
      exitCode: 3,
      stderr: 'Could not detect supported target files\n',
    })
    expect((await failure(ctx)).message).toMatch(
      /code 3 \(no supported projects detected\)[\s\S]*Could not detect/,
    )
  })

  it('refuses to run without a token', async () => {
    const { ctx } = await setup({ name: 'snyk', report: '{}' }, { token: undefined })
    expect((await failure(ctx)).message).toBe(SNYK_NO_TOKEN)
  })

  it('fails with a timeout error when snyk hangs', async () => {
    const { ctx } = await setup(
      { name: 'snyk', report: JSON.stringify(report()), sleepMs: 10_000 },
      { timeoutMs: 300 },
    )
    expect((await failure(ctx)).message).toMatch(/did not finish within the scan timeout/)
  })
})
