import { describe, it, expect } from '@jest/globals'
import { join } from 'node:path'
import {
  OSV_SCANNER_EXIT_CODES,
  OSV_SCANNER_OK_EXIT_CODES,
  osvScanner,
  osvScannerArgs,
  osvScannerTool,
} from '../../src/scanners/osv-scanner.js'
import { parseOsvScannerReport } from '../../src/scanners/osv-scanner-report.js'
import type { ImageSource } from '../../src/target/image-types.js'
import type { Platform } from '../../src/tools/tool-spec.js'
import { ScannerError } from '../../src/util/errors.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { testScanContext } from '../helpers/scan-context.js'
import { readCalls, writeReplayScanner } from '../helpers/replay-scanner.js'
import { tempDirs } from '../helpers/temp-dirs.js'

// Every directory made here is removed after the file's tests.
const tempDir = tempDirs()

const GZIP_CVE = 'CVE-2023-45853'

/** A `scan image --format json` report in osv-scanner v2's layout (image_metadata, image_origin_details). */
function imageReport(): string {
  return JSON.stringify({
    results: [
      {
        source: { path: 'lib/apk/db/installed', type: 'os' },
        packages: [
          {
            package: {
              name: 'zlib',
              os_package_name: 'zlib',
              version: '1.2.13-r0',
              ecosystem: 'Alpine:v3.18',
              image_origin_details: { index: 0 },
            },
            vulnerabilities: [
              {
                id: 'ALPINE-CVE-2023-45853',
                upstream: [GZIP_CVE],
                summary: 'zlib MiniZip integer overflow',
                details: 'Integer overflow in zipOpenNewFileInZip4_64.',
                affected: [
                  {
                    package: { ecosystem: 'Alpine:v3.18', name: 'zlib' },
                    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.2.13-r1' }] }],
                  },
                ],
                references: [
                  { type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2023-45853' },
                ],
              },
            ],
            groups: [
              { ids: ['ALPINE-CVE-2023-45853'], aliases: ['ALPINE-CVE-2023-45853'], max_severity: '9.8' },
            ],
          },
        ],
      },
      {
        source: { path: 'app/node_modules/semver/package.json', type: 'artifact' },
        packages: [
          {
            package: {
              name: 'semver',
              version: '7.5.1',
              ecosystem: 'npm',
              image_origin_details: { index: 2 },
            },
            vulnerabilities: [
              {
                id: 'GHSA-c2qf-rxjj-qqgw',
                aliases: ['CVE-2022-25883'],
                summary: 'semver vulnerable to Regular Expression Denial of Service',
                severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }],
                database_specific: { severity: 'MODERATE' },
                affected: [
                  {
                    package: { ecosystem: 'npm', name: 'semver', purl: 'pkg:npm/semver' },
                    ranges: [{ type: 'SEMVER', events: [{ introduced: '7.0.0' }, { fixed: '7.5.2' }] }],
                  },
                  {
                    package: { ecosystem: 'npm', name: 'other' },
                    ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '9.9.9' }] }],
                  },
                ],
              },
            ],
            groups: [{ ids: ['GHSA-c2qf-rxjj-qqgw'], aliases: ['CVE-2022-25883', 'GHSA-c2qf-rxjj-qqgw'] }],
          },
        ],
      },
    ],
    experimental_config: { licenses: { summary: false, allowlist: null } },
    image_metadata: {
      os: 'Alpine Linux v3.18',
      layer_metadata: [
        { diff_id: 'sha256:aaa', command: 'ADD file:abc in /', is_empty: false, base_image_index: 1 },
        { diff_id: '', command: 'CMD ["/bin/sh"]', is_empty: true, base_image_index: 1 },
        { diff_id: 'sha256:ccc', command: 'COPY app /app', is_empty: false, base_image_index: 0 },
      ],
      base_images: [[], [{ name: 'alpine' }]],
    },
  })
}

/** A v1 / `scan source` report: groups without max_severity, two advisories grouped, an ungrouped one. */
function sourceReport(): string {
  const vector = (score: string) => [{ type: 'CVSS_V3', score }]
  return JSON.stringify({
    results: [
      {
        source: { path: '/src/requirements.txt', type: 'lockfile' },
        packages: [
          {
            package: { name: 'urllib3', version: '1.26.17', ecosystem: 'PyPI' },
            vulnerabilities: [
              {
                id: 'GHSA-g4mx-q9vg-27p4',
                aliases: ['CVE-2023-45803', 'PYSEC-2023-212'],
                severity: vector('CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N'),
                affected: [
                  {
                    package: { ecosystem: 'PyPI', name: 'urllib3' },
                    ranges: [
                      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.26.18' }] },
                      {
                        type: 'GIT',
                        repo: 'https://github.com/urllib3/urllib3',
                        events: [{ fixed: 'abc123' }],
                      },
                    ],
                  },
                ],
              },
              {
                id: 'PYSEC-2023-212',
                aliases: ['CVE-2023-45803', 'GHSA-g4mx-q9vg-27p4'],
                severity: vector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N'),
              },
              { id: 'PYSEC-2099-1', summary: 'Ungrouped advisory', database_specific: { severity: 'LOW' } },
            ],
            groups: [{ ids: ['GHSA-g4mx-q9vg-27p4', 'PYSEC-2023-212'] }],
          },
          {
            package: { name: 'ubuntu-pkg', version: '1.0', ecosystem: 'Ubuntu:22.04:LTS' },
            vulnerabilities: [{ id: 'UBUNTU-CVE-2024-1', severity: [{ type: 'Ubuntu', score: 'medium' }] }],
          },
        ],
      },
      {
        source: { path: '/src/vendor/lib', type: 'git' },
        packages: [
          {
            package: { name: '', version: '', ecosystem: '', commit: 'f5f3c22f' },
            vulnerabilities: [
              {
                id: 'CVE-2023-50094',
                affected: [
                  { ranges: [{ type: 'GIT', events: [{ introduced: '0' }, { last_affected: 'fd5a5e5f' }] }] },
                ],
              },
            ],
            groups: [{ ids: ['CVE-2023-50094'], aliases: ['CVE-2023-50094'] }],
          },
        ],
      },
    ],
  })
}

describe('osv-scanner tool spec', () => {
  it.each<[Platform, string, string]>([
    ['linux-x64', 'osv-scanner_linux_amd64', 'osv-scanner'],
    ['linux-arm64', 'osv-scanner_linux_arm64', 'osv-scanner'],
    ['darwin-x64', 'osv-scanner_darwin_amd64', 'osv-scanner'],
    ['darwin-arm64', 'osv-scanner_darwin_arm64', 'osv-scanner'],
    ['win32-x64', 'osv-scanner_windows_amd64.exe', 'osv-scanner.exe'],
  ])('%s → raw binary %s', (platform, name, executable) => {
    expect(osvScannerTool.asset('2.5.1', platform)).toEqual({ name, format: 'raw', executable })
  })

  it('tags with a v prefix and reads one SHA256SUMS file', () => {
    expect(osvScannerTool.tag('2.5.1')).toBe('v2.5.1')
    expect(osvScannerTool.tag('v2.5.1')).toBe('v2.5.1')
    expect(osvScannerTool.checksums('2.5.1')).toEqual({
      kind: 'checksums-file',
      name: 'osv-scanner_SHA256SUMS',
    })
    expect(osvScannerTool.repository).toBe('google/osv-scanner')
  })

  it('treats 0 and 1 as completed, 128 as "no packages", and not 127 or 129', () => {
    expect([...OSV_SCANNER_OK_EXIT_CODES]).toEqual([0, 1, 128])
    expect(OSV_SCANNER_EXIT_CODES[129]).toMatch(/API/)
    expect(OSV_SCANNER_OK_EXIT_CODES).not.toContain(127)
  })
})

describe('osvScannerArgs', () => {
  const report = '/work/osv.json'
  it.each<[string, ImageSource]>([
    ['docker-archive', { input: './image.tar', kind: 'docker-archive', path: '/abs/image.tar' }],
    [
      'daemon (the saved tarball, not the reference)',
      { input: 'app:ci', kind: 'daemon', path: '/tmp/saved.tar', reference: 'app:ci' },
    ],
  ])('%s scans the archive', (_name, source) => {
    expect(osvScannerArgs({ source, reportFile: report })).toEqual([
      'scan',
      'image',
      '--format',
      'json',
      '--output-file',
      report,
      '--archive',
      source.path,
    ])
  })

  it('names a daemon image that was not exported by its reference', () => {
    const source: ImageSource = { input: 'app', kind: 'daemon', path: '', reference: 'app:ci' }
    const args = osvScannerArgs({ source, reportFile: report })
    expect(args).not.toContain('--archive')
    expect(args.at(-1)).toBe('app:ci')
  })

  it.each<ImageSource['kind']>(['oci-dir', 'oci-archive'])('refuses %s with a clear ScannerError', (kind) => {
    const source: ImageSource = { input: 'oci:build/oci', kind, path: '/abs/oci' }
    expect(() => osvScannerArgs({ source, reportFile: report })).toThrow(ScannerError)
    expect(() => osvScannerArgs({ source, reportFile: report })).toThrow(/OCI image layout.*docker-archive/)
  })
})

describe('parseOsvScannerReport', () => {
  it('reads a v2 image report: one finding per group and package, layers, fixes, severities', () => {
    const findings = parseOsvScannerReport(imageReport(), { target: 'app:ci', origin: 'osv.json' })
    expect(findings).toHaveLength(2)
    const [zlib, semver] = findings
    expect(zlib).toMatchObject({
      kind: 'vulnerability',
      ruleId: GZIP_CVE,
      aliases: ['ALPINE-CVE-2023-45853'],
      severity: 'critical',
      score: 9.8,
      target: 'app:ci',
      detectedBy: ['osv-scanner'],
      package: { name: 'zlib', version: '1.2.13-r0', type: 'alpine' },
      fix: { state: 'fixed', versions: ['1.2.13-r1'] },
      layer: { diffId: 'sha256:aaa', createdBy: 'ADD file:abc in /' },
      title: 'zlib MiniZip integer overflow',
    })
    expect(zlib?.package?.path).toBeUndefined()
    expect(zlib?.references).toContain('https://osv.dev/vulnerability/ALPINE-CVE-2023-45853')
    expect(semver).toMatchObject({
      ruleId: 'CVE-2022-25883',
      aliases: ['GHSA-c2qf-rxjj-qqgw'],
      severity: 'high', // from the CVSS vector (7.5), not the advisory's MODERATE
      score: 7.5,
      vendorSeverity: { ghsa: 'medium' },
      package: {
        name: 'semver',
        version: '7.5.1',
        type: 'npm',
        path: '/app/node_modules/semver/package.json',
      },
      fix: { state: 'fixed', versions: ['7.5.2'] }, // not the other package's 9.9.9
      layer: { diffId: 'sha256:ccc', createdBy: 'COPY app /app' },
    })
  })

  it('reads a v1 source report: grouped advisories, ungrouped ones, textual and git-commit packages', () => {
    const findings = parseOsvScannerReport(sourceReport(), { origin: 'osv-v1.json' })
    expect(findings.map((f) => [f.ruleId, f.severity, f.package?.name])).toEqual([
      ['CVE-2023-45803', 'high', 'urllib3'], // max of the group's two vectors: 4.2 and 7.5
      ['PYSEC-2099-1', 'low', 'urllib3'],
      ['UBUNTU-CVE-2024-1', 'medium', 'ubuntu-pkg'],
      ['CVE-2023-50094', 'unknown', '/src/vendor/lib'],
    ])
    const [grouped, , ubuntu, git] = findings
    expect(grouped?.score).toBe(7.5)
    expect(grouped?.aliases.sort()).toEqual(['GHSA-g4mx-q9vg-27p4', 'PYSEC-2023-212'])
    expect(grouped?.fix).toEqual({ state: 'fixed', versions: ['1.26.18'] }) // the GIT commit is not a version
    expect(grouped?.target).toBe('osv-v1.json')
    expect(ubuntu?.package?.type).toBe('ubuntu')
    expect(ubuntu?.severityBySource).toEqual({ 'osv-scanner': { severity: 'medium', original: 'medium' } })
    expect(findings[1]?.severityBySource).toEqual({ 'osv-scanner': { severity: 'low', original: 'LOW' } })
    expect(git?.package).toMatchObject({ type: 'git', version: 'f5f3c22f' })
    expect(git?.fix?.state).toBe('not-fixed')
  })

  it('reads "results": null (nothing to scan) as no findings', () => {
    expect(parseOsvScannerReport('{"results": null}', { origin: 'x' })).toEqual([])
    expect(parseOsvScannerReport('{"results": []}', { origin: 'x' })).toEqual([])
  })

  it.each([
    ['not JSON', 'osv-scanner found 3 vulns', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['no results', '{}', /no "results" array/],
    ['results not an array', '{"results": {}}', /no "results" array/],
    ['a result that is not an object', '{"results": [1]}', /results\[0\] is not an object/],
    ['packages not an array', '{"results": [{"packages": {}}]}', /packages is not an array/],
    ['a package entry without package', '{"results": [{"packages": [{}]}]}', /no "package" object/],
    [
      'a vulnerability without id',
      '{"results": [{"packages": [{"package": {"name": "a"}, "vulnerabilities": [{"summary": "x"}]}]}]}',
      /vulnerabilities\[0\] has no "id"/,
    ],
    [
      'vulnerabilities not an array',
      '{"results": [{"packages": [{"package": {"name": "a"}, "vulnerabilities": "GHSA-1"}]}]}',
      /vulnerabilities is not an array/,
    ],
  ])('rejects %s with a ScannerError naming osv-scanner', (_name, text, message) => {
    let caught: unknown
    try {
      parseOsvScannerReport(text, { origin: 'bad.json' })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ScannerError)
    expect((caught as ScannerError).scanner).toBe('osv-scanner')
    expect((caught as ScannerError).message).toMatch(/osv-scanner report bad\.json/)
    expect((caught as ScannerError).message).toMatch(message)
  })
})

describe('osvScanner.scan', () => {
  async function setup(replay: Parameters<typeof writeReplayScanner>[1], timeoutMs = 30_000) {
    const dir = await tempDir('csg-osv-')
    const tool = await writeReplayScanner(join(dir, 'bin'), replay)
    const logger = new RecordingLogger()
    const ctx = testScanContext({
      workDir: dir,
      timeoutMs,
      logger,
      tool: { path: tool.path, version: '2.5.1' },
    })
    return { ctx, tool, logger }
  }

  it('runs scan image --archive on the saved tarball and parses the report', async () => {
    const { ctx, tool } = await setup({ name: 'osv-scanner', report: imageReport(), exitCode: 0 })
    const findings = await osvScanner.scan(ctx)
    expect(findings).toHaveLength(2)
    const [call] = await readCalls(tool.callLog)
    expect(call?.argv.slice(0, 2)).toEqual(['scan', 'image'])
    expect(call?.argv.slice(-2)).toEqual(['--archive', ctx.source.path])
  })

  it('treats exit 1 (vulnerabilities found) as success', async () => {
    const { ctx } = await setup({ name: 'osv-scanner', report: imageReport(), exitCode: 1 })
    await expect(osvScanner.scan(ctx)).resolves.toHaveLength(2)
  })

  it('treats exit 128 (no packages) as no findings, with a warning', async () => {
    const { ctx, logger } = await setup({
      name: 'osv-scanner',
      exitCode: 128,
      stderr: 'No package sources found\n',
    })
    await expect(osvScanner.scan(ctx)).resolves.toEqual([])
    expect(logger.messages('warning').join('\n')).toMatch(/no packages/)
  })

  it('turns an error exit into a ScannerError with the meaning and the stderr tail', async () => {
    const { ctx } = await setup({
      name: 'osv-scanner',
      exitCode: 129,
      stderr: 'querying osv.dev\nrequest failed: 503 Service Unavailable\n',
    })
    const error = await osvScanner.scan(ctx).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ScannerError)
    expect((error as Error).message).toMatch(/exited with code 129 \(the OSV\.dev API call failed\)/)
    expect((error as Error).message).toMatch(/503 Service Unavailable/)
  })

  it('explains exit 130 (invalid osv-scanner.toml, cmd/osv-scanner/internal/cmd/run.go) as an error', async () => {
    const { ctx } = await setup({ name: 'osv-scanner', exitCode: 130, stderr: 'config file is invalid\n' })
    await expect(osvScanner.scan(ctx)).rejects.toThrow(
      /exited with code 130 \(the osv-scanner\.toml configuration is invalid\)/,
    )
  })

  it('fails when the run completed without writing its report', async () => {
    const { ctx } = await setup({ name: 'osv-scanner', exitCode: 0 })
    await expect(osvScanner.scan(ctx)).rejects.toThrow(/without writing its report/)
  })

  it('fails with a timeout error when the scanner hangs', async () => {
    const { ctx } = await setup({ name: 'osv-scanner', report: imageReport(), sleepMs: 10_000 }, 300)
    await expect(osvScanner.scan(ctx)).rejects.toThrow(/did not finish within the scan timeout/)
  })
})
