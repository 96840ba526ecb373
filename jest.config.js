/** Jest runs the TypeScript sources directly (swc keeps decorator metadata); workspace libs resolve to their src. */
export default {
  testEnvironment: 'node',
  // Integration tests talk to real servers; a stuck one must fail, but not at Jest's 5 s default.
  testTimeout: 30_000,
  roots: ['<rootDir>/libs', '<rootDir>/services'],
  testMatch: ['**/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@botplatform/([a-z-]+)$': ['<rootDir>/libs/$1/src/index.ts', '<rootDir>/services/$1/src/index.ts'],
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        target: 'es2022',
      },
      module: { type: 'es6' },
    }],
  },
};
