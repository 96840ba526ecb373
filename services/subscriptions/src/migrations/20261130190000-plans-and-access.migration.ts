import { Migration } from '@mikro-orm/migrations';

/** The plans and access read models (plans.projection.ts, subscription-access.projection.ts), in the service's schema. */
export class PlansAndAccessMigration20261130190000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE plans (
        plan_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        definition jsonb NOT NULL,
        active boolean NOT NULL,
        trial boolean NOT NULL,
        sort_order integer NOT NULL,
        archived boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX plans_bot_idx ON plans (bot_id, sort_order)');
    this.addSql(`
      CREATE TABLE subscription_access (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        view jsonb NOT NULL,
        ends_at timestamptz,
        credits integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
    this.addSql('CREATE INDEX subscription_access_ends_idx ON subscription_access (ends_at) WHERE ends_at IS NOT NULL');
  }

  override down(): void {
    this.addSql('DROP TABLE subscription_access');
    this.addSql('DROP TABLE plans');
  }
}
