import { Migration } from '@mikro-orm/migrations';

/**
 * Each bot's group as the users service's events leave it (`gamification--bot-groups`): a row per bot that
 * was ever in a group, `group_id` null once it left, the bot's name (where a shared badge was earned), and
 * `changed_at`, the instant of the last event applied (an older event arriving late never undoes a newer one).
 */
export class BotGroupsMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bot_groups (
        bot_id uuid PRIMARY KEY,
        group_id uuid,
        bot_name text NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX bot_groups_group_idx ON bot_groups (group_id) WHERE group_id IS NOT NULL');
  }

  override down(): void {
    this.addSql('DROP TABLE bot_groups');
  }
}
