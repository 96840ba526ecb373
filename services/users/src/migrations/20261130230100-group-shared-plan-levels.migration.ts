import { Migration } from '@mikro-orm/migrations';

/** Whether a member's plan level comes from a group-shared plan: it then counts in every bot of the bot's group. */
export class GroupSharedPlanLevelsMigration20261130230100 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE member_plan_levels ADD COLUMN group_shared boolean NOT NULL DEFAULT false');
  }

  override down(): void {
    this.addSql('ALTER TABLE member_plan_levels DROP COLUMN group_shared');
  }
}
