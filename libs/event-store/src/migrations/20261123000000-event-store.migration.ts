import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { EventStoreMigration20261201000000 } from './20261201000000-event-store-trace-parent.migration.js';
import { EventStoreMigration20261202000000 } from './20261202000000-event-store-append-notify.migration.js';
import { EventStoreMigration20261203000000 } from './20261203000000-event-store-notify-transaction-id.migration.js';

/**
 * The event store's tables, created in the service's own schema (the migrator sets `search_path`).
 *
 * `transaction_id` records the writing transaction so readers can follow commit order: a bigserial
 * alone is handed out at insert time, and a transaction that took a lower number may commit after one
 * that took a higher number, which a reader ordered by the serial would silently skip.
 */
export class EventStoreMigration20261123000000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE event_store_events (
        global_position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        event_id uuid NOT NULL,
        stream_id text NOT NULL,
        stream_position integer NOT NULL CHECK (stream_position > 0),
        type text NOT NULL,
        schema_version integer NOT NULL CHECK (schema_version > 0),
        bot_id text NOT NULL,
        correlation_id text NOT NULL,
        causation_id text,
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        data jsonb NOT NULL,
        CONSTRAINT event_store_events_event_id_key UNIQUE (event_id),
        CONSTRAINT event_store_events_stream_position_key UNIQUE (stream_id, stream_position)
      )`);
    this.addSql(`CREATE INDEX event_store_events_commit_order_idx ON event_store_events (transaction_id, global_position)`);
    this.addSql(`
      CREATE TABLE event_store_checkpoints (
        name text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE event_store_checkpoints');
    this.addSql('DROP TABLE event_store_events');
  }
}

/** The event store's migrations, in order, for a service's `migrationsList`. */
export const eventStoreMigrations: readonly MigrationObject[] = [
  { name: 'Migration20261123000000_event_store', class: EventStoreMigration20261123000000 },
  { name: 'Migration20261201000000_event_store_trace_parent', class: EventStoreMigration20261201000000 },
  { name: 'Migration20261202000000_event_store_append_notify', class: EventStoreMigration20261202000000 },
  { name: 'Migration20261203000000_event_store_notify_transaction_id', class: EventStoreMigration20261203000000 },
];
