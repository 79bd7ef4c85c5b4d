/** Unit tests: pure, fast, no external tools. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  prettierPath: null,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/cluster/'],
  setupFiles: ['<rootDir>/test/support/fast-check-seed.ts'],
};
