import { Migration } from '@mikro-orm/migrations';

/** Bot groups and their members (bot-group/bot-groups.projection.ts); a bot is in at most one group. */
export class BotGroupsMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bot_groups (
        group_id uuid PRIMARY KEY,
        owner_telegram_user_id bigint NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    this.addSql(`
      CREATE TABLE bot_group_members (
        bot_id uuid PRIMARY KEY,
        group_id uuid NOT NULL REFERENCES bot_groups (group_id),
        added_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX bot_group_members_group_idx ON bot_group_members (group_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE bot_group_members');
    this.addSql('DROP TABLE bot_groups');
  }
}
