import { Migration } from '@mikro-orm/migrations';

/**
 * Referrals (src/referral/): the bots' members and referral settings as the users service publishes them
 * (its consumer), the links and the rewards as projected from their streams.
 */
export class ReferralsMigration20261201020000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE referral_members (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        joined_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
    this.addSql(`
      CREATE TABLE referral_settings (
        bot_id uuid NOT NULL,
        key text NOT NULL,
        value_json text NOT NULL,
        changed_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, key)
      )`);
    this.addSql(`
      CREATE TABLE referral_links (
        bot_id uuid NOT NULL,
        referred_telegram_user_id bigint NOT NULL,
        referrer_telegram_user_id bigint NOT NULL,
        joined_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, referred_telegram_user_id)
      )`);
    this.addSql('CREATE INDEX referral_links_referrer_idx ON referral_links (bot_id, referrer_telegram_user_id)');
    this.addSql(`
      CREATE TABLE referral_rewards (
        payment_id uuid NOT NULL,
        -- '' for the payment's first charge, the charge id of a Stars subscription's renewal.
        renewal_charge_id text NOT NULL,
        level integer NOT NULL CHECK (level >= 1),
        bot_id uuid NOT NULL,
        referrer_telegram_user_id bigint NOT NULL,
        referred_telegram_user_id bigint NOT NULL,
        currency text NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        rewarded_at timestamptz NOT NULL,
        reversed_at timestamptz,
        PRIMARY KEY (payment_id, renewal_charge_id, level)
      )`);
    this.addSql('CREATE INDEX referral_rewards_referrer_idx ON referral_rewards (bot_id, referrer_telegram_user_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE referral_rewards');
    this.addSql('DROP TABLE referral_links');
    this.addSql('DROP TABLE referral_settings');
    this.addSql('DROP TABLE referral_members');
  }
}
