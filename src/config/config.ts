/**
 * `Inputs` (from action.yml or CLI flags) → a validated `Config`. Pure: the file system is reached only
 * through the `ConfigEnvironment` the caller passes. Every bad value is a `ConfigurationError` that names
 * the input and what it accepts, raised before anything is downloaded.
 */
import { parsePlatformRequest, type PlatformRequest } from '../target/platform.js'
import { isAbsolute, join, resolve } from 'node:path'
import { isThreshold, THRESHOLDS } from '../findings/severity.js'
import { scannerById } from '../scanners/registry.js'
import { parseReportSpec } from '../scanners/report-formats.js'
import {
  isScannerId,
  SCANNER_IDS,
  type ReportFormat,
  type ScannerId,
  type ScannerOptions,
} from '../scanners/scanner.js'
import type { SbomFormat } from '../report/sbom-format.js'
import { ConfigurationError } from '../util/errors.js'
import {
  INPUT_DEFINITIONS,
  inputDefault,
  inputDefinition,
  splitList,
  type ChoiceOf,
  type InputName,
  type Inputs,
  type SarifRunsPer,
  type UploadMode,
} from './inputs.js'
import { buildPolicyConfig, type PolicyConfig } from './policy-config.js'
import { buildExploitDataConfig, type ExploitDataConfig } from './exploit-config.js'
import { isSeverity, type Severity } from '../findings/severity.js'

export type { UploadMode } from './inputs.js'

export interface ReportImport {
  format: ReportFormat
  /** Absolute path. */
  path: string
  /** As the user wrote it, for messages. */
  spec: string
}

export interface Config {
  /** Images as the user named them, in order, without duplicates. */
  images: string[]
  /** The `platform` input: which platform(s) of a multi-platform image to scan. */
  platforms: PlatformRequest
  /** How `registry:` images are pulled. */
  registry: RegistryConfig
  scanners: ScannerId[]
  /** Thresholds per kind, suppressions, baseline: the inputs and the policy file together. */
  policy: PolicyConfig
  /** Where KEV and EPSS data come from. */
  exploitData: ExploitDataConfig
  /** `sarif-severity`: findings below it are left out of the SARIF log and annotations. */
  sarifSeverity?: Severity
  /** Absolute path of the Dockerfile, when given or found. */
  dockerfile?: string
  reports: ReportImport[]
  /** Absolute paths; undefined = do not write (CLI without --sarif / --json). */
  sarifFile?: string
  findingsFile?: string
  upload: UploadMode
  waitForProcessing: boolean
  comment: boolean
  sarifRuns: SarifRunsPer
  /** The `category` input: the prefix of every SARIF run's category instead of the default. */
  category?: string
  /** The `matrix` input parsed (`toJson(matrix)`); undefined outside a matrix job. */
  matrix?: Record<string, unknown>
  token?: string
  continueOnScannerError: boolean
  scanTimeoutMs: number
  toolsMirror?: string
  /** Requested versions per scanner (`latest` or a version); absent = the pinned default. */
  versions: Partial<Record<ScannerId, string>>
  /** Scanner-specific inputs (Trivy DB repositories, cosign keys, Docker Bench checks, InSpec profile). */
  scannerOptions: ScannerOptions
  /** Absolute path of the SBOM to write; undefined = none. */
  sbomFile?: string
  sbomFormat: SbomFormat
  /** Submit the inventory to GitHub's dependency graph. */
  dependencySnapshot: boolean
  /** Absolute workspace directory (relative paths resolve against it). */
  workspace: string
  /** Directory for temporary files (RUNNER_TEMP). */
  tempDir: string
}

export interface RegistryConfig {
  username?: string
  password?: string
  /** Hosts (or host:port) reached over plain HTTP besides loopback ones. */
  insecureRegistries: string[]
}

export interface ConfigEnvironment {
  /** Directory relative paths resolve against (GITHUB_WORKSPACE or the CWD). */
  workspace: string
  tempDir: string
  /** True when `path` exists (file or directory). */
  exists: (path: string) => boolean
  /** Reads a UTF-8 file (policy file, VEX documents, ignore file, baseline SARIF). */
  readFile: (path: string) => string
  /** Where output files go when not given: the action writes them under RUNNER_TEMP, the CLI not at all. */
  defaultOutputs: 'temp-dir' | 'none'
  /** What `kev: auto` does: download the catalog (the action) or only when fail-on-kev asks (the CLI). */
  kevDownloadsByDefault?: boolean
}

export function buildConfig(inputs: Inputs, env: ConfigEnvironment): Config {
  const workspace = resolve(env.workspace)
  const abs = (path: string): string => (isAbsolute(path) ? path : resolve(workspace, path))

  const images = dedupe(inputs.image ?? [])
  const reports = (inputs.reports ?? []).map((spec) => parseReportImport(spec, abs, env))
  if (images.length === 0 && reports.length === 0) {
    throw new ConfigurationError(
      'input image: no image given (name one or more images, one per line, or import reports with `reports`)',
    )
  }
  // A findings file names its own images (the collect step); other reports are about the scanned image.
  if (images.length > 1 && reports.some((r) => r.format !== 'findings')) {
    throw new ConfigurationError(
      'input reports: imported reports are attributed to the scanned image, so they can be combined with one image only (got ' +
        `${images.length} images)`,
    )
  }

  const scannerList = inputs.scanners ?? splitList(inputDefault('scanners'))
  const scanners = dedupe(scannerList.map((s) => s.toLowerCase())).map((s) => {
    if (!isScannerId(s)) {
      throw new ConfigurationError(
        `input scanners: unknown scanner "${s}" (accepted: ${SCANNER_IDS.join(', ')})`,
      )
    }
    return s
  })

  const failOnText = (inputs['fail-on'] ?? inputDefault('fail-on')).trim().toLowerCase()
  if (!isThreshold(failOnText)) {
    throw new ConfigurationError(
      `input fail-on: unknown severity "${inputs['fail-on'] ?? ''}" (accepted: ${THRESHOLDS.join(', ')})`,
    )
  }

  const dockerfile = resolveDockerfile(inputs.dockerfile, abs, env)

  const upload = parseChoice(inputs, 'upload')

  const sarifFile = outputPath(inputs['sarif-file'], 'container-security-gate.sarif', abs, env)
  const findingsFile = outputPath(inputs['findings-file'], 'container-security-gate-findings.json', abs, env)

  const versions: Partial<Record<ScannerId, string>> = {}
  for (const { name, kind } of INPUT_DEFINITIONS) {
    if (kind !== 'version') continue
    const id = name.replace(/-version$/, '')
    const value = inputs[name]?.trim()
    if (value && isScannerId(id)) versions[id] = validateVersion(name, value)
  }
  const scannerOptions = buildScannerOptions(inputs, scanners)

  const sarifRuns = parseChoice(inputs, 'sarif-runs')

  const policy = buildPolicyConfig(
    {
      failOn: failOnText,
      onlyFixed: booleanInput(inputs, 'only-fixed'),
      ignoreBase: booleanInput(inputs, 'ignore-base'),
      gateOn: inputs['gate-on'],
      severitySource: inputs['severity-source'],
      policyFile: inputs['policy-file'],
      ignoreFile: inputs['ignore-file'],
      baselineSarif: inputs['baseline-sarif'],
      failOnKev: booleanInput(inputs, 'fail-on-kev'),
      failOnEpss: inputs['fail-on-epss'],
    },
    { workspace, exists: env.exists, readFile: env.readFile },
  )
  const exploitData = buildExploitDataConfig(
    {
      kev: parseChoice(inputs, 'kev'),
      kevFile: inputs['kev-file'],
      epssFile: inputs['epss-file'],
      failOnKev: policy.failOnKev ?? false,
      downloadByDefault: env.kevDownloadsByDefault ?? false,
    },
    { workspace, exists: env.exists, readFile: env.readFile },
  )

  const config: Config = {
    images,
    platforms: parsePlatformRequest(inputs.platform),
    registry: registryConfig(inputs),
    scanners,
    policy,
    exploitData,
    reports,
    upload,
    waitForProcessing: booleanInput(inputs, 'wait-for-processing'),
    comment: booleanInput(inputs, 'comment'),
    sarifRuns,
    continueOnScannerError: booleanInput(inputs, 'continue-on-scanner-error'),
    scanTimeoutMs: parseDuration('scan-timeout', inputs['scan-timeout'] ?? inputDefault('scan-timeout')),
    versions,
    scannerOptions,
    sbomFormat: parseChoice(inputs, 'sbom-format'),
    dependencySnapshot: booleanInput(inputs, 'dependency-snapshot'),
    workspace,
    tempDir: resolve(env.tempDir),
  }
  if (dockerfile !== undefined) config.dockerfile = dockerfile
  Object.assign(config, parseCategoryInputs(inputs.category, inputs.matrix))
  if (sarifFile !== undefined) config.sarifFile = sarifFile
  if (findingsFile !== undefined) config.findingsFile = findingsFile
  const sbomFile = inputs['sbom-file']?.trim()
  if (sbomFile) config.sbomFile = abs(sbomFile)
  const token = inputs.token?.trim()
  if (token) config.token = token
  const sarifSeverity = parseSeverityFloor(inputs['sarif-severity'])
  if (sarifSeverity !== undefined) config.sarifSeverity = sarifSeverity
  const mirror = inputs['tools-mirror']?.trim()
  if (mirror) config.toolsMirror = validateMirror(mirror)
  return config
}

function registryConfig(inputs: Inputs): RegistryConfig {
  const registry: RegistryConfig = {
    insecureRegistries: (inputs['insecure-registries'] ?? []).map((r) => r.trim()).filter((r) => r !== ''),
  }
  // An empty input is "not given": the Docker config is used instead.
  const username = inputs['registry-username']?.trim()
  const password = inputs['registry-password']
  if (username) registry.username = username
  if (password !== undefined && password !== '') registry.password = password
  if ((registry.username === undefined) !== (registry.password === undefined)) {
    throw new ConfigurationError('inputs registry-username and registry-password: set both or neither')
  }
  return registry
}

/** Scanner inputs passed on as they are written (validated below for the scanners that read them). */
const TEXT_SCANNER_OPTIONS = [
  ['docker-bench-checks', 'dockerBenchChecks'],
  ['inspec-profile', 'inspecProfile'],
  ['cosign-key', 'cosignKey'],
  ['cosign-certificate-identity', 'cosignCertificateIdentity'],
  ['cosign-certificate-oidc-issuer', 'cosignCertificateOidcIssuer'],
  ['cosign-severity', 'cosignSeverity'],
] as const satisfies readonly (readonly [keyof Inputs, keyof ScannerOptions])[]

/** Scanner-specific inputs, validated now (before any download) for the scanners that read them. */
function buildScannerOptions(inputs: Inputs, scanners: readonly ScannerId[]): ScannerOptions {
  const options: ScannerOptions = {}
  const text = (name: keyof Inputs): string | undefined => {
    const value = inputs[name]
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
  }
  const dbRepos = text('trivy-db-repository')
  if (dbRepos) options.trivyDbRepositories = splitList(dbRepos)
  for (const [input, option] of TEXT_SCANNER_OPTIONS) {
    const value = text(input)
    if (value !== undefined) options[option] = value
  }
  for (const id of SCANNER_IDS) if (scanners.includes(id)) scannerById(id).validateOptions?.(options)
  return options
}

function dedupe(values: readonly string[]): string[] {
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))]
}

function parseReportImport(spec: string, abs: (p: string) => string, env: ConfigEnvironment): ReportImport {
  const { format, path } = parseReportSpec(spec)
  const absolute = abs(path)
  if (!env.exists(absolute)) throw new ConfigurationError(`input reports: report file ${path} does not exist`)
  return { format, path: absolute, spec }
}

function resolveDockerfile(
  value: string | undefined,
  abs: (p: string) => string,
  env: ConfigEnvironment,
): string | undefined {
  const given = value?.trim()
  if (given) {
    const path = abs(given)
    if (!env.exists(path)) throw new ConfigurationError(`input dockerfile: ${given} does not exist`)
    return path
  }
  const fallback = abs('Dockerfile')
  return env.exists(fallback) ? fallback : undefined
}

function outputPath(
  value: string | undefined,
  defaultName: string,
  abs: (p: string) => string,
  env: ConfigEnvironment,
): string | undefined {
  const given = value?.trim()
  if (given) return abs(given)
  return env.defaultOutputs === 'temp-dir' ? join(resolve(env.tempDir), defaultName) : undefined
}

/** A `boolean` input, its default from the input table. */
function booleanInput(inputs: Inputs, name: InputName): boolean {
  const value = inputs[name]
  return parseBoolean(name, typeof value === 'string' ? value : undefined, inputDefault(name) === 'true')
}

/** A `choice` input (lower-cased), its default and accepted values from the input table. */
function parseChoice<N extends InputName>(inputs: Inputs, name: N): ChoiceOf<N> {
  const given = inputs[name]
  const raw = typeof given === 'string' ? given : undefined
  const text = (raw ?? inputDefault(name)).trim().toLowerCase()
  const choices = inputDefinition(name).choices ?? []
  if (!choices.includes(text)) {
    const accepted =
      choices.length === 2 ? `${choices[0] ?? ''} or ${choices[1] ?? ''}` : `one of ${choices.join(', ')}`
    throw new ConfigurationError(`input ${name}: "${raw ?? ''}" is not ${accepted}`)
  }
  return text as ChoiceOf<N>
}

/** `sarif-severity`: critical, high, medium or low; empty means every finding. */
function parseSeverityFloor(value: string | undefined): Severity | undefined {
  const text = value?.trim().toLowerCase() ?? ''
  if (text === '') return undefined
  if (!isSeverity(text) || text === 'unknown') {
    throw new ConfigurationError(
      `input sarif-severity: "${value ?? ''}" is not a severity (critical, high, medium or low; empty for all)`,
    )
  }
  return text
}

/** `true`/`false` (YAML 1.2 core schema words, as @actions/core getBooleanInput accepts). */
export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = value?.trim()
  if (!text) return fallback
  if (['true', 'True', 'TRUE'].includes(text)) return true
  if (['false', 'False', 'FALSE'].includes(text)) return false
  throw new ConfigurationError(`input ${name}: "${text}" is not true or false`)
}

/** `90s`, `10m`, `1h`, `1h30m` → milliseconds. */
export function parseDuration(name: string, value: string): number {
  const text = value.trim().toLowerCase()
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  const ms = match
    ? (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000
    : Number.NaN
  if (!text || !(ms > 0)) {
    throw new ConfigurationError(`input ${name}: "${value}" is not a duration (e.g. 90s, 10m, 1h, 1h30m)`)
  }
  return ms
}

/** `latest` or a version: 1.2.3, v1.2.3, 1.2.3-rc.1. */
export function validateVersion(name: string, value: string): string {
  if (value === 'latest' || /^v?\d+(\.\d+){0,3}([-+][0-9A-Za-z.-]+)?$/.test(value)) return value
  throw new ConfigurationError(`input ${name}: "${value}" is not a version (e.g. 0.58.1, v0.58.1, latest)`)
}

function validateMirror(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigurationError(
      `input tools-mirror: "${value}" is not a URL (e.g. https://mirror.example.com/github)`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigurationError(`input tools-mirror: "${value}" must be an http(s) URL`)
  }
  return value.replace(/\/+$/, '')
}

/**
 * `category` (trimmed, printable, no leading or trailing `/`) and `matrix` (a JSON object, `null` or empty
 * outside a matrix job, as `toJson(matrix)` gives it).
 */
function parseCategoryInputs(
  categoryInput: string | undefined,
  matrixInput: string | undefined,
): { category?: string; matrix?: Record<string, unknown> } {
  const parsed: { category?: string; matrix?: Record<string, unknown> } = {}
  const category = categoryInput?.trim().replace(/^\/+|\/+$/g, '') ?? ''
  if (category !== '') {
    if (/[^\x21-\x7e]/.test(category)) {
      throw new ConfigurationError(
        `input category: "${category}" may hold only printable characters without spaces (it names a code-scanning category)`,
      )
    }
    parsed.category = category
  }
  const matrix = matrixInput?.trim() ?? ''
  if (matrix === '' || matrix === 'null') return parsed
  let value: unknown
  try {
    value = JSON.parse(matrix)
  } catch {
    throw new ConfigurationError(
      `input matrix: not JSON ("${matrix.slice(0, 80)}"); leave it at its default \${{ toJson(matrix) }}`,
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigurationError(
      'input matrix: not a JSON object; leave it at its default ${{ toJson(matrix) }}',
    )
  }
  parsed.matrix = value as Record<string, unknown>
  return parsed
}
