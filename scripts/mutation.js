#!/usr/bin/env node
// npm run mutation [-- GROUP|UNIT ...] [--threshold N] [--concurrency N] [--full] [--summary]
//
// Runs StrykerJS over the pure core one unit at a time: each unit mutates a few source files and runs
// only the unit tests that exercise them (CSG_MUTATION_TESTS, read by jest.mutation.config.js). Stryker's
// jest runner filters a mutant's tests by name (perTest coverage) but still loads every test file of the
// run for each mutant, so narrowing the files per unit is what makes a run finish on 2 cores.
// A unit's tests must include every unit test that imports its files (directly or through another core
// module) — a test left out would let its mutants survive and understate the score, never overstate it.
//
// Each unit writes .cache/mutation/<unit>.json (Stryker's mutation-testing-report-schema) and, unless
// --full, reruns incrementally from .cache/mutation/<unit>.incremental.json (only changed mutants and
// tests run again). Prints the score per unit, per group and in all:
// (killed + timeout) / (killed + timeout + survived + no coverage); exits 1 below --threshold (default 85).
// --summary prints the scores of the reports already written, without running Stryker; a unit whose
// report was made from other sources than the files now hold counts as not measured.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** @typedef {{ mutate: string[], tests: string[] }} Unit */

/** Groups of units. Tests are globs under __tests__/ (see jest.mutation.config.js). */
/** @type {Record<string, Record<string, Unit>>} */
export const GROUPS = {
  findings: {
    'findings-model': {
      mutate: [
        'src/findings/finding.ts',
        'src/findings/fingerprint.ts',
        'src/findings/severity.ts',
        'src/findings/cvss.ts',
        'src/findings/vulnerability-ids.ts',
      ],
      // merge.test.ts exercises these too, through merging; left out, as its mutants are static ones
      // (module-level tables) that run every selected test: it costs time and can only lower the score.
      tests: [
        'findings/cvss.test.ts',
        'findings/fingerprint-golden.test.ts',
        'findings/severity.test.ts',
        'findings/vulnerability-ids.test.ts',
        'verdict.test.ts',
      ],
    },
    'findings-merge': {
      mutate: ['src/findings/merge.ts', 'src/findings/package-identity.ts'],
      tests: [
        'findings/merge.test.ts',
        'findings/merge-cases.test.ts',
        'findings/package-identity.test.ts',
        'findings/package-families.test.ts',
      ],
    },
    'findings-dockerfile': {
      mutate: [
        'src/findings/dockerfile.ts',
        'src/findings/dockerfile-words.ts',
        'src/findings/history-line.ts',
        'src/findings/history-match.ts',
        'src/findings/attribution.ts',
        'src/findings/setting-attribution.ts',
      ],
      tests: [
        'findings/attribution.test.ts',
        'findings/attribution-layers.test.ts',
        'findings/base-attribution.test.ts',
        'findings/setting-attribution.test.ts',
        'findings/dockerfile.test.ts',
        'findings/dockerfile-model.test.ts',
        'findings/dockerfile-words.test.ts',
        'findings/history-line.test.ts',
        'findings/history-line-cases.test.ts',
        'findings/history-match.test.ts',
        'findings/history-match-cases.test.ts',
      ],
    },
  },
  sarif: {
    'sarif-naming': {
      mutate: ['src/report/sarif-naming.ts'],
      tests: ['report/sarif-naming.test.ts', 'report/sarif.test.ts'],
    },
    'sarif-rules': {
      mutate: ['src/report/sarif-rules.ts'],
      tests: ['report/sarif-rules.test.ts', 'report/sarif-rule-help.test.ts', 'report/sarif.test.ts'],
    },
    'sarif-build': {
      mutate: ['src/report/sarif.ts', 'src/report/sarif-floor.ts'],
      tests: [
        'report/exploit-reports.test.ts',
        'report/sarif.test.ts',
        'report/sarif-build-cases.test.ts',
        'report/sarif-limits.test.ts',
        'findings/fingerprint-golden.test.ts',
      ],
    },
    'sarif-limits': {
      mutate: ['src/report/sarif-limits.ts'],
      tests: ['report/sarif-limits.test.ts', 'report/sarif-limits-small.test.ts', 'report/sarif.test.ts'],
    },
  },
  config: {
    config: {
      mutate: ['src/config/config.ts'],
      tests: [
        'config/config.test.ts',
        'config/config-complete.test.ts',
        'config/registry-inputs.test.ts',
        'config/exploit-config.test.ts',
        'config/policy-file-base.test.ts',
        'config/category-inputs.test.ts',
        'config/input-kinds.test.ts',
        'config/sbom-config.test.ts',
      ],
    },
  },
  policy: {
    'policy-gate': {
      mutate: ['src/policy/gate.ts', 'src/policy/apply-policy.ts', 'src/policy/baseline.ts'],
      tests: [
        'policy/gate-inputs.test.ts',
        'policy/gate-status.test.ts',
        'policy/ignore-base.test.ts',
        'policy/exploit-gate.test.ts',
        'policy/apply-policy.test.ts',
        'policy/baseline.test.ts',
        'policy/robustness.test.ts',
        'verdict.test.ts',
      ],
    },
    'policy-suppress': {
      mutate: [
        'src/policy/suppress.ts',
        'src/policy/trivy-ignore-yaml.ts',
        'src/policy/purl-match.ts',
        'src/policy/vex.ts',
        'src/policy/path-glob.ts',
      ],
      tests: [
        'policy/suppress.test.ts',
        'policy/trivy-ignore-yaml.test.ts',
        'policy/wildcard.test.ts',
        'policy/path-glob.test.ts',
        'policy/ignore-rules-cases.test.ts',
        'policy/purl-match.test.ts',
        'policy/vex.test.ts',
        'policy/vex-cases.test.ts',
        'policy/robustness.test.ts',
        'policy/gate-inputs.test.ts',
      ],
    },
    'policy-exploit': {
      mutate: [
        'src/policy/exploit-gate.ts',
        'src/policy/kev.ts',
        'src/policy/epss.ts',
        'src/findings/exploit-data.ts',
      ],
      tests: [
        'policy/exploit-gate.test.ts',
        'policy/exploit-gate-reasons.test.ts',
        'policy/kev.test.ts',
        'policy/kev-catalog-fields.test.ts',
        'policy/epss.test.ts',
        'policy/epss-table.test.ts',
        'findings/exploit-data.test.ts',
      ],
    },
    'policy-base': {
      mutate: [
        'src/policy/base-exemption.ts',
        'src/policy/base-images.ts',
        'src/policy/base-image-names.ts',
        'src/findings/base-image.ts',
      ],
      tests: [
        'policy/base-images.test.ts',
        'policy/base-image-policy.test.ts',
        'policy/base-image-names.test.ts',
        'policy/ignore-base.test.ts',
        'findings/base-attribution.test.ts',
        'findings/base-image.test.ts',
        'config/policy-file-base.test.ts',
      ],
    },
  },
}

/** The core `npm run mutation` must cover: every file here belongs to exactly one unit. */
const CORE_DIRS = ['src/policy', 'src/findings']
const CORE_FILES = ['src/config/config.ts']

/** Core files no unit mutates (a new module left out would never count in the score). */
export function filesInNoUnit() {
  const inUnits = new Set(
    Object.values(GROUPS).flatMap((units) => Object.values(units).flatMap((u) => u.mutate)),
  )
  const core = [
    ...CORE_DIRS.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `${dir}/${f}`),
    ),
    ...readdirSync('src/report')
      .filter((f) => f.startsWith('sarif') && f.endsWith('.ts'))
      .map((f) => `src/report/${f}`),
    ...CORE_FILES,
  ]
  return core.filter((file) => !inUnits.has(file)).sort()
}

const REPORT_DIR = '.cache/mutation'

/** @param {string[]} argv */
function parseArguments(argv) {
  const options = {
    names: /** @type {string[]} */ ([]),
    threshold: 85,
    concurrency: 0,
    full: false,
    summary: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] ?? ''
    if (argument === '--threshold') options.threshold = Number(argv[++i])
    else if (argument === '--concurrency') options.concurrency = Number(argv[++i])
    else if (argument === '--full') options.full = true
    else if (argument === '--summary') options.summary = true
    else if (argument.startsWith('-')) throw new Error(`unknown option ${argument}`)
    else options.names.push(argument)
  }
  if (!Number.isFinite(options.threshold)) throw new Error('--threshold takes a number (percent)')
  if (!options.concurrency) options.concurrency = Number(process.env.CSG_MUTATION_CONCURRENCY ?? 1)
  if (!(options.concurrency >= 1)) throw new Error('--concurrency takes a number of at least 1')
  return options
}

/** @param {string[]} names @returns {[string, string, Unit][]} group, unit name, unit */
function selectUnits(names) {
  const all = Object.entries(GROUPS).flatMap(([group, units]) =>
    Object.entries(units).map(([name, unit]) => /** @type {[string, string, Unit]} */ ([group, name, unit])),
  )
  if (names.length === 0) return all
  const unknown = names.filter((name) => !all.some(([group, unit]) => group === name || unit === name))
  if (unknown.length > 0) {
    const known = all.map(([group, unit]) => `${group}/${unit}`).join(', ')
    throw new Error(`no mutation group or unit ${unknown.join(', ')} (known: ${known})`)
  }
  return all.filter(([group, unit]) => names.includes(group) || names.includes(unit))
}

/**
 * Counts the mutants of a Stryker JSON report by status.
 * @param {string} file
 */
export function countMutants(file) {
  /** @type {{ files: Record<string, { mutants: { status: string }[] }> }} */
  const report = JSON.parse(readFileSync(file, 'utf8'))
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 }
  for (const { mutants } of Object.values(report.files)) {
    for (const { status } of mutants) {
      if (status in counts && status !== 'other') counts[/** @type {keyof typeof counts} */ (status)]++
      else counts.other++ // CompileError, RuntimeError, Ignored, Pending: not in the score
    }
  }
  return counts
}

/**
 * Drops the static mutants (module-level code: tables, regular expressions, constants) from an
 * incremental file so the next run tests them again. Stryker runs them against every test, so none has a
 * test it is "covered by", and its incremental diff then reuses their old result even when test files
 * were added: a survivor stays a survivor after the test that kills it is written.
 * @param {string} file
 */
export function forgetStaticMutants(file) {
  if (!existsSync(file)) return
  /** @type {{ files: Record<string, { mutants: { static?: boolean }[] }> }} */
  const report = JSON.parse(readFileSync(file, 'utf8'))
  for (const entry of Object.values(report.files))
    entry.mutants = entry.mutants.filter((m) => m.static !== true)
  writeFileSync(file, JSON.stringify(report))
}

/**
 * The files a report was not made from as they are now: mutated files whose text differs from the source
 * the report holds, or that the report lacks. A score from such a report describes older code.
 * @param {string} file the Stryker JSON report
 * @param {string[]} mutate the unit's files (paths as the report names them, relative to the project)
 * @param {string} root where those paths are read from
 */
export function staleFiles(file, mutate, root = '.') {
  /** @type {{ files: Record<string, { source?: string }> }} */
  const report = JSON.parse(readFileSync(file, 'utf8'))
  return mutate.filter((path) => {
    const entry = report.files[path]
    const current = existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : undefined
    return entry === undefined || entry.source !== current
  })
}

/** @param {ReturnType<typeof countMutants>} c */
function score(c) {
  const detected = c.Killed + c.Timeout
  const valid = detected + c.Survived + c.NoCoverage
  return { detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid }
}

/** @param {string} label @param {ReturnType<typeof countMutants>} c */
function line(label, c) {
  const { detected, valid, percent } = score(c)
  return `${label.padEnd(22)} ${percent.toFixed(2).padStart(6)} %  (${detected} of ${valid} detected; ${c.Survived} survived, ${c.NoCoverage} no coverage, ${c.Timeout} timeout)`
}

/** @param {ReturnType<typeof countMutants>[]} list */
function sum(list) {
  const total = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 }
  for (const c of list)
    for (const key of /** @type {(keyof typeof total)[]} */ (Object.keys(total))) total[key] += c[key]
  return total
}

function main() {
  const options = parseArguments(process.argv.slice(2))
  const orphans = filesInNoUnit()
  if (orphans.length > 0) {
    console.error(`mutation: core file(s) in no unit of scripts/mutation.js: ${orphans.join(', ')}`)
    process.exit(2)
  }
  const units = selectUnits(options.names)
  const base = JSON.parse(readFileSync('stryker.config.json', 'utf8'))
  mkdirSync(REPORT_DIR, { recursive: true })
  /** @type {Map<string, ReturnType<typeof countMutants>[]>} */
  const byGroup = new Map()
  /** @type {string[]} */
  const lines = []
  let missing = 0
  for (const [group, name, unit] of units) {
    const report = `${REPORT_DIR}/${name}.json`
    const config = {
      ...base,
      $schema: resolve('node_modules/@stryker-mutator/core/schema/stryker-schema.json'),
      mutate: unit.mutate,
      concurrency: options.concurrency,
      jsonReporter: { fileName: report },
      reporters: ['clear-text', 'progress', 'json'],
      incremental: !options.full,
      incrementalFile: `${REPORT_DIR}/${name}.incremental.json`,
    }
    const configFile = `${REPORT_DIR}/${name}.stryker.json`
    if (options.summary) {
      if (!existsSync(report)) {
        lines.push(`${`${group}/${name}`.padEnd(22)} not measured yet (npm run mutation -- ${name})`)
        missing++
        continue
      }
      const stale = staleFiles(report, unit.mutate)
      if (stale.length > 0) {
        lines.push(
          `${`${group}/${name}`.padEnd(22)} stale: ${stale.join(', ')} changed since its report (npm run mutation -- ${name})`,
        )
        missing++
        continue
      }
    } else {
      if (!options.full) forgetStaticMutants(config.incrementalFile)
      writeFileSync(configFile, JSON.stringify(config, null, 2))
      console.log(`\n== ${group}/${name}: ${unit.mutate.join(' ')}\n   tests: ${unit.tests.join(' ')}`)
      const run = spawnSync('npx', ['stryker', 'run', configFile], {
        stdio: 'inherit',
        env: { ...process.env, CSG_MUTATION_TESTS: unit.tests.join(' ') },
      })
      if (run.status !== 0 || !existsSync(report)) {
        console.error(`mutation: Stryker failed on ${name} (exit ${run.status})`)
        process.exit(2)
      }
    }
    const counts = countMutants(report)
    lines.push(line(`${group}/${name}`, counts))
    byGroup.set(group, [...(byGroup.get(group) ?? []), counts])
  }
  console.log('\nMutation score (killed + timeout) / (killed + timeout + survived + no coverage):')
  for (const text of lines) console.log(`  ${text}`)
  for (const [group, list] of byGroup) console.log(`  ${line(`${group} (group)`, sum(list))}`)
  const total = sum([...byGroup.values()].flat())
  console.log(`  ${line(missing > 0 ? 'all measured' : 'all', total)}`)
  const { percent } = score(total)
  if (missing > 0) {
    console.error(`mutation: ${missing} unit(s) not measured yet, or measured on older sources`)
    process.exit(2)
  }
  if (percent < options.threshold) {
    console.error(`mutation: score ${percent.toFixed(2)} % is below the threshold ${options.threshold} %`)
    process.exit(1)
  }
}

// Run only as a script: importing it (for GROUPS or filesInNoUnit) must not start Stryker.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
