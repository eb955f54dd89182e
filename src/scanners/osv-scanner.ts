/**
 * OSV-Scanner v2 (`osv-scanner scan image --archive <tar>`): OS and language packages matched against
 * OSV.dev. Reads docker-archive tarballs only (pkg/osvscanner/osvscanner.go: osv-scalibr `FromTarball`,
 * go-containerregistry's `tarball` reader, which needs `manifest.json`), so daemon images go through the
 * tarball the pipeline saved and an OCI layout or archive through a docker-archive written once from it.
 * How it is published, its arguments and exit codes, and the scan; the report parser is in
 * `osv-scanner-report.ts`.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../findings/finding.js'
import { imageSourceIn } from '../target/image-forms.js'
import type { ImageSource } from '../target/image-types.js'
import type { Platform, ReleaseAsset, ToolSpec } from '../tools/tool-spec.js'
import { ScannerError } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import { explainExitCode } from './exit-code-meaning.js'
import { parseOsvScannerReport } from './osv-scanner-report.js'
import { readReportFile, runScanner } from './run-scanner.js'
import type { ScanContext, Scanner } from './scanner.js'

const ID = 'osv-scanner'

/** Exit codes of `osv-scanner` (cmd/osv-scanner/internal/cmd/run.go, v2.5.0 and later). */
export const OSV_SCANNER_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'no vulnerabilities found',
  1: 'vulnerabilities found',
  127: 'general error',
  128: 'no packages found in the image',
  129: 'the OSV.dev API call failed',
  130: 'the osv-scanner.toml configuration is invalid',
}
/** Codes after which the run completed: 128 means it read the image and found nothing it can match. */
export const OSV_SCANNER_OK_EXIT_CODES = [0, 1, 128] as const

const ASSET_SUFFIX: Record<Platform, string> = {
  'linux-x64': 'linux_amd64',
  'linux-arm64': 'linux_arm64',
  'darwin-x64': 'darwin_amd64',
  'darwin-arm64': 'darwin_arm64',
  'win32-x64': 'windows_amd64.exe',
}

/** Raw binaries from goreleaser (`{{ .Binary }}_{{ .Os }}_{{ .Arch }}`, `format: binary`). */
export const osvScannerTool: ToolSpec = {
  name: ID,
  repository: 'google/osv-scanner',
  tag: (version) => `v${version.replace(/^v/, '')}`,
  asset(_version, platform): ReleaseAsset {
    const windows = platform === 'win32-x64'
    return {
      name: `osv-scanner_${ASSET_SUFFIX[platform]}`,
      format: 'raw',
      executable: windows ? 'osv-scanner.exe' : 'osv-scanner',
    }
  },
  checksums: () => ({ kind: 'checksums-file', name: 'osv-scanner_SHA256SUMS' }),
}

/** Arguments of `osv-scanner scan image` for an image source. Pure. */
export function osvScannerArgs(options: { source: ImageSource; reportFile: string }): string[] {
  const { source, reportFile } = options
  if (source.kind === 'oci-dir' || source.kind === 'oci-archive') {
    throw new ScannerError(
      ID,
      `osv-scanner cannot read an OCI image layout (${source.input}): \`scan image --archive\` takes a ` +
        'docker-archive (docker save) tarball',
    )
  }
  // `--output` is deprecated in favour of `--output-file` (cmd/osv-scanner/internal/helper/flags.go).
  const base = ['scan', 'image', '--format', 'json', '--output-file', reportFile]
  // A daemon image not exported yet is named by reference (osv-scanner then runs `docker save` itself).
  if (source.kind === 'daemon' && source.path.trim() === '')
    return [...base, source.reference ?? source.input]
  // Otherwise the tarball: a daemon image's is the one the pipeline already exported.
  return [...base, '--archive', source.path]
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  await mkdir(ctx.workDir, { recursive: true })
  const reportFile = join(ctx.workDir, 'osv-scanner.json')
  const source = await imageSourceIn(ctx, ['docker-archive'])
  const args = osvScannerArgs({ source, reportFile })
  let exitCode: number | null
  let stderr: string
  try {
    const { result } = await runScanner(ctx, ID, { args, okExitCodes: OSV_SCANNER_OK_EXIT_CODES })
    exitCode = result.exitCode
    stderr = result.stderr
  } catch (error) {
    throw explainExitCode(error, ID, OSV_SCANNER_EXIT_CODES)
  }
  if (exitCode === 128) {
    ctx.logger.warning(`osv-scanner found no packages it can match in ${ctx.target}; it reported no findings`)
    return []
  }
  const report = await readReportFile(ID, reportFile, tailLines(stderr))
  return parseOsvScannerReport(report, { target: ctx.target, origin: reportFile })
}

export const osvScanner: Scanner = {
  id: ID,
  name: 'OSV-Scanner',
  tool: osvScannerTool,
  scan,
}
