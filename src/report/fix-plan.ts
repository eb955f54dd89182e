/**
 * The fix plan: the findings grouped by what a person changes — upgrade one package, update the base
 * image, remove a secret, change a Dockerfile line — ranked by how many failing findings each change
 * clears, then changes with a known fix before those without, then by how many findings it clears. It
 * leads the job summary, the pull request comment and the CLI output. Suppressed findings are left out
 * (nothing to do about them). Pure.
 */
import type { Finding, SourceLocation } from '../findings/finding.js'
import { severityRank } from '../findings/severity.js'
import { compareForReport, compareText, oneLine } from './finding-text.js'
import type { GateResult } from './gate-result.js'

export type FixKind = 'upgrade' | 'base-image' | 'secret' | 'config' | 'no-fix'

export interface FixAction {
  kind: FixKind
  /** What to change, one plain line: `upgrade busybox 1.32.1 → 1.34.0`. */
  change: string
  /** Findings the change clears (or, for `no-fix`, is about). */
  findings: number
  /** Of those, the ones that fail the gate. */
  failing: number
  /** A known change clears them (a fixed version, a line to change); false when no fix is known. */
  fixable: boolean
}

interface Group {
  kind: FixKind
  findings: Finding[]
  describe: (findings: readonly Finding[]) => string
  fixable: boolean
}

export function buildFixPlan(result: GateResult): FixAction[] {
  const groups = new Map<string, Group>()
  const add = (key: string, finding: Finding, make: () => Omit<Group, 'findings'>): void => {
    const group = groups.get(key) ?? { ...make(), findings: [] }
    group.findings.push(finding)
    groups.set(key, group)
  }
  for (const image of result.images) {
    for (const finding of image.findings) {
      if (finding.suppression !== undefined || finding.gate?.status === 'suppressed') continue
      const { key, make } = groupOf(finding, result.baseImage)
      add(key, finding, make)
    }
  }
  const ranked = [...groups.values()].map((group) => ({
    action: {
      kind: group.kind,
      change: oneLine(group.describe(group.findings), 300),
      findings: group.findings.length,
      failing: group.findings.filter((f) => f.gate?.status === 'fail').length,
      fixable: group.fixable,
    } satisfies FixAction,
    // Ties go to the change that clears the most severe finding.
    severity: group.findings.reduce((top, f) => Math.max(top, severityRank(f.severity)), 0),
  }))
  return ranked
    .sort(
      (a, b) =>
        b.action.failing - a.action.failing ||
        Number(b.action.fixable) - Number(a.action.fixable) ||
        b.action.findings - a.action.findings ||
        b.severity - a.severity ||
        compareText(a.action.change, b.action.change),
    )
    .map((r) => r.action)
}

/** `upgrade busybox 1.32.1 → 1.34.0: fixes 3 (1 failing)`, `remove the secret added at Dockerfile:8: 1 finding (1 failing)`. */
export function fixActionText(action: FixAction): string {
  const failing = action.failing > 0 ? ` (${action.failing} failing)` : ''
  const count = `${action.findings} finding${action.findings === 1 ? '' : 's'}`
  switch (action.kind) {
    case 'upgrade':
      return `${action.change}: fixes ${action.findings}${failing}`
    case 'base-image':
      return `${action.change}: ${count} came with it${failing}`
    default:
      return `${action.change}: ${count}${failing}`
  }
}

function groupOf(
  finding: Finding,
  baseImage: GateResult['baseImage'],
): { key: string; make: () => Omit<Group, 'findings'> } {
  const pkg = finding.package
  if (
    finding.kind === 'vulnerability' &&
    pkg !== undefined &&
    pkg.name !== '' &&
    finding.fix?.state === 'fixed'
  ) {
    return {
      key: `upgrade\u0000${pkg.type}\u0000${pkg.name}\u0000${pkg.version}\u0000${pkg.path ?? ''}`,
      make: () => ({ kind: 'upgrade', fixable: true, describe: (all) => upgradeText(all) }),
    }
  }
  if (baseImage !== undefined && finding.layer !== undefined && isAt(finding.location, baseImage.location)) {
    return {
      key: 'base-image',
      make: () => ({
        kind: 'base-image',
        fixable: false,
        describe: () => `update the base image (FROM ${baseImage.image}, ${lineText(baseImage.location)})`,
      }),
    }
  }
  const where = finding.location !== undefined ? lineText(finding.location) : undefined
  if (finding.kind === 'secret') {
    const place = where !== undefined ? `added at ${where}` : `in ${finding.subject ?? finding.ruleId}`
    return {
      key: `secret\u0000${place}`,
      make: () => ({
        kind: 'secret',
        fixable: true,
        describe: (all) => (all.length === 1 ? `remove the secret ${place}` : `remove the secrets ${place}`),
      }),
    }
  }
  if (finding.kind === 'misconfiguration' || finding.kind === 'compliance') {
    return {
      key: where !== undefined ? `config\u0000${where}` : `config-rule\u0000${finding.ruleId}`,
      make: () => ({
        kind: 'config',
        fixable: true,
        describe: (all) => (where !== undefined ? `change ${where}: ${checksText(all)}` : ruleText(all)),
      }),
    }
  }
  const what = pkg !== undefined && pkg.name !== '' ? packageName(pkg.name, pkg.version) : finding.ruleId
  return {
    key: `no-fix\u0000${what}`,
    make: () => ({ kind: 'no-fix', fixable: false, describe: () => `no fix available yet for ${what}` }),
  }
}

/** `upgrade busybox 1.32.1 → 1.34.0`: the version that clears every finding of the group. */
function upgradeText(findings: readonly Finding[]): string {
  const pkg = findings[0]?.package
  if (pkg === undefined) return 'upgrade'
  const targets = findings
    .map((f) => neededVersion(pkg.version, f.fix?.versions ?? []))
    .filter((v): v is string => v !== undefined)
  const target = targets.reduce<string | undefined>(
    (best, v) => (best === undefined || compareVersions(v, best) > 0 ? v : best),
    undefined,
  )
  const where = pkg.path !== undefined && pkg.path !== '' ? ` (${pkg.path})` : ''
  const from = packageName(pkg.name, pkg.version)
  return target === undefined
    ? `upgrade ${from}${where} to a fixed version`
    : `upgrade ${from} → ${target}${where}`
}

/**
 * Of a finding's fixed versions (one per release line, often: `3.0.8, 3.1.2`), the lowest above the
 * installed one — the upgrade that stays on its line; the highest when none is above it.
 */
export function neededVersion(installed: string, fixedVersions: readonly string[]): string | undefined {
  const versions = fixedVersions.map((v) => v.trim()).filter((v) => v !== '')
  const above = versions.filter((v) => installed === '' || compareVersions(v, installed) > 0)
  const pool = above.length > 0 ? above : versions
  const pick = above.length > 0 ? -1 : 1
  return pool.reduce<string | undefined>(
    (best, v) => (best === undefined || compareVersions(v, best) * pick > 0 ? v : best),
    undefined,
  )
}

/**
 * Orders version strings of any ecosystem well enough to pick an upgrade: numeric runs compare as
 * numbers, other runs as text, separators (`.`, `-`, `+`, `~`, `:`, `_`) split runs (`1.10.0-r2` > `1.9.1`).
 */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a)
  const pb = versionParts(b)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i]
    const y = pb[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    const nx = /^\d+$/.test(x)
    const ny = /^\d+$/.test(y)
    const order = nx && ny ? Number(x) - Number(y) : nx ? 1 : ny ? -1 : compareText(x, y)
    if (order !== 0) return Math.sign(order)
  }
  return 0
}

function versionParts(version: string): string[] {
  return (
    version
      .trim()
      .replace(/^v(?=\d)/, '')
      .match(/\d+|[^\d.\-+~:_]+/g) ?? []
  )
}

function checksText(findings: readonly Finding[]): string {
  // Named by its failing (then most severe) check.
  const first = [...findings].sort(compareForReport)[0]
  if (first === undefined) return ''
  const title = first.ruleTitle ?? first.title
  const rules = [...new Set(findings.map((f) => f.ruleId))]
  const more = rules.length > 1 ? ` and ${rules.length - 1} more check${rules.length === 2 ? '' : 's'}` : ''
  return `${title === '' ? first.ruleId : `${title} (${first.ruleId})`}${more}`
}

/** A check without a Dockerfile line: `fix: Image has no HEALTHCHECK (csg/no-healthcheck)`, or its subjects. */
function ruleText(findings: readonly Finding[]): string {
  const first = findings[0]
  if (first === undefined) return 'fix'
  if (findings.length === 1) return `fix: ${checksText(findings)}`
  const subjects = [...new Set(findings.map((f) => f.subject ?? '').filter((s) => s !== ''))]
  const listed = subjects.slice(0, 3).join(', ') + (subjects.length > 3 ? ', …' : '')
  const title = first.ruleTitle ?? first.ruleId
  return `fix ${title === first.ruleId ? title : `${title} (${first.ruleId})`}${listed !== '' ? `: ${listed}` : ''}`
}

function packageName(name: string, version: string): string {
  return version === '' ? name : `${name} ${version}`
}

/** `Dockerfile:8`. */
function lineText(location: SourceLocation): string {
  return `${location.path}:${location.startLine}`
}

function isAt(location: SourceLocation | undefined, line: SourceLocation): boolean {
  return location !== undefined && location.path === line.path && location.startLine === line.startLine
}
