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
    // Tests that take 15-40 s each (the SARIF Multitool runs .NET; 25,000-40,000 findings) would make every
    // mutant of their files cost a minute; the same code paths are tested on smaller logs beside them.
    testNamePattern: '^(?!.*(Multitool|40,000 findings|25,000\\)))',
    testMatch: selected.map(
      (glob) => `<rootDir>/__tests__/${glob.endsWith('.ts') ? glob : `${glob}/*.test.ts`}`,
    ),
  }
}
