import { Migration } from '@mikro-orm/migrations';

/**
 * Period boards, stored group levels and badge metadata (member/memberships.projection.ts):
 * - `period_xp`: a member's XP in one week (from the bot's Monday) or month (from its 1st) of a bot's
 *   calendar, the rows the in-memory period boards are rebuilt from (ADR 0015);
 * - `group_levels`: a member's level in a bot group (member/group-level.decider.ts);
 * - `member_badges.score` and `streak`: what a badge was earned with.
 */
export class PeriodBoardsMigration20261201023000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE period_xp (
        bot_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('week', 'month')),
        starts_on text NOT NULL,
        telegram_user_id bigint NOT NULL,
        xp bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, kind, starts_on, telegram_user_id)
      )`);
    this.addSql('CREATE INDEX period_xp_board_idx ON period_xp (bot_id, kind, starts_on, xp DESC, telegram_user_id)');
    this.addSql(`
      CREATE TABLE group_levels (
        group_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        level integer NOT NULL,
        group_xp bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (group_id, telegram_user_id)
      )`);
    this.addSql('ALTER TABLE member_badges ADD COLUMN score bigint, ADD COLUMN streak integer');
  }

  override down(): void {
    this.addSql('ALTER TABLE member_badges DROP COLUMN score, DROP COLUMN streak');
    this.addSql('DROP TABLE group_levels');
    this.addSql('DROP TABLE period_xp');
  }
}
