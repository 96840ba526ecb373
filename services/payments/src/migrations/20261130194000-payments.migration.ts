import { Migration } from '@mikro-orm/migrations';

/** The payments read model (payments.projection.ts). The migrator runs it in the service's own schema. */
export class PaymentsMigration20261130194000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE payments (
        payment_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        plan_id uuid NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        status text NOT NULL,
        charge_id text UNIQUE,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX payments_member_idx ON payments (bot_id, telegram_user_id, created_at)');
  }

  override down(): void {
    this.addSql('DROP TABLE payments');
  }
}
