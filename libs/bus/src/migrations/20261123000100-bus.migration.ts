import type { MigrationObject } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';

/**
 * The consuming side's bookkeeping, in the consumer service's own schema:
 * - `bus_inbox`: event ids a consumer has applied, written in the transaction of the effect;
 * - `bus_consumer_positions`: where an embedded consumer is in its producer's store;
 * - `bus_dead_letters`: events an embedded consumer parked (JetStream parks into a stream instead).
 */
export class BusMigration20261123000100 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bus_inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    this.addSql(`
      CREATE TABLE bus_consumer_positions (
        consumer text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        global_position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`
      CREATE TABLE bus_dead_letters (
        id bigserial PRIMARY KEY,
        consumer text NOT NULL,
        subject text NOT NULL,
        event_id uuid,
        attempts integer NOT NULL,
        reason text NOT NULL,
        data bytea NOT NULL,
        dead_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql('CREATE INDEX bus_dead_letters_consumer_idx ON bus_dead_letters (consumer, id)');
  }

  override down(): void {
    this.addSql('DROP TABLE bus_dead_letters');
    this.addSql('DROP TABLE bus_consumer_positions');
    this.addSql('DROP TABLE bus_inbox');
  }
}

/** The bus's migrations, for the `migrationsList` of every service that consumes events. */
export const busMigrations: readonly MigrationObject[] = [{ name: 'Migration20261123000100_bus', class: BusMigration20261123000100 }];
