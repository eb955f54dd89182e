/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testTimeout: 60000,
  clearMocks: true,
  // The e2e tests run a bundle of the current sources, built once per run into a temporary folder.
  globalSetup: '<rootDir>/__tests__/setup/build-bundle.ts',
  globalTeardown: '<rootDir>/__tests__/setup/remove-bundle.ts',
}
