/**
 * Cosign: verifies the image's signature in its registry, by digest, with a public key (`--key`) or
 * keyless (`--certificate-identity` + `--certificate-oidc-issuer`). An unsigned image, one whose
 * signatures do not verify, and one that cannot be verified (no registry digest) are FINDINGS of the
 * severity `cosign-severity` (default high), not scanner errors; cosign failing for anything else
 * (network, a bad key file) is a `ScannerError`. Cosign has no report file: `reports:` does not list it.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Finding } from '../findings/finding.js'
import { isSeverity, type Severity } from '../findings/severity.js'
import type { Platform, ToolSpec } from '../tools/tool-spec.js'
import { ConfigurationError, ScannerError } from '../util/errors.js'
import { tailLines } from '../util/exec.js'
import { DOCKER_CALL_TIMEOUT_MS } from './daemon-image.js'
import { truncate } from './report-json.js'
import { runScanner } from './run-scanner.js'
import type { ScanContext, Scanner, ScannerOptions } from './scanner.js'

const ID = 'cosign'

/** `cosign verify` exit codes (cmd/cosign/errors/exit_codes.go); anything else non-zero is an error. */
export const COSIGN_EXIT_CODES: Readonly<Record<number, string>> = {
  0: 'verified',
  1: 'error',
  10: 'the image has no signature',
  11: 'the image reference does not exist',
  12: 'no signature matches the key or identity',
  13: 'no certificate found on the signature',
}

export const COSIGN_UNSIGNED_RULE = 'csg/cosign-unsigned'
export const COSIGN_UNVERIFIABLE_RULE = 'csg/cosign-unverifiable'
const REFERENCES = ['https://docs.sigstore.dev/cosign/verifying/verify/']

const ASSET_SUFFIX: Record<Platform, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'windows-amd64.exe',
}

/** Raw binaries `cosign-<os>-<arch>[.exe]` listed in `cosign_checksums.txt`. */
export const cosignTool: ToolSpec = {
  name: ID,
  repository: 'sigstore/cosign',
  tag: (version) => `v${version.replace(/^v/, '')}`,
  asset: (_version, platform) => ({
    name: `cosign-${ASSET_SUFFIX[platform]}`,
    format: 'raw',
    executable: platform === 'win32-x64' ? 'cosign.exe' : 'cosign',
  }),
  checksums: () => ({ kind: 'checksums-file', name: 'cosign_checksums.txt' }),
}

export type CosignMode = { kind: 'key'; key: string } | { kind: 'keyless'; identity: string; issuer: string }

const INPUTS = 'cosign-key, or cosign-certificate-identity with cosign-certificate-oidc-issuer'

function optionValue(name: string, value: string | undefined): string | undefined {
  const text = value?.trim()
  if (text === undefined || text === '') return undefined
  if (text.startsWith('-')) throw new ConfigurationError(`${name}: "${text}" could be read as an option`)
  return text
}

/** The verification mode the inputs configure; exactly one must be. `ConfigurationError` naming them. */
export function cosignMode(options: ScannerOptions): CosignMode {
  const key = options.cosignKey?.trim() ? options.cosignKey.trim() : undefined
  const identity = optionValue('cosign-certificate-identity', options.cosignCertificateIdentity)
  const issuer = optionValue('cosign-certificate-oidc-issuer', options.cosignCertificateOidcIssuer)
  if (key !== undefined && (identity !== undefined || issuer !== undefined)) {
    throw new ConfigurationError(`cosign: set either ${INPUTS}, not both`)
  }
  if (key !== undefined) {
    if (key.startsWith('-') && !key.startsWith('-----BEGIN')) {
      throw new ConfigurationError(`cosign-key: "${key}" could be read as an option`)
    }
    return { kind: 'key', key }
  }
  if (identity !== undefined && issuer !== undefined) return { kind: 'keyless', identity, issuer }
  if (identity !== undefined || issuer !== undefined) {
    throw new ConfigurationError(
      'cosign: keyless verification needs both cosign-certificate-identity and cosign-certificate-oidc-issuer',
    )
  }
  throw new ConfigurationError(`cosign needs a way to verify signatures: set ${INPUTS}`)
}

/** `cosign-severity`: the severity of an unsigned or unverifiable image. Default high. */
export function cosignSeverity(text: string | undefined): Severity {
  const value = (text ?? '').trim().toLowerCase()
  if (value === '') return 'high'
  if (isSeverity(value) && value !== 'unknown') return value
  throw new ConfigurationError(`cosign-severity: "${text ?? ''}" is not one of critical, high, medium, low`)
}

/** Arguments of `cosign verify` for an image pinned by digest. Pure. */
export function cosignVerifyArgs(options: {
  image: string
  mode: CosignMode
  keyFile?: string
  timeoutMs: number
}): string[] {
  const { mode } = options
  const modeArgs =
    mode.kind === 'key'
      ? ['--key', options.keyFile ?? mode.key]
      : ['--certificate-identity', mode.identity, '--certificate-oidc-issuer', mode.issuer]
  return [
    'verify',
    ...modeArgs,
    '--output',
    'json',
    '--timeout',
    `${Math.max(1, Math.ceil(options.timeoutMs / 1000))}s`,
    options.image,
  ]
}

const DIGEST_REF = /^(.+)@(sha256:[0-9a-f]{64})$/

/** `ghcr.io/o/app:1@sha256:…` → itself; a reference without a digest → undefined. */
export function digestReference(reference: string | undefined): string | undefined {
  const text = reference?.trim()
  return text !== undefined && DIGEST_REF.test(text) ? text : undefined
}

/** `app`, `library/app`, `docker.io/library/app` name one repository. */
export function repositoryOf(reference: string): string {
  let name = reference.replace(/@sha256:[0-9a-f]{64}$/, '')
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  if (colon > slash) name = name.slice(0, colon)
  const first = name.split('/')[0] ?? ''
  const hasRegistry =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`
  return name.replace(/^index\.docker\.io\//, 'docker.io/')
}

/** The RepoDigest to verify: the one of the named repository, else the first. */
export function pickRepoDigest(
  repoDigests: readonly string[],
  reference: string | undefined,
): string | undefined {
  const valid = repoDigests.filter((d) => DIGEST_REF.test(d))
  if (reference !== undefined) {
    const wanted = repositoryOf(reference)
    const match = valid.find((d) => repositoryOf(d) === wanted)
    if (match !== undefined) return match
  }
  return valid[0]
}

/** The registry reference to verify, or why there is none. */
async function registryReference(ctx: ScanContext): Promise<{ image?: string; why?: string }> {
  const { source } = ctx
  // A `registry:` image: the digest its tag resolved to when it was pulled (the index for a multi-platform image, which is what `cosign sign` signs).
  if (source.registryDigest !== undefined) return { image: source.registryDigest }
  const pinned = digestReference(source.reference) ?? digestReference(source.input)
  if (pinned !== undefined) return { image: pinned }
  if (source.kind !== 'daemon' || source.reference === undefined) {
    return {
      why: `${source.input} was read from a local ${source.kind} and has no registry digest to verify`,
    }
  }
  const inspect = await ctx.run(
    'docker',
    ['image', 'inspect', '--format', '{{json .RepoDigests}}', source.reference],
    {
      env: { ...ctx.env },
      timeoutMs: Math.min(DOCKER_CALL_TIMEOUT_MS, ctx.timeoutMs),
    },
  )
  if (inspect.exitCode !== 0) {
    throw new ScannerError(
      ID,
      `cosign: \`docker image inspect ${source.reference}\` failed\n${tailLines(inspect.stderr)}`,
    )
  }
  let digests: unknown
  try {
    digests = JSON.parse(inspect.stdout.trim() || 'null')
  } catch {
    throw new ScannerError(ID, `cosign: unexpected RepoDigests from docker: ${truncate(inspect.stdout, 200)}`)
  }
  const list = Array.isArray(digests) ? digests.filter((d): d is string => typeof d === 'string') : []
  const picked = pickRepoDigest(list, source.reference)
  if (picked !== undefined) return { image: picked }
  return { why: `${source.reference} has no registry digest (it was built locally and not pushed or pulled)` }
}

function finding(
  ctx: ScanContext,
  options: { rule: string; title: string; description: string; severity: Severity; evidence?: string },
): Finding {
  const result: Finding = {
    kind: 'compliance',
    ruleId: options.rule,
    aliases: [],
    title: options.title,
    description: options.description,
    severity: options.severity,
    severityBySource: { [ID]: { severity: options.severity } },
    detectedBy: [ID],
    target: ctx.target,
    references: REFERENCES,
  }
  if (options.evidence !== undefined && options.evidence !== '')
    result.evidence = truncate(options.evidence, 200)
  return result
}

/**
 * The exit code or stderr of a failed `cosign verify` that means "no valid signature". An image signed in
 * the new bundle format (cosign v3) is verified as attestations (cmd/cosign/cli/verify/verify.go →
 * `cosign.VerifyImageAttestations`); when no bundle verifies, pkg/cosign/verify.go returns
 * `ErrNoMatchingAttestations` ("no matching attestations: …"), which cmd/cosign/errors/
 * exit_code_lookup.go maps to no code of its own: exit 1, told apart by its message.
 */
export function unsignedReason(exitCode: number | null, stderr: string): string | undefined {
  if (exitCode === 10 || /no signatures found/i.test(stderr)) return 'the image has no signature'
  if (exitCode === 12 || /no matching (signatures|attestations)/i.test(stderr)) {
    return 'no signature on the image verifies with the configured key or identity'
  }
  if (exitCode === 13 || /no certificate found on signature/i.test(stderr)) {
    return 'the signatures carry no certificate to verify the configured identity'
  }
  return undefined
}

async function scan(ctx: ScanContext): Promise<Finding[]> {
  const mode = cosignMode(ctx.options)
  const severity = cosignSeverity(ctx.options.cosignSeverity)
  const { image, why } = await registryReference(ctx)
  if (image === undefined) {
    return [
      finding(ctx, {
        rule: COSIGN_UNVERIFIABLE_RULE,
        title: 'The image signature cannot be verified',
        description: `Cosign verifies signatures stored next to an image in its registry. ${why ?? ''}. Push the image and scan it by its registry reference (name@sha256:…) to verify it.`,
        severity,
      }),
    ]
  }
  let keyFile: string | undefined
  if (mode.kind === 'key' && mode.key.startsWith('-----BEGIN')) {
    keyFile = join(ctx.workDir, 'cosign.pub') // a PEM given inline is written out, cosign reads files
    await writeFile(keyFile, `${mode.key}\n`, { mode: 0o600 })
  }
  const args = cosignVerifyArgs({ image, mode, timeoutMs: ctx.timeoutMs, ...(keyFile ? { keyFile } : {}) })
  const ok = [0, 1, 10, 11, 12, 13]
  const { result } = await runScanner(ctx, ID, { args, okExitCodes: ok })
  if (result.exitCode === 0) {
    ctx.logger.info(`cosign: the signature of ${image} verified`)
    return []
  }
  const stderr = tailLines(result.stderr, 10)
  const reason = unsignedReason(result.exitCode, result.stderr)
  if (reason !== undefined) {
    const how =
      mode.kind === 'key' ? 'the configured public key' : `identity ${mode.identity} (issuer ${mode.issuer})`
    return [
      finding(ctx, {
        rule: COSIGN_UNSIGNED_RULE,
        title: 'The image is not signed by a trusted signer',
        description: `cosign verify ${image} against ${how}: ${reason}.\n\n${stderr}`,
        severity,
        evidence: reason,
      }),
    ]
  }
  if (result.exitCode === 11) {
    return [
      finding(ctx, {
        rule: COSIGN_UNVERIFIABLE_RULE,
        title: 'The image signature cannot be verified',
        description: `cosign could not find ${image} in its registry, so its signature cannot be verified.\n\n${stderr}`,
        severity,
      }),
    ]
  }
  throw new ScannerError(ID, `cosign verify ${image} failed (exit ${String(result.exitCode)})\n${stderr}`)
}

export const cosign: Scanner = {
  id: ID,
  name: 'Cosign',
  tool: cosignTool,
  validateOptions: (options) => {
    cosignMode(options)
    cosignSeverity(options.cosignSeverity)
  },
  scan,
}
