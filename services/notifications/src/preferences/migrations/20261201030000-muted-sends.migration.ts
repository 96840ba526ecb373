import { Migration } from '@mikro-orm/migrations';

/**
 * One row per send request another service made (`rpc.notifications.send-message`) that was not sent
 * because the member muted its category: the request id keeps a retried request muted and answered alike.
 */
export class MutedSendsMigration20261201030000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notification_muted_sends (
        request_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        purpose text NOT NULL,
        category text NOT NULL,
        muted_at timestamptz NOT NULL
      )`);
    this.addSql('CREATE INDEX notification_muted_sends_member ON notification_muted_sends (bot_id, telegram_user_id)');
  }

  override down(): void {
    this.addSql('DROP TABLE notification_muted_sends');
  }
}
