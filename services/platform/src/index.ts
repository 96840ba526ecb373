export { platformServices, startPlatform, type PlatformOptions, type RunningPlatform } from './platform.js';
export { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres.js';
export { platformNatsAccess } from './platform-nats-access.js';
export { startPlatformNats, type PlatformNats } from './testing/platform-nats.js';
export { DISTRIBUTED, EMBEDDED, platformWirings, type PlatformWiring } from './testing/platform-wiring.js';
