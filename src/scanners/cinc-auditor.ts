/**
 * Cinc Auditor (the open-source build of InSpec): runs a compliance profile against a container started
 * from the scanned image (`exec <profile> -t docker://<id>`), the container always removed afterwards.
 *
 * Installed without root from Cinc's omnibus `.deb` (downloads.cinc.sh; no GitHub releases), unpacked
 * into the tool cache and verified against the pinned sha256 or the `.metadata.json` beside it. An
 * omnibus tree is built for /opt/cinc-auditor and is not relocatable as such: its Ruby is built without
 * `--enable-load-relative`, so the interpreter's RPATH and its compiled-in load path point at /opt, and
 * the `bin/` stubs' shebangs too. It is therefore run as `<tree>/embedded/bin/ruby <tree>/bin/cinc-auditor`
 * with LD_LIBRARY_PATH (libruby and the gems' native libraries) and RUBYLIB (the standard library)
 * pointing into the tool cache; `rbconfig.rb` derives its prefix from its own location, so RubyGems then
 * finds the bundled gems there. See `cincAuditorEnv`.
 */
import { lstat, readdir, readlink, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import type { Finding } from '../findings/finding.js'
import type { Platform, ToolSpec } from '../tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import { containerName, findDaemonImage, withContainer } from './daemon-image.js'
import { explainExitCode } from './exit-code-meaning.js'
import { parseInspecReport } from './inspec-report.js'
import { runNoteOf } from './run-notes.js'
import { readReportFile, runScanner } from './run-scanner.js'
import type { ScanContext, Scanner } from './scanner.js'

const ID = 'cinc-auditor'

export const CINC_AUDITOR_NO_DAEMON = 'cinc-auditor needs a Docker daemon; none is reachable on this runner'
export const CINC_AUDITOR_PLATFORMS =
  "cinc-auditor is installed from Cinc's Ubuntu .deb packages and runs on Linux (x64, arm64) only"

/**
 * `inspec exec` exit codes (inspec v6.8.24 lib/inspec/ui.rb and `Inspec::RunnerRspec#exit_code` in
 * lib/inspec/runner_rspec.rb; distinct exit is the default). 101 is a completed run, but one in which
 * every control was skipped checked nothing: the report parser makes that an error.
 */
export const CINC_AUDITOR_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'every control passed',
  1: 'usage or general error',
  2: 'error in a plugin',
  3: 'fatal deprecation',
  4: 'a gem dependency could not be loaded',
  100: 'at least one control failed',
  101: 'no control failed, at least one was skipped',
  102: 'a profile failed to load',
  130: 'interrupted',
  172: 'the license was not accepted',
}
export const CINC_AUDITOR_OK_EXIT_CODES = [0, 100, 101] as const

/**
 * The default profile: DevSec's Linux Baseline, fetched from GitHub at scan time. It is written to run
 * inside a container too (controls/os_spec.rb detects `container_execution` and skips only the kernel
 * and sysctl checks), so against a container it checks file permissions, SUID files, packages and
 * accounts. DevSec's cis-docker-benchmark, the earlier default, audits a Docker *host*: inside a
 * container every control is skipped (`only_if('docker not found')`) and nothing is checked.
 */
export const DEFAULT_INSPEC_PROFILE = 'https://github.com/dev-sec/linux-baseline'

/** Where the omnibus package installs itself, and so where its file tree sits in the package. */
const OMNIBUS_DIR = 'opt/cinc-auditor'

const DEB_ARCH: Partial<Record<Platform, string>> = { 'linux-x64': 'amd64', 'linux-arm64': 'arm64' }
const bare = (version: string): string => version.replace(/^v/, '')

/** The Ubuntu 24.04 packages of `https://downloads.cinc.sh/files/stable/cinc-auditor/<V>/ubuntu/24.04/`. */
export const cincAuditorTool: ToolSpec = {
  name: ID,
  repository: 'cinc-project/auditor',
  tag: (version) => `v${bare(version)}`,
  asset(version, platform) {
    const arch = DEB_ARCH[platform]
    if (arch === undefined) return undefined
    return {
      name: `cinc-auditor_${bare(version)}-1_${arch}.deb`,
      format: 'deb',
      // The interpreter: the stubs in bin/ have /opt shebangs (see the file comment).
      executable: `${OMNIBUS_DIR}/embedded/bin/ruby`,
    }
  },
  downloadUrl: (version, asset) =>
    `https://downloads.cinc.sh/files/stable/cinc-auditor/${bare(version)}/ubuntu/24.04/${asset.name}`,
  checksums: () => ({ kind: 'metadata-json', suffix: '.metadata.json' }),
  latestUnsupported: 'Cinc publishes its packages on downloads.cinc.sh, not as GitHub releases',
}

/**
 * The `inspec-profile` input, or the default. A profile is a local path, an https/git URL,
 * `supermarket://owner/name` or `compliance://owner/name`; a value that could be read as an option is
 * refused. Offline runners need a local path or archive: URLs and supermarket are fetched at scan time.
 */
export function resolveInspecProfile(text: string | undefined): string {
  const profile = (text ?? '').trim()
  if (profile === '') return DEFAULT_INSPEC_PROFILE
  const hasControlCharacter = Array.from({ length: profile.length }, (_, i) => profile.charCodeAt(i)).some(
    (code) => code < 0x20,
  )
  if (profile.startsWith('-') || hasControlCharacter) {
    throw new ConfigurationError(
      `inspec-profile: "${profile}" is not a profile; give a path, an https or git URL, or supermarket://owner/name`,
    )
  }
  return profile
}

/** The pieces of an unpacked omnibus tree the scan needs. */
export interface OmnibusLayout {
  /** `<tree>/opt/cinc-auditor/embedded`. */
  embedded: string
  /** The `cinc-auditor` stub to hand the interpreter. */
  binstub: string
  /** `3.1.0`: the directory name of the Ruby library version. */
  rubyVersion: string
  /** `x86_64-linux`: the directory holding `rbconfig.rb`. */
  rubyArch: string
  /** The CA bundle omnibus ships (its OpenSSL looks for it under /opt otherwise). */
  certFile?: string
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/**
 * A stub that is a symlink to an absolute `/opt/cinc-auditor/...` path points outside the unpacked tree;
 * the same path inside the tree is used instead.
 */
async function resolveInTree(path: string, installDir: string): Promise<string> {
  const info = await lstat(path)
  if (!info.isSymbolicLink()) return path
  const target = await readlink(path)
  if (isAbsolute(target)) {
    const prefix = `/${OMNIBUS_DIR}/`
    return target.startsWith(prefix) ? join(installDir, target.slice(prefix.length)) : target
  }
  return resolve(dirname(path), target)
}

/** Finds the layout of the tree the interpreter `ruby` belongs to. `ScannerError` when it is incomplete. */
export async function omnibusLayout(ruby: string): Promise<OmnibusLayout> {
  const embedded = dirname(dirname(ruby))
  const installDir = dirname(embedded)
  const libRuby = join(embedded, 'lib', 'ruby')
  const broken = (what: string): never => {
    throw new ScannerError(ID, `the cinc-auditor installation at ${installDir} is incomplete: ${what}`)
  }
  const versions = (await readdir(libRuby).catch(() => [] as string[])).filter((d) =>
    /^\d+\.\d+\.\d+$/.test(d),
  )
  const rubyVersion = versions.sort().pop() ?? broken(`no Ruby library under ${libRuby}`)
  const archDirs = await readdir(join(libRuby, rubyVersion), { withFileTypes: true }).catch(() => [])
  let rubyArch: string | undefined
  for (const dir of archDirs) {
    if (dir.isDirectory() && (await exists(join(libRuby, rubyVersion, dir.name, 'rbconfig.rb'))))
      rubyArch = dir.name
  }
  if (rubyArch === undefined) return broken(`no rbconfig.rb under ${join(libRuby, rubyVersion)}`)
  for (const candidate of [join(installDir, 'bin', 'cinc-auditor'), join(embedded, 'bin', 'cinc-auditor')]) {
    if (!(await exists(candidate))) continue
    const binstub = await resolveInTree(candidate, installDir)
    if (!(await exists(binstub))) continue
    const layout: OmnibusLayout = { embedded, binstub, rubyVersion, rubyArch }
    for (const cert of [join(embedded, 'ssl', 'certs', 'cacert.pem'), join(embedded, 'ssl', 'cert.pem')]) {
      if (layout.certFile === undefined && (await exists(cert))) layout.certFile = cert
    }
    return layout
  }
  return broken('no bin/cinc-auditor')
}

/**
 * The environment that lets the unpacked interpreter find itself outside /opt. Pure. `inherited` is the
 * caller's LD_LIBRARY_PATH, kept after ours.
 */
export function cincAuditorEnv(layout: OmnibusLayout, inherited?: string): Record<string, string> {
  const { embedded, rubyVersion: v, rubyArch: arch } = layout
  const lib = join(embedded, 'lib', 'ruby')
  const rubyLib = [
    join(lib, 'site_ruby', v),
    join(lib, 'site_ruby', v, arch),
    join(lib, 'site_ruby'),
    join(lib, 'vendor_ruby', v),
    join(lib, 'vendor_ruby', v, arch),
    join(lib, 'vendor_ruby'),
    join(lib, v),
    join(lib, v, arch),
  ]
  const gems = join(lib, 'gems', v)
  return {
    LD_LIBRARY_PATH: [join(embedded, 'lib'), ...(inherited ? [inherited] : [])].join(':'),
    RUBYLIB: rubyLib.join(':'),
    GEM_HOME: gems,
    GEM_PATH: gems,
    // appbundler stubs reset GEM_HOME/GEM_PATH unless told not to.
    APPBUNDLER_ALLOW_RVM: 'true',
    // A runner's Ruby setup (setup-ruby, bundler) must not leak into the embedded interpreter.
    RUBYOPT: '',
    BUNDLE_GEMFILE: '',
    CHEF_LICENSE: 'accept-silent',
    ...(layout.certFile !== undefined ? { SSL_CERT_FILE: layout.certFile } : {}),
  }
}

/** Arguments after the interpreter: the stub, then `exec`. Pure. */
export function cincAuditorArgs(options: {
  binstub: string
  profile: string
  containerId: string
  reportFile: string
}): string[] {
  return [
    options.binstub,
    'exec',
    options.profile,
    '--target',
    `docker://${options.containerId}`,
    '--reporter',
    `json:${options.reportFile}`,
    '--no-create-lockfile', // a local profile directory is left as it was
    '--no-color',
  ]
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  const tool = ctx.tool
  if (tool === undefined) throw new ScannerError(ID, 'cinc-auditor is not installed')
  const profile = resolveInspecProfile(ctx.options.inspecProfile)
  const layout = await omnibusLayout(tool.path)
  const env = cincAuditorEnv(layout, ctx.env.LD_LIBRARY_PATH)
  const image = await findDaemonImage(ctx, ID)
  const reportFile = join(ctx.workDir, 'cinc-auditor.json')
  await rm(reportFile, { force: true })
  const { result } = await withContainer(
    ctx,
    { scannerId: ID, image: image.id, name: containerName(ID) },
    async (containerId) => {
      const args = cincAuditorArgs({ binstub: layout.binstub, profile, containerId, reportFile })
      try {
        return await runScanner(ctx, ID, { args, okExitCodes: CINC_AUDITOR_OK_EXIT_CODES, env })
      } catch (error) {
        throw explainExitCode(error, ID, CINC_AUDITOR_EXIT_CODES)
      }
    },
  )
  const report = await readReportFile(ID, reportFile, tailLines(result.stderr || result.stdout))
  const findings = parseInspecReport(report, { target: ctx.target, origin: reportFile })
  const note = runNoteOf(findings)
  if (note !== undefined) ctx.logger.warning(`cinc-auditor on ${ctx.target}: ${note} (profile ${profile})`)
  return findings
}

export const cincAuditor: Scanner = {
  id: ID,
  name: 'Cinc Auditor',
  tool: cincAuditorTool,
  validateOptions: (options) => void resolveInspecProfile(options.inspecProfile),
  unavailableReason: ({ platform, dockerAvailable }) => {
    if (DEB_ARCH[platform] === undefined) return CINC_AUDITOR_PLATFORMS
    return dockerAvailable ? undefined : CINC_AUDITOR_NO_DAEMON
  },
  scan,
}
