// The jest configuration StrykerJS uses (`npm run mutation`): only the unit tests of the pure core it
// mutates, without the e2e bundle setup. CSG_MUTATION_TESTS (space-separated globs under __tests__/)
// narrows the tests for a run over part of the core, e.g. `policy/**` with `--mutate src/policy/**`.
import base from './jest.config.js'

const CORE_TESTS = [
  'policy/**',
  'findings/**',
  'report/sarif*.test.ts',
  'config/config.test.ts',
  'verdict.test.ts',
]
/** @returns {import('jest').Config} */
export default function mutationJestConfig() {
  const narrowed = process.env.CSG_MUTATION_TESTS
  const selected = narrowed ? narrowed.split(/\s+/) : CORE_TESTS
  return {
    ...base,
    globalSetup: undefined,
    globalTeardown: undefined,
    testMatch: selected.map(
      (glob) => `<rootDir>/__tests__/${glob.endsWith('.ts') ? glob : `${glob}/*.test.ts`}`,
    ),
  }
}
