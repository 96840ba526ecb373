import { Migration } from '@mikro-orm/migrations';

/**
 * The in-memory group boards (leaderboard/leaderboard-index.ts, ADR 0015) follow `bot_groups` by the
 * transaction that last wrote each row, as the score boards follow `activity_scores`: `tx` is set to
 * `pg_current_xact_id()` by every insert and update (on-bot-group-changed.consumer.ts), and a replica reads the
 * rows whose `tx` lies between its last cursor and the oldest transaction still open.
 */
export class BotGroupsTxMigration20261201060000 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE bot_groups ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()');
    this.addSql('CREATE INDEX bot_groups_tx_idx ON bot_groups (tx)');
  }

  override down(): void {
    this.addSql('ALTER TABLE bot_groups DROP COLUMN tx');
  }
}
