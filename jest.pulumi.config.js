/**
 * The Pulumi end-to-end suite: the real engine and its plugins, built from their Go modules
 * (scripts/tools/pulumi*), against the suite's Docker engine and a local registry.
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  prettierPath: null,
  roots: ['<rootDir>/test/e2e/pulumi'],
  testMatch: ['**/*.pulumi.test.ts'],
  testTimeout: 60 * 60 * 1000,
};
