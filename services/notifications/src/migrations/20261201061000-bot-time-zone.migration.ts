import { Migration } from '@mikro-orm/migrations';

/** The bot's time zone (users' `timezone` setting): the dates and times of its messages are shown in it. */
export class BotTimeZoneMigration20261201061000 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE notification_bots ADD COLUMN time_zone text');
  }

  override down(): void {
    this.addSql('ALTER TABLE notification_bots DROP COLUMN time_zone');
  }
}
