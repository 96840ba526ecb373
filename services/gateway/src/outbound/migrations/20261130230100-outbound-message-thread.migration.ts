import { Migration } from '@mikro-orm/migrations';

/** A request may name a forum topic of its chat (a bot's admin topic): Telegram's `message_thread_id`. */
export class OutboundMessageThreadMigration20261130230100 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE gateway_outbound_deliveries ADD COLUMN message_thread_id integer');
  }

  override down(): void {
    this.addSql('ALTER TABLE gateway_outbound_deliveries DROP COLUMN message_thread_id');
  }
}

export const outboundMessageThreadMigration = { name: 'Migration20261130230100_outbound_message_thread', class: OutboundMessageThreadMigration20261130230100 };
