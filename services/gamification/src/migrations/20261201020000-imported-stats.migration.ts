import { Migration } from '@mikro-orm/migrations';

/** A legacy bot's statistics imported into activity_stats, one row per source id (stats/imported-stats.projection.ts). */
export class ImportedStatsMigration20261201020000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE imported_activity_stats (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        source_id text NOT NULL,
        total_activities bigint NOT NULL,
        best_score bigint,
        last_activity_at timestamptz NOT NULL,
        imported_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id, source_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE imported_activity_stats');
  }
}
