export * from './errors.js';
export * from './event.js';
export { foldEvents, type Decider } from './decider.js';
export { EventVersioning, type EventTypeVersioning } from './upcasting.js';
export {
  PostgresEventStore,
  type PostgresEventStoreOptions,
  type EventStoreHooks,
  type AppendResult,
  type AppendedNotice,
  type ReadAllResult,
  type StoreCallOptions,
} from './postgres-event-store.js';
export {
  CommandHandler,
  type CommandHandlerOptions,
  type CommandResult,
  type CommandResultsOf,
  type InlineProjection,
  type StreamCommand,
} from './command-handler.js';
export { DeciderSpecification } from './decider-specification.js';
export { EventStoreMigration20261123000000, eventStoreMigrations } from './migrations/20261123000000-event-store.migration.js';
export { EventStoreMigration20261201000000 } from './migrations/20261201000000-event-store-trace-parent.migration.js';
export { EventStoreMigration20261202000000 } from './migrations/20261202000000-event-store-append-notify.migration.js';
export { EventStoreMigration20261203000000 } from './migrations/20261203000000-event-store-notify-transaction-id.migration.js';
export { appendChannelOf, type AppendNotificationsOptions, type AppendSubscription } from './append-notifications.js';
export { createServiceOrm, type ServiceOrmOptions } from './service-orm.js';
export { runSql, sqlLiteral } from './sql.js';
