import { Migration } from '@mikro-orm/migrations';

export class NotificationRecipientsMigration20261123000300 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notification_recipients (
        bot_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        user_id uuid NOT NULL,
        first_name text NOT NULL,
        language_code text,
        registered_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, telegram_user_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE notification_recipients');
  }
}
