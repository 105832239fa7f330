/** What every project shares. */
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testTimeout: 60000,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
};

/**
 * The scaling-behaviour files run a second time with alertscale reaching Docker
 * through the Docker API guard (test/support/alertscaleDocker.ts reads the switch).
 */
const THROUGH_GUARD = [
  '<rootDir>/test/integration/scaleOnSwarm.test.ts',
  '<rootDir>/test/integration/concurrentInstances.test.ts',
  '<rootDir>/test/integration/alertmanagerToSwarm.test.ts',
  '<rootDir>/test/integration/serviceLookup.test.ts',
  '<rootDir>/test/reliability/versionConflicts.test.ts',
];

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/plainSummaryReporter.js'],
  // Integration tests share one real Swarm; run files one at a time (see --runInBand in npm test).
  maxWorkers: 1,
  projects: [
    { ...base, displayName: 'direct', testMatch: ['**/*.test.ts'] },
    { ...base, displayName: 'through-guard', testMatch: THROUGH_GUARD, setupFiles: ['<rootDir>/test/support/throughGuard.setup.js'] },
  ],
};
