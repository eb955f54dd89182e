/**
 * The policy part of the config: the `fail-on`/`only-fixed`/`gate-on`/`severity-source` inputs, the
 * policy file, `.trivyignore` rules, OpenVEX documents and the baseline, all read and validated before
 * anything is downloaded. Pure: files come through the environment's `readFile`.
 */
import { isAbsolute, resolve } from 'node:path'
import type { Kind } from '../findings/finding.js'
import type { Threshold } from '../findings/severity.js'
import { loadBaseline } from '../policy/baseline.js'
import { uniformFailOn } from '../policy/gate.js'
import type { BaseImagePolicy } from '../policy/base-images.js'
import type { IgnoreRule } from '../policy/suppress.js'
import { parseIgnoreFile } from '../policy/trivy-ignore-yaml.js'
import { parseOpenVex, type VexStatement } from '../policy/vex.js'
import { SCANNER_IDS, isScannerId } from '../scanners/scanner.js'
import { ConfigurationError, errorMessage } from '../util/errors.js'
import type { GateOn } from './inputs.js'
import { DEFAULT_POLICY_FILE, parsePolicyFile, type PolicyFile } from './policy-file.js'
import { appendAll } from '../util/arrays.js'

export interface PolicyConfig {
  failOn: Record<Kind, Threshold>
  onlyFixed: boolean
  /** Findings from the final stage's base image are reported but do not fail the gate. */
  ignoreBase?: boolean
  /** The policy file's `base-images` section, when it has one. */
  baseImages?: BaseImagePolicy
  gateOn: GateOn
  /** `highest` or a scanner id. */
  severitySource: string
  ignoreRules: IgnoreRule[]
  vex: VexStatement[]
  /** Fingerprints of the baseline SARIF, when one was given. */
  baseline?: Set<string>
  /** The policy file that was read (workspace-relative as given), if any. */
  policyFile?: string | undefined
  /** Fail on any finding in CISA's KEV catalog (`fail-on-kev`). */
  failOnKev?: boolean
  /** Fail on any finding with an EPSS score at or above this (`fail-on-epss`, 0..1). */
  failOnEpss?: number
}

export interface PolicyInputs {
  failOn: Threshold
  onlyFixed?: boolean
  ignoreBase?: boolean
  gateOn?: string | undefined
  severitySource?: string | undefined
  policyFile?: string
  ignoreFile?: string | undefined
  baselineSarif?: string | undefined
  failOnKev?: boolean
  /** As written; validated here. */
  failOnEpss?: string | undefined
}

export interface FileAccess {
  workspace: string
  exists: (path: string) => boolean
  readFile: (path: string) => string
}

function readInput(files: FileAccess, input: string, path: string): string {
  try {
    return files.readFile(path)
  } catch (error) {
    throw new ConfigurationError(`input ${input}: cannot read ${path}: ${errorMessage(error)}`)
  }
}

function loadPolicyFile(inputs: PolicyInputs, files: FileAccess): { file?: PolicyFile; path?: string } {
  const given = inputs.policyFile?.trim()
  const path = given || DEFAULT_POLICY_FILE
  const absolute = isAbsolute(path) ? path : resolve(files.workspace, path)
  if (!files.exists(absolute)) {
    if (given) throw new ConfigurationError(`input policy-file: ${given} does not exist`)
    return {}
  }
  return { file: parsePolicyFile(readInput(files, 'policy-file', absolute), path), path }
}

export function buildPolicyConfig(inputs: PolicyInputs, files: FileAccess): PolicyConfig {
  const { file, path } = loadPolicyFile(inputs, files)
  // The policy file is the team's written policy: for the kinds it names it overrides the fail-on input.
  const failOn = { ...uniformFailOn(inputs.failOn), ...(file?.failOn ?? {}) }

  const gateOn = file?.gateOn ?? inputs.gateOn?.trim().toLowerCase() ?? 'all'
  if (gateOn !== 'all' && gateOn !== 'new') {
    throw new ConfigurationError(`input gate-on: "${inputs.gateOn ?? ''}" is not all or new`)
  }
  const severitySource = (file?.severitySource ?? inputs.severitySource?.trim().toLowerCase()) || 'highest'
  if (severitySource !== 'highest' && !isScannerId(severitySource)) {
    throw new ConfigurationError(
      `input severity-source: "${severitySource}" is not highest or a scanner id (${SCANNER_IDS.join(', ')})`,
    )
  }

  const ignoreRules = [...(file?.ignore ?? [])]
  const ignoreFile = inputs.ignoreFile?.trim()
  if (ignoreFile) {
    const absoluteIgnore = isAbsolute(ignoreFile) ? ignoreFile : resolve(files.workspace, ignoreFile)
    if (!files.exists(absoluteIgnore))
      throw new ConfigurationError(`input ignore-file: ${ignoreFile} does not exist`)
    appendAll(ignoreRules, parseIgnoreFile(readInput(files, 'ignore-file', absoluteIgnore), ignoreFile))
  }

  // VEX paths in the policy file are relative to the repository (the workspace), as the README says.
  const vex: VexStatement[] = []
  for (const vexPath of file?.vex ?? []) {
    const absoluteVex = isAbsolute(vexPath) ? vexPath : resolve(files.workspace, vexPath)
    if (!files.exists(absoluteVex)) {
      throw new ConfigurationError(`policy file ${path ?? ''}: vex document ${vexPath} does not exist`)
    }
    appendAll(vex, parseOpenVex(readInput(files, 'policy-file', absoluteVex), vexPath))
  }

  const policy: PolicyConfig = {
    failOn,
    onlyFixed: file?.onlyFixed ?? inputs.onlyFixed ?? false,
    ignoreBase: file?.ignoreBase ?? inputs.ignoreBase ?? false,
    gateOn,
    severitySource,
    ignoreRules,
    vex,
    failOnKev: file?.failOnKev ?? inputs.failOnKev ?? false,
  }
  const failOnEpss = file?.failOnEpss ?? parseProbability('fail-on-epss', inputs.failOnEpss)
  if (failOnEpss !== undefined) policy.failOnEpss = failOnEpss
  const baselinePath = inputs.baselineSarif?.trim()
  if (baselinePath) {
    const absoluteBaseline = isAbsolute(baselinePath) ? baselinePath : resolve(files.workspace, baselinePath)
    if (!files.exists(absoluteBaseline))
      throw new ConfigurationError(`input baseline-sarif: ${baselinePath} does not exist`)
    policy.baseline = loadBaseline(readInput(files, 'baseline-sarif', absoluteBaseline), baselinePath)
  } else if (gateOn === 'new') {
    throw new ConfigurationError(
      'input gate-on: "new" needs baseline-sarif (a SARIF from an earlier run) to tell new from existing',
    )
  }
  if (file?.baseImages !== undefined)
    policy.baseImages = { ...file.baseImages, origin: path ?? DEFAULT_POLICY_FILE }
  if (path !== undefined) policy.policyFile = path
  return policy
}

/** A probability input (`0.5`, `.1`, `1`): undefined when empty, else a number in 0..1. */
export function parseProbability(name: string, value: string | undefined): number | undefined {
  const text = value?.trim() ?? ''
  if (text === '') return undefined
  const number = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN
  if (!(number >= 0 && number <= 1)) {
    throw new ConfigurationError(
      `input ${name}: "${text}" is not a probability between 0 and 1 (e.g. 0.5 for 50%)`,
    )
  }
  return number
}
