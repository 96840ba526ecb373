export { platformServices, startPlatform, type PlatformOptions, type RunningPlatform } from './platform.js';
export { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
