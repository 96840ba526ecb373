import { Migration } from '@mikro-orm/migrations';

export class OutboundDeliveriesMigration20261124000600 extends Migration {
  override up(): void {
    // One row per request id: claimed ('sending') before Telegram is called, settled after it answers.
    this.addSql(`
      CREATE TABLE gateway_outbound_deliveries (
        request_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        chat_id bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        message_id bigint,
        failure text,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE gateway_outbound_deliveries');
  }
}

/** The outbound deliveries table, in the form `ServiceDefinition.migrations` takes. */
export const outboundDeliveriesMigration = {
  name: 'Migration20261124000600_gateway_outbound_deliveries',
  class: OutboundDeliveriesMigration20261124000600,
} as const;
