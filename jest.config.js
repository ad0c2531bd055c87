/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Jest's default (one worker less than the cores) runs a 2-core machine's suite in one process; the
  // slow files (the package and workflow specs) wait mostly on their commands, so use every core.
  maxWorkers: '100%',
  transform: {
    '^.+\\.ts$': '<rootDir>/test/support/sucrase-jest.js',
  },
  // Not in the system temp dir (jest's default): nothing of a test run is left there.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFiles: ['<rootDir>/test/support/quiet.js'],
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testSequencer: '<rootDir>/test/support/sequencer.js',
};
