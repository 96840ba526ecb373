import { Migration } from '@mikro-orm/migrations';

/** A bot's XP rules (rules/xp-rules.projection.ts): read on each recorded activity. */
export class XpRulesMigration20261130224500 extends Migration {
  override up(): void {
    this.addSql('CREATE TABLE xp_rules (bot_id uuid PRIMARY KEY, rules jsonb NOT NULL, updated_at timestamptz NOT NULL)');
  }

  override down(): void {
    this.addSql('DROP TABLE xp_rules');
  }
}
