import { Migration } from '@mikro-orm/migrations';

/**
 * Payment providers (src/providers/): each bot's settings of each provider, its keys sealed with
 * AES-256-GCM (never in plaintext), and the provider webhooks parked for an operator.
 */
export class ProvidersMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE provider_settings (
        bot_id uuid NOT NULL,
        provider text NOT NULL,
        enabled boolean NOT NULL,
        secret_names text[] NOT NULL,
        key_id text NOT NULL,
        iv text NOT NULL,
        ciphertext text NOT NULL,
        tag text NOT NULL,
        updated_at timestamptz NOT NULL,
        updated_by text NOT NULL,
        PRIMARY KEY (bot_id, provider)
      )`);
    this.addSql(`
      CREATE TABLE parked_webhooks (
        parked_id bigserial PRIMARY KEY,
        provider text NOT NULL,
        bot_id uuid NOT NULL,
        update_id text NOT NULL,
        payment_id text,
        charge_id text,
        reason text NOT NULL,
        body text NOT NULL,
        deliveries integer NOT NULL DEFAULT 1,
        received_at timestamptz NOT NULL,
        UNIQUE (provider, bot_id, update_id)
      )`);
    this.addSql('CREATE INDEX parked_webhooks_bot_idx ON parked_webhooks (bot_id, received_at DESC)');
  }

  override down(): void {
    this.addSql('DROP TABLE parked_webhooks');
    this.addSql('DROP TABLE provider_settings');
  }
}
