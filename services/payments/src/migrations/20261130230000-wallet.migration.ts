import { Migration } from '@mikro-orm/migrations';

/** The wallet ledger read model (wallet/wallet.projection.ts) and the payment's provider (stars or wallet). */
export class WalletMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE wallet_entries (
        position bigint PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        currency text NOT NULL,
        entry_id text NOT NULL,
        kind text NOT NULL,
        amount bigint NOT NULL,
        balance_after bigint NOT NULL CHECK (balance_after >= 0),
        reason text,
        by text,
        reference text,
        recorded_at timestamptz NOT NULL,
        UNIQUE (bot_id, telegram_user_id, currency, entry_id)
      )`);
    this.addSql('CREATE INDEX wallet_entries_member_idx ON wallet_entries (bot_id, telegram_user_id, position DESC)');
    this.addSql(`ALTER TABLE payments ADD COLUMN provider text NOT NULL DEFAULT 'stars'`);
  }

  override down(): void {
    this.addSql('ALTER TABLE payments DROP COLUMN provider');
    this.addSql('DROP TABLE wallet_entries');
  }
}
