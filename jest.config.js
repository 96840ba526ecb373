/**
 * Jest runs the TypeScript sources directly (swc keeps decorator metadata); workspace libs resolve to their src.
 * Three tiers, told apart by the file name: `*.spec.ts` is pure (no database, broker or socket; `npm run test:unit`
 * runs it with no server reachable), `*.int.spec.ts` talks to PostgreSQL or NATS, `*.e2e.spec.ts` starts services
 * or the Telegram sandbox. `npm test` runs all three; `--selectProjects <tier>` picks one.
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@botplatform/([a-z-]+)$': ['<rootDir>/libs/$1/src/index.ts', '<rootDir>/services/$1/src/index.ts'],
    '^@botplatform/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2022',
        },
        module: { type: 'es6' },
      },
    ],
  },
};

const ignored = ['/node_modules/', '/dist/'];

/** PostgreSQL and NATS for the tiers that talk to them: the machine's, or started for the run when none answers. */
const withTestServers = {
  globalSetup: '<rootDir>/jest.test-servers.js',
  globalTeardown: '<rootDir>/jest.test-servers-teardown.js',
};

export default {
  // Integration tests talk to real servers; a stuck one must fail, but not at Jest's 5 s default. A global
  // option: Jest ignores it inside a project.
  testTimeout: 30_000,
  // One test file at a time (they share the machine's servers and measure nothing against each other), in a
  // worker process that is replaced once a file leaves it above 1 GB: in one process for the whole run
  // (--runInBand) what 180 files leave behind (module registries, pools and timers of services they
  // started) grew past 4 GB and the run slowed to a crawl in garbage collection. `--runInBand` on the
  // command line still runs a few files in Jest's own process.
  maxWorkers: 1,
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // scripts/ holds the repository's own tools (the import-boundary check) and their specs.
      roots: [...shared.roots, '<rootDir>/scripts'],
      testMatch: ['**/src/**/*.spec.ts', '<rootDir>/scripts/*.spec.ts'],
      testPathIgnorePatterns: [...ignored, '\\.(int|e2e)\\.spec\\.ts$'],
    },
    { ...shared, ...withTestServers, displayName: 'int', testMatch: ['**/src/**/*.int.spec.ts'], testPathIgnorePatterns: ignored },
    { ...shared, ...withTestServers, displayName: 'e2e', testMatch: ['**/src/**/*.e2e.spec.ts'], testPathIgnorePatterns: ignored },
  ],
};
