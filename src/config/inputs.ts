/**
 * The action's inputs, one table mirroring `action.yml` (a test keeps the two in step), and the typed
 * raw `Inputs` value that both the action (`readActionInputs`) and the CLI (`config/flags.ts`) produce.
 * Validation happens later, in `config/config.ts`.
 */
import { SCANNER_IDS } from '../scanners/scanner.js'

export type InputKind =
  /** Taken as written (a path, a name, a URL, a severity), validated where it is used. */
  | 'string'
  /** Items separated by commas or newlines. */
  | 'list'
  /** One item per line: items may contain commas (image names, report paths). */
  | 'lines'
  /** `true` or `false`; a CLI switch. */
  | 'boolean'
  /** `90s`, `10m`, `1h30m`. */
  | 'duration'
  /** One of `choices`. */
  | 'choice'
  /** A scanner version to install (`<scanner>-version`): `latest` or a version number. */
  | 'version'

export interface InputDefinition {
  /** The input name in action.yml. */
  name: string
  description: string
  /** The default as written in action.yml; undefined when the input has none. */
  default?: string
  /** The CLI flag carrying the same value, when the CLI has one. */
  flag?: string
  /** What the value is: decides how the action splits it, the CLI flag's type and how it is validated. */
  kind: InputKind
  /** The accepted values of a `choice` input. */
  choices?: readonly string[]
}

export const INPUT_DEFINITIONS = [
  {
    name: 'image',
    kind: 'lines',
    description:
      'Image(s) to scan, one per line: a local Docker reference (app:ci, exported once with docker save), a docker save tarball, an OCI layout directory, an OCI archive, or registry:HOST/REPO:TAG / registry:HOST/REPO@sha256:… (pulled from the registry without a Docker daemon). Prefixes docker-archive:, oci-archive:, oci-dir:, docker: force the form.',
  },
  {
    name: 'platform',
    kind: 'string',
    description:
      "Platform(s) of a multi-platform image to scan: empty for the runner's (linux/amd64 on x64 runners), one like linux/arm64 or linux/arm/v7, several comma-separated, or all. Each platform is scanned as its own image, with its own SARIF category and summary section.",
    flag: '--platform',
  },
  {
    name: 'registry-username',
    kind: 'string',
    description:
      'User name for registry: images. Default: the Docker config ($DOCKER_CONFIG/config.json: auths, credHelpers, credsStore), as docker/login-action leaves it.',
    flag: '--registry-username',
  },
  {
    name: 'registry-password',
    kind: 'string',
    description: 'Password or token for registry: images (masked in the log). Use a secret.',
    flag: '--registry-password',
  },
  {
    name: 'insecure-registries',
    kind: 'list',
    description:
      'Registries (host or host:port) reached over plain HTTP for registry: images. Loopback registries (127.0.0.0/8, ::1, localhost) always are; every other one uses HTTPS.',
    flag: '--insecure-registries',
  },
  {
    name: 'scanners',
    kind: 'list',
    description: `Scanners to run, comma or newline separated: ${SCANNER_IDS.join(', ')}.`,
    default: 'builtin,trivy',
    flag: '--scanners',
  },
  {
    name: 'fail-on',
    kind: 'string',
    description: 'Fail when a finding is at or above this severity: critical, high, medium, low or none.',
    default: 'high',
    flag: '--fail-on',
  },
  {
    name: 'dockerfile',
    kind: 'string',
    description:
      'The Dockerfile the image was built from, for locating findings on its lines (default: Dockerfile in the workspace when it exists).',
    default: '',
    flag: '--dockerfile',
  },
  {
    name: 'policy-file',
    kind: 'string',
    description:
      'Policy file (YAML): fail-on per kind, only-fixed, ignore rules with reason and expiry, OpenVEX documents, severity-source, gate-on, fail-on-kev, fail-on-epss, ignore-base, base-images (allowed base image repositories, require-digest). Default: .github/container-security.yml when it exists.',
    default: '',
    flag: '--policy-file',
  },
  {
    name: 'only-fixed',
    kind: 'boolean',
    description: 'Vulnerabilities without a fixed version are reported but do not fail the gate.',
    default: 'false',
    flag: '--only-fixed',
  },
  {
    name: 'fail-on-kev',
    kind: 'boolean',
    description:
      "Fail on any vulnerability listed in CISA's Known Exploited Vulnerabilities catalog, whatever its severity (needs KEV data: see kev and kev-file).",
    default: 'false',
    flag: '--fail-on-kev',
  },
  {
    name: 'kev',
    kind: 'choice',
    choices: ['auto', 'on', 'off'],
    description:
      "Mark findings listed in CISA's KEV catalog: auto (the action downloads the catalog, cached for the day; the CLI only with --fail-on-kev), on (always download), off. kev-file is used instead of a download when given.",
    default: 'auto',
    flag: '--kev',
  },
  {
    name: 'kev-file',
    kind: 'string',
    description:
      "CISA's KEV catalog JSON (known_exploited_vulnerabilities.json) to use instead of downloading it: offline and air-gapped runs.",
    default: '',
    flag: '--kev-file',
  },
  {
    name: 'fail-on-epss',
    kind: 'string',
    description:
      'Fail on any vulnerability whose EPSS score (probability of exploitation in 30 days, 0 to 1) is at or above this value, e.g. 0.5. Scores come from Grype or epss-file.',
    default: '',
    flag: '--fail-on-epss',
  },
  {
    name: 'epss-file',
    kind: 'string',
    description:
      "FIRST's daily EPSS CSV (epss_scores-YYYY-MM-DD.csv, gunzipped: cve,epss,percentile) giving findings their EPSS score; it replaces a scanner's score.",
    default: '',
    flag: '--epss-file',
  },
  {
    name: 'sarif-severity',
    kind: 'string',
    description:
      'Leave findings below this severity (critical, high, medium, low) out of the SARIF log, its upload and the annotations; they stay in findings-file, the summary counts and the gate. Default: all.',
    default: '',
    flag: '--sarif-severity',
  },
  {
    name: 'ignore-base',
    kind: 'boolean',
    description:
      "Findings that came with the final stage's base image (its FROM line, known from the Dockerfile) are reported, marked base, but do not fail the gate; the image's own layers gate as before.",
    default: 'false',
    flag: '--ignore-base',
  },
  {
    name: 'ignore-file',
    kind: 'string',
    description:
      'A .trivyignore file (ids one per line, # comments, exp:YYYY-MM-DD) or a .trivyignore.yaml (id, paths, purls, statement, expired_at per entry), told apart by the .yml/.yaml extension as Trivy does.',
    default: '',
    flag: '--ignore-file',
  },
  {
    name: 'severity-source',
    kind: 'string',
    description:
      'Which severity a finding reported by several scanners takes: highest (default) or a scanner id (e.g. grype), falling back to the highest.',
    default: 'highest',
    flag: '--severity-source',
  },
  {
    name: 'baseline-sarif',
    kind: 'string',
    description:
      "A SARIF log from an earlier run of this action (e.g. the default branch's artifact): its findings are marked existing.",
    default: '',
    flag: '--baseline-sarif',
  },
  {
    name: 'gate-on',
    kind: 'choice',
    choices: ['all', 'new'],
    description:
      'all (default): every finding counts for the gate; new: findings present in baseline-sarif do not fail it.',
    default: 'all',
    flag: '--gate-on',
  },
  {
    name: 'reports',
    kind: 'lines',
    description:
      'Existing reports to import instead of (or besides) running scanners, one per line as FORMAT:PATH (trivy, grype, osv-scanner, dockle, hadolint, snyk, docker-bench, cinc-auditor, defender, sarif), or findings:PATH for the findings-file of a matrix leg (the collect step: one verdict, one SARIF run per image).',
    default: '',
    flag: '--report',
  },
  {
    name: 'sarif-file',
    kind: 'string',
    description: 'Where to write the SARIF log (default: under RUNNER_TEMP).',
    default: '',
    flag: '--sarif',
  },
  {
    name: 'findings-file',
    kind: 'string',
    description: 'Where to write the findings JSON (default: under RUNNER_TEMP).',
    default: '',
    flag: '--json',
  },
  {
    name: 'upload',
    kind: 'choice',
    choices: ['auto', 'always', 'never'],
    description:
      'Upload the SARIF to GitHub code scanning: auto (skip with a warning where the token cannot write security events), always, never.',
    default: 'auto',
  },
  {
    name: 'wait-for-processing',
    kind: 'boolean',
    description:
      'After uploading, wait until code scanning has processed the SARIF (and fail if it was rejected).',
    default: 'true',
  },
  {
    name: 'sarif-runs',
    kind: 'choice',
    choices: ['image', 'scanner'],
    description:
      'One SARIF run (code-scanning category) per image (default), or per image and scanner: image or scanner.',
    default: 'image',
    flag: '--sarif-runs',
  },
  {
    name: 'category',
    description:
      'Code-scanning category prefix, replacing container-security-gate/ and the matrix: each image run is <category>/<image repository>/ (plus <scanner>/ with sarif-runs: scanner). Set it when two jobs or workflows scan the same image for one commit. Never include a tag, digest or build number.',
    default: '',
    flag: '--category',
    kind: 'string',
  },
  {
    name: 'matrix',
    description:
      "The job's matrix, as codeql-action takes it: leave the default. Its values go into the default category, so matrix legs do not overwrite each other's results.",
    default: '${{ toJson(matrix) }}',
    flag: '--matrix',
    kind: 'string',
  },
  {
    name: 'comment',
    kind: 'boolean',
    description: 'Post (and update in place) one pull request comment with the verdict and top findings.',
    default: 'false',
  },
  {
    name: 'token',
    kind: 'string',
    description: 'Token for the code-scanning upload, PR comments and GitHub release lookups.',
    default: '${{ github.token }}',
  },
  {
    name: 'continue-on-scanner-error',
    kind: 'boolean',
    description:
      'Report a scanner that failed or cannot run here as failed/skipped in the summary without making the verdict "error".',
    default: 'false',
    flag: '--continue-on-scanner-error',
  },
  {
    name: 'scan-timeout',
    kind: 'duration',
    description: 'Time limit for each scanner run, e.g. 90s, 10m, 1h.',
    default: '10m',
    flag: '--scan-timeout',
  },
  {
    name: 'tools-mirror',
    kind: 'string',
    description:
      'Base URL that replaces https://github.com in every scanner download (GHES, air-gapped runners).',
    default: '',
    flag: '--tools-mirror',
  },
  {
    name: 'trivy-version',
    kind: 'version',
    description: 'Trivy version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--trivy-version',
  },
  {
    name: 'grype-version',
    kind: 'version',
    description: 'Grype version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--grype-version',
  },
  {
    name: 'osv-scanner-version',
    kind: 'version',
    description:
      'OSV-Scanner version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--osv-scanner-version',
  },
  {
    name: 'dockle-version',
    kind: 'version',
    description: 'Dockle version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--dockle-version',
  },
  {
    name: 'hadolint-version',
    kind: 'version',
    description: 'hadolint version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--hadolint-version',
  },
  {
    name: 'snyk-version',
    kind: 'version',
    description: 'Snyk CLI version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--snyk-version',
  },
  {
    name: 'docker-bench-version',
    kind: 'version',
    description:
      'Docker Bench for Security version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--docker-bench-version',
  },
  {
    name: 'cinc-auditor-version',
    kind: 'version',
    description:
      'Cinc Auditor version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--cinc-auditor-version',
  },
  {
    name: 'cosign-version',
    kind: 'version',
    description: 'cosign version to install (default: the pinned, checksum-verified version; or latest).',
    default: '',
    flag: '--cosign-version',
  },
  {
    name: 'trivy-db-repository',
    kind: 'string',
    description:
      'Trivy vulnerability DB repositories, comma separated, tried in order (default: mirror.gcr.io then ghcr.io).',
    default: '',
    flag: '--trivy-db-repository',
  },
  {
    name: 'docker-bench-checks',
    kind: 'string',
    description:
      'Docker Bench for Security checks or sections to run, comma separated (default: container_images,container_runtime against the scanned image).',
    default: '',
    flag: '--docker-bench-checks',
  },
  {
    name: 'inspec-profile',
    kind: 'string',
    description:
      'InSpec profile Cinc Auditor runs against a container started from the image (default: dev-sec linux-baseline, which applies inside a container).',
    default: '',
    flag: '--inspec-profile',
  },
  {
    name: 'cosign-key',
    kind: 'string',
    description: 'cosign public key (path, KMS URI or PEM) to verify the image signature with.',
    default: '',
    flag: '--cosign-key',
  },
  {
    name: 'cosign-certificate-identity',
    kind: 'string',
    description:
      'Keyless cosign verification: the expected certificate identity (with cosign-certificate-oidc-issuer).',
    default: '',
    flag: '--cosign-certificate-identity',
  },
  {
    name: 'cosign-certificate-oidc-issuer',
    kind: 'string',
    description:
      'Keyless cosign verification: the expected OIDC issuer (e.g. https://token.actions.githubusercontent.com).',
    default: '',
    flag: '--cosign-certificate-oidc-issuer',
  },
  {
    name: 'cosign-severity',
    kind: 'string',
    description:
      'Severity of the finding for an unsigned or unverifiable image: critical, high, medium or low.',
    default: 'high',
    flag: '--cosign-severity',
  },
  {
    name: 'sbom-file',
    description:
      'Write an SBOM of the image(s) here: the packages read natively from the image (dpkg, apk, rpm sqlite, npm, Python), each with its purl and layer. Default: none.',
    default: '',
    flag: '--sbom',
    kind: 'string',
  },
  {
    name: 'sbom-format',
    description: 'Format of sbom-file: cyclonedx-json (CycloneDX 1.6, default) or spdx-json (SPDX 2.3).',
    default: 'cyclonedx-json',
    flag: '--sbom-format',
    kind: 'choice',
    choices: ['cyclonedx-json', 'spdx-json'],
  },
  {
    name: 'dependency-snapshot',
    description:
      "Submit the image's packages to GitHub's dependency graph (Dependabot alerts for the container); needs `contents: write`, skipped with a warning when the token cannot write.",
    default: 'false',
    kind: 'boolean',
  },
] as const satisfies readonly InputDefinition[]

type InputRow = (typeof INPUT_DEFINITIONS)[number]

export type InputName = InputRow['name']

/** Inputs whose value is a list. */
export type ListInputName = Extract<InputRow, { kind: 'list' | 'lines' }>['name']

/** The accepted values of a `choice` input, as a type. */
export type ChoiceOf<N extends InputName> =
  Extract<InputRow, { name: N }> extends { choices: readonly (infer C)[] } ? C : never

export type UploadMode = ChoiceOf<'upload'>
export type SarifRunsPer = ChoiceOf<'sarif-runs'>
export type GateOn = ChoiceOf<'gate-on'>

/** The row of one input. */
export function inputDefinition(name: InputName): InputDefinition {
  const definition: InputDefinition | undefined = INPUT_DEFINITIONS.find((d) => d.name === name)
  if (definition === undefined) throw new Error(`no input named ${name}`)
  return definition
}

/** The default of an input as action.yml gives it ('' when it has none). */
export function inputDefault(name: InputName): string {
  return inputDefinition(name).default ?? ''
}

/** Raw input values (lists already split), before validation. An absent key means "not given". */
export type Inputs = { [K in InputName]?: K extends ListInputName ? string[] : string }

/** Splits a list input on newlines and commas, trimming and dropping empty items and `#` comments. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'))
}

/** Splits on newlines only (for values that may contain commas, like report paths and image names). */
export function splitLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'))
}
