import { Migration } from '@mikro-orm/migrations';

/**
 * Boards by an activity's score (activity/activities.projection.ts, ADR 0015): a member's best and total
 * score of one activity type in one bot, of all time (`kind` 'all', `starts_on` '') and of each week (from
 * the bot's Monday) and month (from its 1st) of the bot's calendar, written in the activity's append
 * transaction. One index per order (best, total) so a board's top N is an index range; a third one finds
 * the bot's most recently scored activity type (/top's default). All-time rows are filled from the history
 * recorded before; the periods of those activities are not (their records carry no period).
 */
export class ActivityScoresMigration20261201040000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE activity_scores (
        bot_id uuid NOT NULL,
        activity_type text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('all', 'week', 'month')),
        starts_on text NOT NULL,
        telegram_user_id bigint NOT NULL,
        best bigint NOT NULL,
        total bigint NOT NULL,
        activities bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, activity_type, kind, starts_on, telegram_user_id)
      )`);
    this.addSql('CREATE INDEX activity_scores_best_idx ON activity_scores (bot_id, activity_type, kind, starts_on, best DESC, telegram_user_id)');
    this.addSql('CREATE INDEX activity_scores_total_idx ON activity_scores (bot_id, activity_type, kind, starts_on, total DESC, telegram_user_id)');
    this.addSql("CREATE INDEX activity_scores_latest_idx ON activity_scores (bot_id, updated_at DESC) WHERE kind = 'all'");
    this.addSql(`
      INSERT INTO activity_scores (bot_id, activity_type, kind, starts_on, telegram_user_id, best, total, activities, updated_at)
      SELECT bot_id, activity_type, 'all', '', telegram_user_id, max(score), sum(score), count(*), max(recorded_at)
        FROM activities WHERE score IS NOT NULL GROUP BY bot_id, activity_type, telegram_user_id`);
  }

  override down(): void {
    this.addSql('DROP TABLE activity_scores');
  }
}
