/**
 * Shared by the fuzz tests: the run settings (FUZZ_SEED, FUZZ_RUNS), a property runner that bounds every
 * case in time, and the well-formedness of a finding. Mutations are in fuzz-mutations.ts.
 */
import { expect } from '@jest/globals'
import fc from 'fast-check'
import { KINDS } from '../../src/findings/finding.js'
import { SEVERITIES } from '../../src/findings/severity.js'

export interface FuzzSettings {
  seed: number
  numRuns: number
  /** Longest a single case may take before it counts as a hang. */
  caseLimitMs: number
  /** Longest a whole property may run before it counts as a hang (failOnInterrupt). */
  budgetMs: number
}

const DEFAULT_SEED = 20260420
const DEFAULT_RUNS = 100

/** `FUZZ_SEED` and `FUZZ_RUNS` from the environment; `scale` shrinks the runs of slow properties. */
export function fuzzSettings(scale = 1): FuzzSettings {
  const seed = Number(process.env['FUZZ_SEED'] ?? DEFAULT_SEED)
  const runs = Number(process.env['FUZZ_RUNS'] ?? DEFAULT_RUNS)
  const numRuns = Math.max(1, Math.round((Number.isFinite(runs) && runs > 0 ? runs : DEFAULT_RUNS) * scale))
  return {
    seed: Number.isFinite(seed) ? seed : DEFAULT_SEED,
    numRuns,
    caseLimitMs: 10_000,
    budgetMs: Math.max(60_000, numRuns * 200),
  }
}

/** A jest timeout that outlasts the property's own budget, so fast-check reports the hang, not jest. */
export function testTimeout(settings: FuzzSettings): number {
  return settings.budgetMs + 30_000
}

/** Lets expired timers run: fast-check's `timeout` can then see a synchronous case that took too long. */
function yieldToTimers(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/**
 * Checks `check` on values of `arbitrary` with the fixed seed; every case is bounded by `fc.timeout` and
 * the whole run by `fc.interruptAfterTimeLimit` (an interrupted run fails: it did not complete).
 */
export async function fuzz<T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => unknown,
  settings: FuzzSettings,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      await check(value)
      await yieldToTimers()
    }),
    {
      seed: settings.seed,
      numRuns: settings.numRuns,
      plugins: [
        fc.timeout(settings.caseLimitMs),
        fc.interruptAfterTimeLimit(settings.budgetMs, { failOnInterrupt: true }),
      ],
    },
  )
}

/** Runs `run`; a thrown value must be an instance of one of `allowed`. Returns the result, if any. */
export async function onlyExpectedErrors<T>(
  run: () => T | Promise<T>,
  allowed: readonly (abstract new (...args: never[]) => Error)[],
  input: () => string,
): Promise<T | undefined> {
  try {
    return await run()
  } catch (error) {
    if (allowed.some((type) => error instanceof type)) return undefined
    const name = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new Error(`unexpected ${name}\ninput: ${input().slice(0, 2000)}`, { cause: error })
  }
}

// ------------------------------------------------------------------------------------ finding checks

const FIX_STATES = ['fixed', 'not-fixed', 'wont-fix', 'unknown']

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string'
}

type Loose = Record<string, unknown>

function loose(value: unknown): Loose | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value)
}

/** What is wrong with `value` as a `Finding` (read as untyped data); empty when it is well-formed. */
export function findingProblems(value: unknown): string[] {
  const f = loose(value)
  if (f === undefined) return ['not an object']
  const problems: string[] = []
  const need = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what)
  }
  const oneOf = (list: readonly string[], v: unknown): boolean => typeof v === 'string' && list.includes(v)
  need(oneOf(KINDS, f['kind']), `kind ${String(f['kind'])}`)
  need(oneOf(SEVERITIES, f['severity']), `severity ${String(f['severity'])}`)
  for (const key of ['ruleId', 'title', 'description', 'target']) need(typeof f[key] === 'string', key)
  need(isStringArray(f['aliases']), 'aliases')
  need(isStringArray(f['detectedBy']) && (f['detectedBy'] as string[]).length > 0, 'detectedBy')
  need(isStringArray(f['references']), 'references')
  need(f['score'] === undefined || isFiniteNumber(f['score']), 'score')
  need(optionalString(f['subject']) && optionalString(f['evidence']), 'subject/evidence')
  const pkg = f['package']
  if (pkg !== undefined) {
    const p = loose(pkg) ?? {}
    need(
      ['name', 'version', 'type'].every((k) => typeof p[k] === 'string'),
      'package',
    )
    need(optionalString(p['purl']) && optionalString(p['path']), 'package purl/path')
  }
  const fix = f['fix']
  if (fix !== undefined) {
    need(oneOf(FIX_STATES, loose(fix)?.['state']), `fix.state ${String(loose(fix)?.['state'])}`)
    need(isStringArray(loose(fix)?.['versions']), 'fix.versions')
  }
  const layer = f['layer']
  if (layer !== undefined) {
    need(typeof loose(layer)?.['diffId'] === 'string' && optionalString(loose(layer)?.['createdBy']), 'layer')
  }
  const location = f['location']
  if (location !== undefined) {
    const l = loose(location) ?? {}
    need(typeof l['path'] === 'string' && isFiniteNumber(l['startLine']), 'location')
    need(l['endLine'] === undefined || isFiniteNumber(l['endLine']), 'location.endLine')
  }
  const help = f['help']
  if (help !== undefined) {
    need(typeof loose(help)?.['text'] === 'string' && typeof loose(help)?.['markdown'] === 'string', 'help')
  }
  const instruction = f['instruction']
  if (instruction !== undefined) need(typeof loose(instruction)?.['keyword'] === 'string', 'instruction')
  for (const [source, entry] of Object.entries(loose(f['severityBySource']) ?? {})) {
    need(oneOf(SEVERITIES, loose(entry)?.['severity']), `severityBySource.${source}`)
    need(optionalString(loose(entry)?.['original']), `severityBySource.${source}.original`)
  }
  for (const [source, severity] of Object.entries(loose(f['vendorSeverity']) ?? {})) {
    need(oneOf(SEVERITIES, severity), `vendorSeverity.${source}`)
  }
  return problems
}

export function expectWellFormed(findings: unknown, input: () => string): void {
  if (!Array.isArray(findings)) throw new Error(`not an array of findings\ninput: ${input().slice(0, 2000)}`)
  for (const finding of findings as unknown[]) {
    const problems = findingProblems(finding)
    if (problems.length > 0) {
      throw new Error(
        `malformed finding (${problems.join(', ')}): ${JSON.stringify(finding).slice(0, 1000)}\ninput: ${input().slice(0, 2000)}`,
      )
    }
  }
  expect(Array.isArray(findings)).toBe(true)
}
