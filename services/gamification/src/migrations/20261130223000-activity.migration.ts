import { Migration } from '@mikro-orm/migrations';

/**
 * The activity history and the per-bot statistics kept from it (activity/activities.projection.ts). The
 * history's index is in page order (newest first, then the id), so a page after a cursor is an index range.
 */
export class ActivityMigration20261130223000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE activities (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        activity_id text NOT NULL,
        activity_type text NOT NULL,
        score bigint,
        metrics jsonb NOT NULL,
        payload jsonb,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id, activity_id)
      )`);
    this.addSql('CREATE INDEX activities_history_idx ON activities (bot_id, telegram_user_id, occurred_at DESC, activity_id DESC)');
    this.addSql(`
      CREATE TABLE activity_stats (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        total_activities bigint NOT NULL,
        best_score bigint,
        last_activity_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE activity_stats');
    this.addSql('DROP TABLE activities');
  }
}
