import { Migration } from '@mikro-orm/migrations';

export class IncomingUpdatesMigration20261130000100 extends Migration {
  override up(): void {
    // Every update is written here before Telegram is told it arrived (the next getUpdates offset, or
    // the webhook's 200), and handled from here: a crash or an outage delays an update, never loses it.
    // The primary key is the dedupe: Telegram may hand the same update again after a crash.
    this.addSql(`
      CREATE TABLE gateway_incoming_updates (
        bot_id uuid NOT NULL,
        update_id bigint NOT NULL,
        body jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'handled', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        settled_at timestamptz,
        PRIMARY KEY (bot_id, update_id)
      )`);
    this.addSql(`CREATE INDEX gateway_incoming_updates_pending ON gateway_incoming_updates (bot_id, update_id) WHERE status = 'pending'`);
    this.addSql(`CREATE INDEX gateway_incoming_updates_settled ON gateway_incoming_updates (settled_at) WHERE status <> 'pending'`);
  }

  override down(): void {
    this.addSql('DROP TABLE gateway_incoming_updates');
  }
}

/** The journal of incoming updates, in the form `ServiceDefinition.migrations` takes. */
export const incomingUpdatesMigration = {
  name: 'Migration20261130000100_gateway_incoming_updates',
  class: IncomingUpdatesMigration20261130000100,
} as const;
