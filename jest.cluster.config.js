/** Cluster tests: a real single-node Kubernetes (scripts/cluster.sh), images built with buildah and pushed to its registry. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  prettierPath: null,
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.cluster.test.ts'],
  testTimeout: 30 * 60 * 1000,
};
