/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/plainSummaryReporter.js'],
  // Integration tests share one real Swarm; run files one at a time (see --runInBand in npm test).
  maxWorkers: 1,
};
