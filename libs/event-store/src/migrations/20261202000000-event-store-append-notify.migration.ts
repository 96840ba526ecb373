import { Migration } from '@mikro-orm/migrations';

/**
 * Every append notifies `event_store_appended:<schema>` (`pg_notify` from a statement-level trigger,
 * so it is sent when the appending transaction commits, and not at all if it rolls back): a relay in
 * another process, LISTENing on it, reads the new events at once instead of at its next poll. NOTIFY
 * folds identical notifications of one transaction into one, so a transaction appending many times
 * costs one.
 */
export class EventStoreMigration20261202000000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE FUNCTION event_store_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('event_store_appended:' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
      END $$`);
    this.addSql(`
      CREATE TRIGGER event_store_events_appended AFTER INSERT ON event_store_events
        FOR EACH STATEMENT EXECUTE FUNCTION event_store_notify_appended()`);
  }

  override down(): void {
    this.addSql('DROP TRIGGER event_store_events_appended ON event_store_events');
    this.addSql('DROP FUNCTION event_store_notify_appended()');
  }
}
