/** End-to-end tests: real Go toolchain, buildah, runc, umoci, skopeo, a registry and a Docker engine (scripts/dockerd.sh). */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  prettierPath: null,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testTimeout: 15 * 60 * 1000,
};
