/**
 * Small, fast cases for src/report/sarif-limits.ts: hand-made SARIF runs of a few results with small
 * limits, so every ranking rule, cut, rule trim and note is checked without 25,000-result fixtures.
 */
import { describe, expect, it } from '@jest/globals'
import type { Log, ReportingDescriptor, Result, Run } from 'sarif'
import {
  applySarifLimits,
  assertUniqueCategories,
  keepShownResults,
  type SarifLimits,
} from '../../src/report/sarif-limits.js'

/** Rules of the ranking cases: index 0..5. `NONE` has no properties at all. */
const RULES: ReportingDescriptor[] = [
  { id: 'HI', properties: { 'security-severity': '9.0' } },
  { id: 'LO', properties: { 'security-severity': '2.0' } },
  { id: 'ZERO', properties: { 'security-severity': '0.0' } },
  { id: 'NONE' },
  { id: 'WORD', properties: { 'security-severity': 'high' } },
  { id: 'HALF', properties: { 'security-severity': '0.5' } },
]

function result(name: string, fields: Partial<Result> = {}): Result {
  return { message: { text: name }, ...fields }
}

function run(results: Result[] | undefined, fields: Partial<Run> = {}, rules = RULES): Run {
  return {
    tool: { driver: { name: 'scanner', rules } },
    automationDetails: { id: 'gate/img/' },
    ...(results === undefined ? {} : { results }),
    ...fields,
  }
}

function logOf(...runs: Run[]): Log {
  return { version: '2.1.0', runs }
}

function names(r: Run | undefined): string[] {
  return (r?.results ?? []).map((x) => x.message.text ?? '')
}

function ruleIds(r: Run | undefined): string[] {
  return (r?.tool.driver.rules ?? []).map((rule) => rule.id)
}

const NO_LIMITS: SarifLimits = {
  maxRuns: 20,
  maxResultsPerRun: 1000,
  maxGzipBytes: 10 * 1024 * 1024,
  maxRulesPerRun: 1000,
}

const fail = { gate: { status: 'fail' } }

describe('which of two results ranks first (keepShownResults with max 1)', () => {
  const cases: Array<[string, Result, Result, 'a' | 'b']> = [
    [
      'error beats a warning of higher score',
      result('a', { level: 'error', ruleId: 'LO' }),
      result('b', { level: 'warning', ruleId: 'HI' }),
      'a',
    ],
    [
      'no level counts as warning, above note',
      result('a', { level: 'note', ruleId: 'HI' }),
      result('b', { ruleId: 'LO' }),
      'b',
    ],
    [
      'an unknown level counts as warning, above none',
      result('a', { level: 'none', ruleId: 'HI' }),
      result('b', { level: 'bogus' as unknown as Result['level'], ruleId: 'LO' }),
      'b',
    ],
    ['higher security-severity first', result('a', { ruleId: 'LO' }), result('b', { ruleId: 'HI' }), 'b'],
    ['a score of 0.0 beats no score', result('a', { ruleId: 'NONE' }), result('b', { ruleId: 'ZERO' }), 'b'],
    ['a score of 0.5 beats no score', result('a', { ruleId: 'NONE' }), result('b', { ruleId: 'HALF' }), 'b'],
    [
      'a non-numeric score counts as none',
      result('a', { ruleId: 'WORD' }),
      result('b', { ruleId: 'ZERO' }),
      'b',
    ],
    ['an unknown rule has no score', result('a', { ruleId: 'GONE' }), result('b', { ruleId: 'ZERO' }), 'b'],
    [
      'the rule is found by ruleIndex alone',
      result('a', { ruleId: 'LO' }),
      result('b', { ruleIndex: 0 }),
      'b',
    ],
    [
      'the rule is found by a ruleIndex above 0',
      result('a', { ruleId: 'ZERO' }),
      result('b', { ruleIndex: 5 }),
      'b',
    ],
    [
      'the rule is found by rule.index',
      result('a', { ruleId: 'LO' }),
      result('b', { rule: { index: 0 } }),
      'b',
    ],
    ['the rule is found by rule.id', result('a', { ruleId: 'LO' }), result('b', { rule: { id: 'HI' } }), 'b'],
    [
      'a ruleIndex past the end falls back to ruleId',
      result('a', { ruleId: 'LO' }),
      result('b', { ruleIndex: 6, ruleId: 'HI' }),
      'b',
    ],
    [
      'a negative ruleIndex falls back to ruleId',
      result('a', { ruleId: 'LO' }),
      result('b', { ruleIndex: -1, ruleId: 'HI' }),
      'b',
    ],
    [
      'active before suppressed',
      result('a', { ruleId: 'HI', suppressions: [{ kind: 'inSource' }] }),
      result('b', { ruleId: 'HI' }),
      'b',
    ],
    [
      'empty suppressions is active',
      result('a', { ruleId: 'HI', suppressions: [{ kind: 'external' }] }),
      result('b', { ruleId: 'HI', suppressions: [] }),
      'b',
    ],
    [
      'a failing result before a higher level (first)',
      result('a', { level: 'note', ruleId: 'LO', properties: fail }),
      result('b', { level: 'error', ruleId: 'HI' }),
      'a',
    ],
    [
      'a failing result before a higher level (second)',
      result('a', { level: 'error', ruleId: 'HI' }),
      result('b', { level: 'note', ruleId: 'LO', properties: fail }),
      'b',
    ],
    [
      'a passing gate status counts for nothing',
      result('a', { level: 'note', ruleId: 'HI', properties: { gate: { status: 'pass' } } }),
      result('b', { ruleId: 'LO' }),
      'b',
    ],
    [
      'a gate of null or a string is no status',
      result('a', { ruleId: 'LO', properties: { gate: null } }),
      result('b', { ruleId: 'LO', properties: { gate: 'fail' } }),
      'a',
    ],
    ['equal results: the earlier first', result('a', { ruleId: 'HI' }), result('b', { ruleId: 'HI' }), 'a'],
  ]
  it.each(cases)('%s', (_name, a, b, expected) => {
    const shown = keepShownResults(logOf(run([a, b])), 1)
    expect(names(shown.log.runs[0])).toEqual([expected])
    expect(shown.cut).toBe(1)
  })
})

describe('keepShownResults', () => {
  it('keeps the most severe in their original order, trims rules, counts and notes the cut', () => {
    const results = [
      result('lo', { ruleId: 'LO', ruleIndex: 1 }),
      result('hi', { ruleId: 'HI', ruleIndex: 0 }),
      result('half', { ruleId: 'HALF', ruleIndex: 5 }),
      result('zero', { ruleId: 'ZERO', ruleIndex: 2 }),
    ]
    const input = logOf(run(results, { properties: { droppedResults: 3 } }))
    const shown = keepShownResults(input, 2)
    const out = shown.log.runs[0]
    expect(names(out)).toEqual(['lo', 'hi'])
    expect(ruleIds(out)).toEqual(['HI', 'LO'])
    expect(out?.results?.map((r) => r.ruleIndex)).toEqual([1, 0])
    expect(out?.properties).toEqual({ droppedResults: 5 })
    expect(shown.cut).toBe(2)
    expect(shown.notes).toEqual([
      'Run gate/img/: code scanning shows at most 2 results per run, so the 2 most severe of 4 were uploaded; ' +
        '2 are not shown there (they are in the SARIF and findings files).',
    ])
    expect(names(input.runs[0])).toEqual(['lo', 'hi', 'half', 'zero'])
  })

  it('leaves a run of exactly max results (and a run without results) as it is', () => {
    const atMax = run([result('x', { ruleId: 'HI' }), result('y', { ruleId: 'LO' })])
    const none = run(undefined, { automationDetails: { id: 'gate/none/' } })
    const over = run(
      [result('p', { ruleId: 'LO' }), result('q', { ruleId: 'HI' }), result('r', { ruleId: 'LO' })],
      {
        automationDetails: { id: 'gate/over/' },
      },
    )
    const shown = keepShownResults(logOf(atMax, none, over), 2)
    expect(shown.log.runs[0]).toBe(atMax)
    expect(shown.log.runs[1]).toBe(none)
    expect(names(shown.log.runs[2])).toEqual(['p', 'q'])
    expect(shown.cut).toBe(1)
  })

  it('names a run without automationDetails by its tool', () => {
    const noId: Run = {
      tool: { driver: { name: 'trivy', rules: RULES } },
      results: [result('a'), result('b')],
    }
    const shown = keepShownResults(logOf(noId), 1)
    expect(shown.notes[0]).toMatch(/^Run trivy: /)
  })

  it('returns the same log when nothing is cut', () => {
    const log = logOf(run([result('a')]))
    const shown = keepShownResults(log, 1)
    expect(shown.log).toBe(log)
    expect(shown).toMatchObject({ cut: 0, notes: [] })
  })
})

describe('rule indexes after a cut', () => {
  const many: ReportingDescriptor[] = Array.from({ length: 12 }, (_, i) => ({
    id: `R${i}`,
    properties: { 'security-severity': String(i % 10) },
  }))

  it('renumbers ruleIndex and rule.index in numeric order, leaves results without an index alone', () => {
    const results = [
      result('ten', { ruleId: 'R10', ruleIndex: 10 }),
      result('five', { rule: { id: 'R5', index: 5 } }),
      result('two', { ruleIndex: 2 }),
      result('byid', { ruleId: 'R9' }),
      result('unknown', { ruleId: 'ZZ', level: 'error' }),
      result('drop', { ruleId: 'R0', level: 'none' }),
    ]
    const shown = keepShownResults(logOf(run(results, {}, many)), 5)
    const out = shown.log.runs[0]
    expect(names(out)).toEqual(['ten', 'five', 'two', 'byid', 'unknown'])
    expect(ruleIds(out)).toEqual(['R2', 'R5', 'R9', 'R10'])
    expect(out?.results).toEqual([
      { message: { text: 'ten' }, ruleId: 'R10', ruleIndex: 3 },
      { message: { text: 'five' }, rule: { id: 'R5', index: 1 }, ruleIndex: 1 },
      { message: { text: 'two' }, ruleIndex: 0 },
      { message: { text: 'byid' }, ruleId: 'R9' },
      { message: { text: 'unknown' }, ruleId: 'ZZ', level: 'error' },
    ])
    expect(out?.properties).toEqual({ droppedResults: 1 })
  })
})

describe('applySarifLimits with small limits', () => {
  it('refuses more runs than maxRuns, accepts exactly maxRuns', () => {
    const two = logOf(run([]), run([], { automationDetails: { id: 'gate/b/' } }))
    expect(() => applySarifLimits(two, { ...NO_LIMITS, maxRuns: 2 })).not.toThrow()
    expect(() => applySarifLimits(two, { ...NO_LIMITS, maxRuns: 1 })).toThrow(
      'The SARIF log would have 2 runs (images × scanners) but GitHub accepts at most 1 per upload',
    )
  })

  it('cuts a run to maxResultsPerRun, most severe, in original order, with a note', () => {
    const results = [
      result('lo', { ruleId: 'LO' }),
      result('hi', { ruleId: 'HI' }),
      result('zero', { ruleId: 'ZERO' }),
      result('err', { ruleId: 'ZERO', level: 'error' }),
      result('half', { ruleId: 'HALF' }),
    ]
    const limited = applySarifLimits(logOf(run(results, { properties: { droppedResults: 'x' } })), {
      ...NO_LIMITS,
      maxResultsPerRun: 3,
    })
    const out = limited.log.runs[0]
    expect(names(out)).toEqual(['lo', 'hi', 'err'])
    expect(ruleIds(out)).toEqual(['HI', 'LO', 'ZERO'])
    expect(out?.properties).toEqual({ droppedResults: 2 })
    expect(limited.droppedResults).toBe(2)
    expect(limited.notes).toEqual([
      "Run gate/img/: kept the 3 most severe of 5 results (GitHub's limit per run); 2 were left out.",
    ])
    expect(limited.json).toBe(JSON.stringify(limited.log))
  })

  it('leaves a run of exactly maxResultsPerRun results and exactly maxRulesPerRun rules alone', () => {
    const r = run([result('a', { ruleId: 'LO' }), result('b', { ruleId: 'HI' })], {}, [RULES[0]!, RULES[1]!])
    const limited = applySarifLimits(logOf(r), { ...NO_LIMITS, maxResultsPerRun: 2, maxRulesPerRun: 2 })
    expect(limited.log.runs[0]).toBe(r)
    expect(limited.notes).toEqual([])
    expect(limited.droppedResults).toBe(0)
  })

  it('over maxRulesPerRun keeps the rules whose best result ranks highest', () => {
    // keyed by ruleIndex alone, by ruleId alone and by rule.index; LO's best result comes first.
    const results = [
      result('lo1', { ruleIndex: 1 }),
      result('zero', { ruleId: 'ZERO' }),
      result('hi', { rule: { index: 0 } }),
      result('lo2', { ruleIndex: 1, level: 'error' }),
      result('half', { ruleIndex: 5 }),
    ]
    const limited = applySarifLimits(logOf(run(results)), { ...NO_LIMITS, maxRulesPerRun: 2 })
    const out = limited.log.runs[0]
    expect(names(out)).toEqual(['lo1', 'hi', 'lo2'])
    expect(ruleIds(out)).toEqual(['HI', 'LO'])
    expect(limited.droppedResults).toBe(2)
    expect(limited.notes).toEqual([
      "Run gate/img/: 6 rules are over GitHub's 2 per run; 2 results of the least severe rules were left out.",
    ])
  })

  it('applies the rule limit, then the result limit, and counts both', () => {
    const results = [
      result('hi1', { ruleId: 'HI' }),
      result('lo', { ruleId: 'LO' }),
      result('hi2', { ruleId: 'HI', level: 'note' }),
      result('zero', { ruleId: 'ZERO' }),
      result('hi3', { ruleId: 'HI' }),
    ]
    const limited = applySarifLimits(logOf(run(results)), {
      ...NO_LIMITS,
      maxRulesPerRun: 2,
      maxResultsPerRun: 2,
    })
    expect(names(limited.log.runs[0])).toEqual(['hi1', 'hi3'])
    expect(limited.droppedResults).toBe(3)
    expect(limited.notes).toEqual([
      "Run gate/img/: 6 rules are over GitHub's 2 per run; 1 results of the least severe rules were left out.",
      "Run gate/img/: kept the 2 most severe of 4 results (GitHub's limit per run); 2 were left out.",
    ])
  })
})

/** Text that gzip cannot shrink much: a fixed pseudo-random sequence of letters and digits. */
function noise(seed: number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let x = seed
  let text = ''
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    text += alphabet.charAt((x >>> 16) % 62)
  }
  return text
}

describe('applySarifLimits over the gzipped size', () => {
  it('a log of exactly the limit in JSON bytes is kept whole', () => {
    const log = logOf(run([result(noise(1, 40))], {}, []))
    const limit = Buffer.byteLength(JSON.stringify(log), 'utf8')
    const limited = applySarifLimits(log, { ...NO_LIMITS, maxGzipBytes: limit })
    expect(limited.log).toEqual(log)
    expect(limited.droppedResults).toBe(0)
    expect(limited.notes).toEqual([])
  })

  it('a log over the limit as JSON but under it gzipped is kept whole', () => {
    const log = logOf(run([result('a'.repeat(20_000))], {}, []))
    const limited = applySarifLimits(log, { ...NO_LIMITS, maxGzipBytes: 5000 })
    expect(limited.droppedResults).toBe(0)
    expect(limited.notes).toEqual([])
  })

  it('drops the least severe results over all runs until the log fits, and says so', () => {
    // Each result carries 4,000 characters gzip cannot shrink below ~3,000 bytes: 7,000 bytes hold 2.
    const first = run(
      [result(`lo ${noise(1, 4000)}`, { ruleId: 'LO' }), result(`hi ${noise(2, 4000)}`, { ruleId: 'HI' })],
      { properties: { droppedResults: 5 } },
    )
    const second = run(
      [
        result(`hi ${noise(3, 4000)}`, { ruleId: 'HI' }),
        result(`zero ${noise(4, 4000)}`, { ruleId: 'ZERO' }),
      ],
      { automationDetails: { id: 'gate/second/' } },
    )
    const empty = run(undefined, { automationDetails: { id: 'gate/empty/' } })
    const limited = applySarifLimits(logOf(first, second, empty), { ...NO_LIMITS, maxGzipBytes: 7000 })
    const [a, b, c] = limited.log.runs
    expect(names(a).map((n) => n.split(' ')[0])).toEqual(['hi'])
    expect(names(b).map((n) => n.split(' ')[0])).toEqual(['hi'])
    expect(a?.properties).toEqual({ droppedResults: 6 })
    expect(b?.properties).toEqual({ droppedResults: 1 })
    expect(c).toBe(empty)
    expect(limited.droppedResults).toBe(2)
    expect(limited.notes).toEqual([
      "The SARIF log was 0.0 MiB gzipped, over GitHub's 0.0 MiB: 2 of the least severe results were left out.",
    ])
    expect(limited.json).toBe(JSON.stringify(limited.log))
  })

  it('keeps the earlier run of two equal results, and leaves a run it does not cut unchanged', () => {
    const first = run([result(`a ${noise(5, 4000)}`, { ruleId: 'HI' })])
    const second = run([result(`b ${noise(6, 4000)}`, { ruleId: 'HI' })], {
      automationDetails: { id: 'gate/b/' },
    })
    const limited = applySarifLimits(logOf(first, second), { ...NO_LIMITS, maxGzipBytes: 5000 })
    expect(limited.log.runs[0]).toBe(first)
    expect(names(limited.log.runs[1])).toEqual([])
    expect(limited.droppedResults).toBe(1)
  })

  it('says when even no results do not fit', () => {
    const log = logOf(run([result('a'), result('b')]))
    const limited = applySarifLimits(log, { ...NO_LIMITS, maxGzipBytes: 10 })
    expect(names(limited.log.runs[0])).toEqual([])
    expect(limited.droppedResults).toBe(2)
    expect(limited.notes).toEqual([
      "The SARIF log was 0.0 MiB gzipped, over GitHub's 0.0 MiB: 2 of the least severe results were left out.",
      'The SARIF log is still 0.0 MiB gzipped without results; GitHub may reject the upload.',
    ])
  })
})

describe('assertUniqueCategories on small logs', () => {
  it('treats a missing automationDetails as the empty category', () => {
    const bare: Run = { tool: { driver: { name: 't' } } }
    expect(() => assertUniqueCategories(logOf(bare))).not.toThrow()
    expect(() => assertUniqueCategories(logOf(bare, { ...bare }))).toThrow(
      'Bug: two SARIF runs share tool "t" and category ""; GitHub would reject the upload.',
    )
  })

  it('takes an id without a slash whole as the category', () => {
    const a: Run = { tool: { driver: { name: 't' } }, automationDetails: { id: 'one' } }
    const b: Run = { tool: { driver: { name: 't' } }, automationDetails: { id: 'two' } }
    expect(() => assertUniqueCategories(logOf(a, b))).not.toThrow()
  })
})

describe('odd runs', () => {
  it('keepShownResults with max 0 leaves a run without results alone', () => {
    const none = run(undefined)
    const shown = keepShownResults(logOf(none), 0)
    expect(shown.log.runs[0]).toBe(none)
    expect(shown.cut).toBe(0)
  })

  it('of three equal results the first is kept', () => {
    const equal = [
      result('a', { ruleId: 'HI' }),
      result('b', { ruleId: 'HI' }),
      result('c', { ruleId: 'HI' }),
    ]
    expect(names(keepShownResults(logOf(run(equal)), 1).log.runs[0])).toEqual(['a'])
    expect(names(keepShownResults(logOf(run(equal)), 2).log.runs[0])).toEqual(['a', 'b'])
  })

  it('of equal results in three runs, the size cut keeps the one in the first run', () => {
    const runs = [7, 8, 9].map((seed) =>
      run([result(`r${seed} ${noise(seed, 4000)}`, { ruleId: 'HI' })], {
        automationDetails: { id: `gate/${seed}/` },
      }),
    )
    const limited = applySarifLimits(logOf(...runs), { ...NO_LIMITS, maxGzipBytes: 5000 })
    expect(limited.log.runs.map((r) => names(r).length)).toEqual([1, 0, 0])
  })

  it('a run without rules is never over the rule limit, and keeps no rules after a cut', () => {
    const bare: Run = {
      tool: { driver: { name: 't' } },
      results: [result('a', { ruleIndex: 0 }), result('b')],
    }
    const limited = applySarifLimits(logOf(bare), { ...NO_LIMITS, maxRulesPerRun: 0 })
    expect(limited.log.runs[0]).toBe(bare)
    const shown = keepShownResults(logOf(bare), 1)
    expect(shown.log.runs[0]?.tool.driver.rules).toEqual([])
    expect(shown.log.runs[0]?.results).toEqual([{ message: { text: 'a' }, ruleIndex: 0 }])
  })

  it('over the rule limit, an index past the end and no rule at all are different rules', () => {
    const results = [
      result('a', { ruleIndex: 7, level: 'error' }),
      result('b', { level: 'error' }),
      result('c', { ruleId: 'LO' }),
    ]
    const limited = applySarifLimits(logOf(run(results, {}, [RULES[1]!, RULES[2]!])), {
      ...NO_LIMITS,
      maxRulesPerRun: 1,
    })
    expect(names(limited.log.runs[0])).toEqual(['a'])
    expect(limited.droppedResults).toBe(2)
  })

  it('over the rule limit, a rule named by index and by id is one rule', () => {
    const results = [
      result('x', { ruleIndex: 0 }),
      result('y', { ruleId: 'HI' }),
      result('z', { ruleId: 'LO' }),
    ]
    const limited = applySarifLimits(logOf(run(results, {}, [RULES[0]!, RULES[1]!, RULES[2]!])), {
      ...NO_LIMITS,
      maxRulesPerRun: 2,
    })
    expect(names(limited.log.runs[0])).toEqual(['x', 'y', 'z'])
    expect(limited.droppedResults).toBe(0)
  })
})
