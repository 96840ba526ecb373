import { Migration } from '@mikro-orm/migrations';

/** Promo codes (promo/promo.projection.ts) and the discounts members hold for their next purchase. */
export class PromoCodesMigration20261130233000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE promo_codes (
        bot_id uuid NOT NULL,
        code text NOT NULL,
        definition jsonb NOT NULL,
        uses integer NOT NULL DEFAULT 0,
        active boolean NOT NULL,
        batch_id uuid,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, code)
      )`);
    this.addSql('CREATE INDEX promo_codes_batch_idx ON promo_codes (batch_id) WHERE batch_id IS NOT NULL');
    this.addSql(`
      CREATE TABLE member_discounts (
        redemption_id text PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        code text NOT NULL,
        reward jsonb NOT NULL,
        redeemed_at timestamptz NOT NULL,
        consumed_by_payment uuid
      )`);
    this.addSql('CREATE INDEX member_discounts_open_idx ON member_discounts (bot_id, telegram_user_id, redeemed_at) WHERE consumed_by_payment IS NULL');
  }

  override down(): void {
    this.addSql('DROP TABLE member_discounts');
    this.addSql('DROP TABLE promo_codes');
  }
}
