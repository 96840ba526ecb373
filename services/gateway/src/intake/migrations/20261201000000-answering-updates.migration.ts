import { Migration } from '@mikro-orm/migrations';
import { incomingUpdatesMigration } from './20261130000100-incoming-updates.migration.js';

export class AnsweringUpdatesMigration20261201000000 extends Migration {
  override up(): void {
    // 'answering': the update's first call with an effect Telegram shows (a reply, an edit, an invoice…)
    // is about to leave. A restart does not handle such an update again: answering it twice is what a
    // member sees, a half-handled update after a kill -9 is not (ADR 0009).
    this.addSql(`ALTER TABLE gateway_incoming_updates DROP CONSTRAINT IF EXISTS gateway_incoming_updates_status_check`);
    this.addSql(
      `ALTER TABLE gateway_incoming_updates ADD CONSTRAINT gateway_incoming_updates_status_check CHECK (status IN ('pending', 'answering', 'handled', 'failed'))`,
    );
  }

  override down(): void {
    this.addSql(`UPDATE gateway_incoming_updates SET status = 'handled' WHERE status = 'answering'`);
    this.addSql(`ALTER TABLE gateway_incoming_updates DROP CONSTRAINT gateway_incoming_updates_status_check`);
    this.addSql(`ALTER TABLE gateway_incoming_updates ADD CONSTRAINT gateway_incoming_updates_status_check CHECK (status IN ('pending', 'handled', 'failed'))`);
  }
}

/** Adds the 'answering' state to the journal of incoming updates. */
export const answeringUpdatesMigration = {
  name: 'Migration20261201000000_gateway_answering_updates',
  class: AnsweringUpdatesMigration20261201000000,
} as const;

/** The journal's migrations, in order. */
export const incomingUpdateJournalMigrations = [incomingUpdatesMigration, answeringUpdatesMigration] as const;
