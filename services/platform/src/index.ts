export { platformServices, startPlatform, type PlatformOptions, type RunningPlatform } from './platform.js';
export {
  EmbeddedDatabaseConfig,
  EmbeddedPostgresStartError,
  embeddedPostgresDir,
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from './embedded-postgres.js';
export { platformNatsAccess } from './platform-nats-access.js';
export { startPlatformNats, type PlatformNats } from './testing/platform-nats.js';
export {
  BroadcastRig,
  type BroadcastRigOptions,
  type BroadcastRigTelegram,
  type BroadcastTrace,
  type SandboxSend,
  type StartedBroadcast,
} from './testing/broadcast-rig.harness.js';
export { SandboxProcess, type RemoteSandboxBot, type SandboxSendLog } from './testing/sandbox-process.harness.js';
export { DISTRIBUTED, EMBEDDED, platformWirings, type PlatformWiring } from './testing/platform-wiring.js';
