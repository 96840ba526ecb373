import { Migration } from '@mikro-orm/migrations';

/**
 * The W3C `traceparent` of the work that appended each event: the store is the outbox, so the relay
 * and the consumers continue that trace from here, long after the request ended. Nullable: events
 * written without tracing (or before this column) have none.
 */
export class EventStoreMigration20261201000000 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE event_store_events ADD COLUMN trace_parent text');
  }

  override down(): void {
    this.addSql('ALTER TABLE event_store_events DROP COLUMN trace_parent');
  }
}
