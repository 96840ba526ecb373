import { Migration } from '@mikro-orm/migrations';

/**
 * The append notification carries the committing transaction's id. A relay told of an append by its
 * own process (the append was its own transaction, committed when it returned) has already been woken
 * for that transaction, and passes over the notification instead of reading the store for nothing.
 */
export class EventStoreMigration20261203000000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE OR REPLACE FUNCTION event_store_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('event_store_appended:' || TG_TABLE_SCHEMA, pg_current_xact_id()::text);
        RETURN NULL;
      END $$`);
  }

  override down(): void {
    this.addSql(`
      CREATE OR REPLACE FUNCTION event_store_notify_appended() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('event_store_appended:' || TG_TABLE_SCHEMA, '');
        RETURN NULL;
      END $$`);
  }
}
