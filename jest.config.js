/**
 * Three projects in one run, one closing summary:
 *   unit      needs nothing but node: run in parallel workers, in seconds
 *             (`npm run test:unit`, no setup, no build);
 *   fuzz      needs nothing but node either, but runs tens of seconds of
 *             property-based fuzzing: parallel with `unit` in `npm test`, left
 *             out of `npm run test:unit`;
 *   services  real Docker/Swarm, RabbitMQ, Prometheus, Alertmanager or the built
 *             process: one file at a time (they share one Swarm and one broker),
 *             through a runner that declares itself serial;
 *   through-guard  the scaling-behaviour files again, with alertscale reaching
 *             Docker through the Docker API guard (harness/alertscaleDocker.ts
 *             reads the switch the setup file sets), serial like `services`.
 * A test that needs none of those belongs in test/unit, test/app, test/http or test/demo,
 * or in PURE_ELSEWHERE below.
 */
const FUZZ = ['<rootDir>/test/reliability/fuzzWebhook.test.ts'];
const PURE_DIRS = ['<rootDir>/test/unit/', '<rootDir>/test/app/', '<rootDir>/test/http/', '<rootDir>/test/demo/'];
const PURE_ELSEWHERE = ['<rootDir>/test/deploy/demoConfig.test.ts', '<rootDir>/test/deploy/healthChecks.test.ts', '<rootDir>/test/monitoring/dashboards.test.ts'];
const escape = (path) => path.replace('<rootDir>', '').replace(/[.]/g, '\\.');
const PURE_PATTERNS = [...PURE_DIRS, ...PURE_ELSEWHERE, ...FUZZ].map((path) => `^<rootDir>${escape(path)}`);

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
};

const THROUGH_GUARD = [
  '<rootDir>/test/integration/scaleOnSwarm.test.ts',
  '<rootDir>/test/integration/concurrentInstances.test.ts',
  '<rootDir>/test/integration/alertmanagerToSwarm.test.ts',
  '<rootDir>/test/integration/serviceLookup.test.ts',
  '<rootDir>/test/reliability/versionConflicts.test.ts',
];
const SERIAL = { runner: '<rootDir>/test/support/serialRunner.js', globalSetup: '<rootDir>/test/support/checkTestEnvironment.js' };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/plainSummaryReporter.js'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: [...PURE_DIRS.map((dir) => `${dir}**/*.test.ts`), ...PURE_ELSEWHERE] },
    { ...shared, displayName: 'fuzz', testMatch: FUZZ },
    {
      ...shared,
      displayName: 'services',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...PURE_PATTERNS],
      ...SERIAL,
    },
    { ...shared, ...SERIAL, displayName: 'through-guard', testMatch: THROUGH_GUARD, setupFiles: ['<rootDir>/test/support/throughGuard.setup.js'] },
  ],
};
