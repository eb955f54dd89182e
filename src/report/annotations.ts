/**
 * Which findings become workflow annotations. GitHub shows at most 10 errors, 10 warnings and 10 notices
 * per step, counted in the order written, so they are spent on the most severe findings — those placed on
 * a Dockerfile line first, as they show in the pull request diff — and one notice says how many more there
 * are and where. What the action wrote itself comes first and is not crowded out: the caller passes what
 * it already wrote (the verdict's error, its own warnings such as "upload skipped" or a DB fallback) and
 * the findings get what is left. Suppressed findings are not annotated. The level follows the gate, not
 * the severity: a finding that fails the gate is an error, one the gate exempts a warning (medium and
 * above) or a notice, so the errors a reader sees are what failed the step. Pure: the caller passes them
 * to `@actions/core`.
 */
import type { Finding } from '../findings/finding.js'
import { severityRank, type Severity } from '../findings/severity.js'
import {
  allFindings,
  compareFindings,
  exploitationText,
  gateRank,
  fixText,
  findingMessage,
  oneLine,
  type LocatedFinding,
} from './finding-text.js'
import type { Logger } from '../util/logger.js'
import type { GateResult } from './gate-result.js'
import { levelOf, lineRange } from './sarif.js'
import { meetsSarifFloor } from './sarif-floor.js'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  title: string
  file?: string
  startLine?: number
  endLine?: number
}

export interface AnnotationOptions {
  /** The Dockerfile (workspace-relative); findings located in it are annotated first. Default: `result.dockerfile`. */
  dockerfile?: string
  /** The SARIF file, named in the "more findings" notice. */
  sarifFile?: string
  /** Annotations of each level already written in this step (or kept free for later ones). */
  alreadyWritten?: Partial<Record<AnnotationLevel, number>>
  /** `sarif-severity`: findings below it are not annotated. */
  minSeverity?: Severity
}

/** A logger that counts the warnings and errors passed through it, for `alreadyWritten`. */
export class AnnotationCounter implements Logger {
  warnings = 0
  errors = 0
  constructor(private readonly inner: Logger) {}
  debug(message: string): void {
    this.inner.debug(message)
  }
  info(message: string): void {
    this.inner.info(message)
  }
  warning(message: string): void {
    this.warnings++
    this.inner.warning(message)
  }
  error(message: string): void {
    this.errors++
    this.inner.error(message)
  }
}

/** GitHub shows this many annotations of each level per step. */
export const ANNOTATIONS_PER_LEVEL = 10

export function selectAnnotations(result: GateResult, options: AnnotationOptions = {}): Annotation[] {
  const dockerfile = normalisePath(options.dockerfile ?? result.dockerfile)
  const candidates = allFindings(result)
    .filter((f) => f.finding.suppression === undefined && meetsSarifFloor(f.finding, options.minSeverity))
    .sort((a, b) => compareForAnnotation(a, b, dockerfile))

  const free = (level: AnnotationLevel): number =>
    Math.max(0, ANNOTATIONS_PER_LEVEL - Math.max(0, options.alreadyWritten?.[level] ?? 0))
  const slotsOf: Record<AnnotationLevel, number> = {
    error: free('error'),
    warning: free('warning'),
    notice: free('notice'),
  }
  const chosen: Record<AnnotationLevel, LocatedFinding[]> = { error: [], warning: [], notice: [] }
  const left: LocatedFinding[] = []
  for (const candidate of candidates) {
    const level = annotationLevel(candidate.finding)
    if (chosen[level].length < slotsOf[level]) chosen[level].push(candidate)
    else left.push(candidate)
  }
  // The "more findings" notice takes a notice slot: when they are all used, the last finding gives it up.
  if (left.length > 0 && chosen.notice.length > 0 && chosen.notice.length === slotsOf.notice)
    left.push(chosen.notice.pop()!)
  const annotations = (['error', 'warning', 'notice'] as const).flatMap((level) =>
    chosen[level].map((c) => toAnnotation(c, level)),
  )
  // No notice slot left means it would not be shown either.
  if (left.length > 0 && slotsOf.notice > 0) annotations.push(moreNotice(left, options.sarifFile))
  return annotations
}

/**
 * Failing → error; exempt → warning (medium and above) or notice. A finding the gate has not judged keeps
 * its SARIF level (critical/high → error, medium → warning, low/unknown → notice).
 */
export function annotationLevel(finding: Finding): AnnotationLevel {
  const gate = finding.gate
  if (gate?.status === 'fail') return 'error'
  if (gate !== undefined)
    return severityRank(finding.severity) >= severityRank('medium') ? 'warning' : 'notice'
  return severityLevel(finding.severity)
}

function severityLevel(severity: Severity): AnnotationLevel {
  const level = levelOf(severity)
  return level === 'note' ? 'notice' : level
}

/** Failing first, then most severe; within a severity, findings on a Dockerfile line (they show in the diff) first. */
function compareForAnnotation(a: LocatedFinding, b: LocatedFinding, dockerfile: string | undefined): number {
  const byGate = gateRank(a.finding) - gateRank(b.finding)
  if (byGate !== 0) return byGate
  const bySeverity = severityRank(b.finding.severity) - severityRank(a.finding.severity)
  if (bySeverity !== 0) return bySeverity
  const onLine = Number(isOnDockerfile(b.finding, dockerfile)) - Number(isOnDockerfile(a.finding, dockerfile))
  return onLine || compareFindings(a.finding, b.finding)
}

function isOnDockerfile(finding: Finding, dockerfile: string | undefined): boolean {
  if (finding.location === undefined) return false
  return dockerfile === undefined || normalisePath(finding.location.path) === dockerfile
}

function toAnnotation({ finding, image }: LocatedFinding, level: AnnotationLevel): Annotation {
  const annotation: Annotation = {
    level,
    title: oneLine(
      `${finding.kev !== undefined ? 'KNOWN EXPLOITED ' : ''}${finding.severity.toUpperCase()} ${finding.ruleId}${finding.title === '' ? '' : `: ${finding.title}`}${gateSuffix(finding)}`,
      200,
    ),
    message: annotationMessage(finding, image.target),
  }
  if (finding.location !== undefined) {
    annotation.file = normalisePath(finding.location.path) ?? finding.location.path
    const { startLine, endLine } = lineRange(finding.location)
    annotation.startLine = startLine
    if (endLine !== undefined) annotation.endLine = endLine
  }
  return annotation
}

/** ` (fails the gate)`, ` (exempt: only-fixed)`; '' when not judged. */
function gateSuffix(finding: Finding): string {
  const gate = finding.gate
  if (gate === undefined) return ''
  if (gate.status === 'fail') return ' (fails the gate)'
  return gate.status === 'exempt' ? ` (exempt: ${gate.reason})` : ''
}

function annotationMessage(finding: Finding, target: string): string {
  const lines = [findingMessage(finding, 500), `Image: ${oneLine(target, 200)}`]
  const exploitation = exploitationText(finding)
  if (exploitation !== undefined) lines.push(exploitation)
  if (finding.base === true) lines.push('Came with the base image: update this FROM line to a patched base.')
  const fix = fixText(finding)
  if (fix === undefined && finding.kind === 'vulnerability') lines.push('No fixed version is known.')
  const description = oneLine(finding.description, 400)
  if (description !== '' && description !== finding.title) lines.push(description)
  return lines.join('\n')
}

function moreNotice(left: readonly LocatedFinding[], sarifFile: string | undefined): Annotation {
  const counts = { error: 0, warning: 0, notice: 0 }
  for (const { finding } of left) counts[annotationLevel(finding)]++
  const parts = (['error', 'warning', 'notice'] as const)
    .filter((l) => counts[l] > 0)
    .map((l) => `${counts[l]} ${l}`)
  const where =
    sarifFile === undefined
      ? 'the job summary and code scanning'
      : `the job summary and ${oneLine(sarifFile, 200)}`
  return {
    level: 'notice',
    title: `${left.length} more finding(s) not annotated`,
    message: `${left.length} more finding(s) (${parts.join(', ')}) are not annotated here (GitHub shows ${ANNOTATIONS_PER_LEVEL} per level); see ${where}.`,
  }
}

/** `./docker/Dockerfile` → `docker/Dockerfile`, backslashes to `/`. */
function normalisePath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined
  return path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
}
