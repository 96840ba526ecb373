import { Migration } from '@mikro-orm/migrations';

/**
 * Each member's plan level as the subscriptions service's events leave it (`users--plan-levels`), read by
 * consume-quota when the request names no plan. `changed_at` is the instant of the last event applied, so
 * an older event arriving late never undoes a newer one.
 */
export class MemberPlanLevelsMigration20261130200000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE member_plan_levels (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        plan_level text,
        ends_at timestamptz,
        changed_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE member_plan_levels');
  }
}
