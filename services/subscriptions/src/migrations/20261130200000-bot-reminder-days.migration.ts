import { Migration } from '@mikro-orm/migrations';

/**
 * Each bot's reminder days (the users service's bot setting `subscriptions.reminder_days`, followed by
 * `subscriptions--reminder-days`). A bot without a row reminds at the defaults, 3 and 1 days before the end.
 */
export class BotReminderDaysMigration20261130200000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE bot_reminder_days (
        bot_id uuid PRIMARY KEY,
        days integer[] NOT NULL,
        changed_at timestamptz NOT NULL
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE bot_reminder_days');
  }
}
