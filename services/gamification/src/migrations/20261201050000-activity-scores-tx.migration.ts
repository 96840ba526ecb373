import { Migration } from '@mikro-orm/migrations';

/**
 * The in-memory boards by an activity's score (leaderboard/score-boards-index.ts, ADR 0015) follow
 * `activity_scores` by the transaction that last wrote each row: `tx` is set to `pg_current_xact_id()` by
 * every insert and update, and a replica reads the rows whose `tx` lies between its last cursor and the
 * oldest transaction still open (`pg_snapshot_xmin`), as the event store's `readAll` does.
 */
export class ActivityScoresTxMigration20261201050000 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE activity_scores ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()');
    this.addSql('CREATE INDEX activity_scores_tx_idx ON activity_scores (tx)');
  }

  override down(): void {
    this.addSql('ALTER TABLE activity_scores DROP COLUMN tx');
  }
}
