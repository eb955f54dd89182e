/**
 * Checks every SARIF log the tests produce the way GitHub would: against the official SARIF 2.1.0 schema
 * (OASIS, draft-04, in `__fixtures__/`) and with the SARIF Multitool's GitHub ingestion rules.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import AjvDraft04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import type { ValidateFunction } from 'ajv'

const execFileAsync = promisify(execFile)

const SCHEMA_PATH = fileURLToPath(new URL('../__fixtures__/sarif-schema-2.1.0.json', import.meta.url))

let validator: ValidateFunction | undefined

function schemaValidator(): ValidateFunction {
  if (validator === undefined) {
    // The packages are CommonJS: their default export is the `default` of the module object here.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false })
    addFormats.default(ajv)
    ajv.addKeyword({
      keyword: FAST_UNIQUE_ITEMS,
      type: 'array',
      schemaType: 'boolean',
      validate: (enabled: boolean, data: unknown[]) => !enabled || allDistinct(data),
      errors: false,
    })
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as unknown
    validator = ajv.compile(withFastUniqueItems(schema) as object)
  }
  return validator
}

/**
 * Ajv checks `uniqueItems` by comparing every pair of items deeply: with thousands of rules
 * (`toolComponent.rules` is `uniqueItems`) one validation takes minutes. The same check by canonical
 * JSON in a set is linear.
 */
const FAST_UNIQUE_ITEMS = 'x-uniqueItemsByValue'

function withFastUniqueItems(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withFastUniqueItems)
  if (node === null || typeof node !== 'object') return node
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'uniqueItems') copy[FAST_UNIQUE_ITEMS] = value
    else copy[key] = withFastUniqueItems(value)
  }
  return copy
}

function allDistinct(items: readonly unknown[]): boolean {
  return new Set(items.map(canonicalJson)).size === items.length
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  // `JSON.stringify(undefined)` is undefined, whatever its declared type says.
  return value === undefined ? 'undefined' : JSON.stringify(value)
}

/** Schema errors as `instancePath: message` lines; empty when the log is valid SARIF 2.1.0. */
export function validateSarifSchema(log: unknown): string[] {
  const validate = schemaValidator()
  if (validate(log)) return []
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
  )
}

export interface MultitoolFinding {
  /** The validated file. */
  file: string
  level: string
  ruleId: string
  message: string
}

/** The Multitool executable of this platform's npm package (called directly: its npm wrapper uses a shell). */
export function multitoolPath(): string {
  const require = createRequire(import.meta.url)
  const pkg = require.resolve(`@microsoft/sarif-multitool-${process.platform}/package.json`)
  return join(dirname(pkg), process.platform === 'win32' ? 'Sarif.Multitool.exe' : 'Sarif.Multitool')
}

interface MultitoolLog {
  runs?: {
    tool?: { driver?: { rules?: { id?: string; messageStrings?: Record<string, { text?: string }> }[] } }
    results?: {
      ruleId?: string
      level?: string
      message?: { text?: string; id?: string; arguments?: string[] }
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[]
    }[]
  }[]
}

/**
 * The Multitool leaves most GitHub rules (GH1001–GH1006) disabled unless a policy enables them; this is
 * GitHub's policy as sarif-sdk publishes it (`policies/github.config.xml`), with three changes:
 * - SARIF2006 (URIs should be reachable) is off: it fetches every `helpUri` over the network, which
 *   makes a run take minutes offline (or hammers NVD online) and the result depend on the network.
 * - GH1004 (arrays over GitHub's *display* defaults) is a warning: its built-in default of 1,000 results
 *   per run predates GitHub's documented 25,000 accepted (5,000 shown); `sarif-limits.ts` enforces the
 *   real limits and is tested directly.
 * - SARIF2012 (rule metadata) stays a warning, as in GitHub's policy.
 */
const GITHUB_POLICY = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
${[
  ['SARIF2006.UrisShouldBeReachable', 'Disabled'],
  ['SARIF2007.ExpressPathsRelativeToRepoRoot', 'Error'],
  ['SARIF2012.ProvideRuleProperties', 'Warning'],
  ['SARIF2016.FileUrisShouldBeRelative', 'Disabled'],
  ['GH1001.ProvideRequiredLocationProperties', 'Error'],
  ['GH1002.InlineThreadFlowLocations', 'Error'],
  ['GH1003.ProvideRequiredRegionProperties', 'Error'],
  ['GH1004.ReviewArraysThatExceedConfigurableDefaults', 'Warning'],
  ['GH1005.LocationsMustBeRelativeUrisOrFilePaths', 'Error'],
  ['GH1006.ProvideCheckoutPath', 'Error'],
]
  .map(
    ([rule, level]) =>
      `  <Properties Key='${rule}.Options'><Property Key='RuleEnabled' Value='${level}' /></Properties>`,
  )
  .join('\n')}
</Properties>
`

/**
 * Runs `Sarif.Multitool validate --rule-kind "Gh;Sarif"` with GitHub's policy once over all `files` (each
 * call costs seconds) and returns what it reported. It exits 0 whatever it finds, so its output log is
 * what counts.
 */
export async function runMultitoolGithubRules(files: string[]): Promise<MultitoolFinding[]> {
  if (files.length === 0) return []
  const dir = await mkdtemp(join(tmpdir(), 'sarif-multitool-'))
  const out = join(dir, 'validation.sarif')
  const policy = join(dir, 'github.config.xml')
  try {
    await writeFile(policy, GITHUB_POLICY)
    // It skips files over 10,000 KB unless told otherwise, and a skipped file would pass unchecked.
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size))
    const maxKb = Math.max(10_000, Math.ceil(Math.max(...sizes) / 1024) + 1)
    const options = ['--rule-kind', 'Gh;Sarif', '--config', policy, '--max-file-size-in-kb', String(maxKb)]
    const { stdout } = await execFileAsync(
      multitoolPath(),
      ['validate', ...options, '--log', 'ForceOverwrite', '-o', out, ...files],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } },
    )
    if (/WRN997|ERR997/.test(stdout)) throw new Error(`The SARIF Multitool skipped input files:\n${stdout}`)
    const log = JSON.parse(await readFile(out, 'utf8')) as MultitoolLog
    return (log.runs ?? []).flatMap((run) => {
      const rules = run.tool?.driver?.rules ?? []
      return (run.results ?? []).map((result) => {
        const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? ''
        const ruleId = result.ruleId ?? ''
        return {
          file: uri.startsWith('file:') ? fileURLToPath(uri) : uri,
          // SARIF's default level.
          level: result.level ?? 'warning',
          ruleId,
          message: messageText(result.message, rules.find((r) => r.id === ruleId)?.messageStrings),
        }
      })
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function messageText(
  message: { text?: string; id?: string; arguments?: string[] } | undefined,
  strings: Record<string, { text?: string }> | undefined,
): string {
  if (message === undefined) return ''
  if (message.text !== undefined) return message.text
  const args = message.arguments ?? []
  const template = message.id === undefined ? undefined : strings?.[message.id]?.text
  if (template === undefined) return `${message.id ?? ''} ${args.join(', ')}`.trim()
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => args[Number(i)] ?? whole)
}
