/**
 * The one finding model every scanner report (run or imported) is turned into. Pure types and helpers.
 */
import type { EpssScore, KevMark } from './exploit-data.js'
import type { Severity } from './severity.js'

export const KINDS = ['vulnerability', 'misconfiguration', 'secret', 'compliance'] as const
export type Kind = (typeof KINDS)[number]

export type FixState = 'fixed' | 'not-fixed' | 'wont-fix' | 'unknown'

export interface PackageRef {
  name: string
  version: string
  /** Ecosystem or package type as the scanner names it, lower-cased: `apk`, `deb`, `npm`, `gobinary`, ... */
  type: string
  purl?: string
  /** File the package was found in, for language packages (`/app/package-lock.json`). */
  path?: string
}

export interface LayerRef {
  /** `sha256:…` DiffID of the uncompressed layer. */
  diffId: string
  /** The history `created_by` line of the layer, when known. */
  createdBy?: string
}

/** A file in the repository (the Dockerfile) and the lines a finding is attributed to. */
export interface SourceLocation {
  path: string
  startLine: number
  endLine?: number
}

export type InstructionKeyword =
  'FROM' | 'USER' | 'EXPOSE' | 'ENV' | 'ARG' | 'HEALTHCHECK' | 'ADD' | 'COPY' | 'RUN' | 'LABEL'

export interface InstructionHint {
  keyword: InstructionKeyword
  /** A word the instruction's arguments contain (a port, a variable name); omitted to take the last one. */
  argument?: string
}

export interface Suppression {
  kind: 'ignore' | 'vex' | 'baseline'
  reason: string
  expires?: string
}

/**
 * Why a finding that is reported does not fail the gate. Each rule of the gate adds its own word; the
 * reports name it (`{"status":"exempt","reason":"only-fixed"}`).
 */
export type ExemptReason = 'below-threshold' | 'only-fixed' | 'baseline' | 'base-image'

/**
 * What the gate made of a finding, computed once by the policy stage (`src/policy/gate.ts`): it fails the
 * gate, it is reported but exempt (and by which rule), or it is suppressed (and by what).
 */
export type GateStatus =
  | { status: 'fail' }
  | { status: 'exempt'; reason: ExemptReason }
  | { status: 'suppressed'; source: Suppression['kind'] }

export interface Finding {
  kind: Kind
  /** Stable rule id: a CVE/GHSA id for vulnerabilities, a check id (`CSG001`, `DS002`, `CIS-DI-0001`) otherwise. */
  ruleId: string
  /** Other ids of the same problem (GHSA for a CVE, distro advisories, ...), without `ruleId` itself. */
  aliases: string[]
  title: string
  description: string
  severity: Severity
  /** CVSS base score when known. */
  score?: number
  /**
   * The severity each scanner gave, keyed by scanner id, with its original word when it differed from
   * ours (`negligible` → low). Kept through merging so `severity-source` can choose.
   */
  severityBySource?: Record<string, { severity: Severity; original?: string }>
  /** Severities from vulnerability data sources (`nvd`, `redhat`, `ghsa`, ...) as the scanner reported them. */
  vendorSeverity?: Record<string, Severity>
  /** Scanner ids that reported it (several after merging). */
  detectedBy: string[]
  /** The image as the user named it. */
  target: string
  package?: PackageRef
  fix?: { state: FixState; versions: string[] }
  layer?: LayerRef
  /** Repository file (Dockerfile) location when known; set by attribution. */
  location?: SourceLocation
  /**
   * For findings about an image setting rather than a layer, the Dockerfile instruction that sets it, so
   * attribution can find its line: `{ keyword: 'USER', argument: 'root' }`, `{ keyword: 'EXPOSE',
   * argument: '22' }`, `{ keyword: 'ENV', argument: 'API_TOKEN' }`; `FROM` for something missing from the
   * final stage (no USER, no HEALTHCHECK).
   */
  instruction?: InstructionHint
  /**
   * What in the image the finding is about when it is not (only) a package: a file path
   * (`/root/.ssh/id_rsa`), a port (`22/tcp`), an ENV name (`ENV AWS_SECRET_ACCESS_KEY`). Part of the
   * fingerprint, so it must be stable across builds: never a digest, a timestamp or a secret value.
   */
  subject?: string
  references: string[]
  /** Help for the rule, when the scanner provides more than the description (builtin checks do). */
  help?: { text: string; markdown: string }
  /**
   * The rule's own short name, the same for every finding of the rule (`Credential file in the image`),
   * when `title` names this finding's subject (`… in the image: /root/.npmrc`). SARIF rules use it, so
   * an alert never shows one file's name for every finding of its rule.
   */
  ruleTitle?: string
  /** A short, already masked excerpt that shows the problem (`ENV AWS_SECRET_ACCESS_KEY=wJal…`). */
  evidence?: string
  suppression?: Suppression
  /** Listed in CISA's Known Exploited Vulnerabilities catalog (vulnerabilities only). */
  kev?: KevMark
  /** EPSS probability of exploitation, from a scanner report or an EPSS file (vulnerabilities only). */
  epss?: EpssScore
  /**
   * True when attribution traced the finding to the final stage's base image (a layer or a setting the
   * `FROM` image brought), not to this Dockerfile's own instructions. `ignore-base` keeps these out of the
   * gate. Never set without a Dockerfile whose build lines up with the image.
   */
  base?: boolean
  /** Set by the gate (`withGateStatus`); absent only on findings that have not been through it. */
  gate?: GateStatus
}

export function isKind(value: string): value is Kind {
  return (KINDS as readonly string[]).includes(value)
}
