import { Migration } from '@mikro-orm/migrations';

/**
 * The read models of the gamification service (bot-settings.projection.ts, memberships.projection.ts),
 * in its own schema. `memberships` is keyed by a scope (`bot:<botId>` now; a bot group's later), and its
 * index in board order makes the top N an index scan and a rank a count over the index.
 */
export class GameMigration20261130194500 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bot_settings (
        bot_id uuid PRIMARY KEY,
        levels jsonb,
        time_zone text,
        badges jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE memberships (
        scope text NOT NULL,
        telegram_user_id bigint NOT NULL,
        bot_id uuid NOT NULL,
        xp bigint NOT NULL,
        level integer NOT NULL,
        current_streak integer NOT NULL,
        longest_streak integer NOT NULL,
        last_active_day text,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (scope, telegram_user_id)
      )`);
    this.addSql('CREATE INDEX memberships_board_idx ON memberships (scope, xp DESC, telegram_user_id)');
    this.addSql(`
      CREATE TABLE member_badges (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        badge_key text NOT NULL,
        awarded_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id, badge_key)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE member_badges');
    this.addSql('DROP TABLE memberships');
    this.addSql('DROP TABLE bot_settings');
  }
}
