import { Migration } from '@mikro-orm/migrations';

/**
 * One row per send request another service made (`rpc.notifications.send-message`) that was not sent:
 * `muted` (the member muted its category) or `superseded` (the bot's rule words it instead). The request
 * id keeps a retried request withheld and answered alike.
 */
export class WithheldSendsMigration20261201030000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notification_withheld_sends (
        request_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        purpose text NOT NULL,
        outcome text NOT NULL,
        category text NOT NULL,
        decided_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX notification_withheld_sends_member ON notification_withheld_sends (bot_id, telegram_user_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE notification_withheld_sends');
  }
}
