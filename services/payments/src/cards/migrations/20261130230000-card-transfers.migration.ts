import { Migration } from '@mikro-orm/migrations';

/** The card transfers read model (cards/card-transfers.projection.ts). */
export class CardTransfersMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE card_transfers (
        payment_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        tracking_number integer NOT NULL,
        card_id uuid NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        UNIQUE (bot_id, tracking_number)
      )`);
    this.addSql('CREATE INDEX card_transfers_member_idx ON card_transfers (bot_id, telegram_user_id, status, created_at)');
  }

  override down(): void {
    this.addSql('DROP TABLE card_transfers');
  }
}
