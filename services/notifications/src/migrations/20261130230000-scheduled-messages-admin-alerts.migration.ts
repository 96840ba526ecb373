import { Migration } from '@mikro-orm/migrations';

/**
 * Scheduled messages (their read model; the timers are the scheduler's table), the bots' admin chats
 * and one row per admin alert (the dedupe of alert × source event).
 */
export class ScheduledMessagesAdminAlertsMigration20261130230000 extends Migration {
  override up(): void {
    this.addSql(`
      CREATE TABLE notification_scheduled_messages (
        scheduled_message_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        text text NOT NULL,
        parse_mode text,
        audience jsonb NOT NULL,
        send_at timestamptz NOT NULL,
        status text NOT NULL,
        scheduled_by text NOT NULL,
        recipients integer,
        sent_at timestamptz,
        cancelled_at timestamptz
      )`);
    this.addSql('CREATE INDEX notification_scheduled_messages_bot ON notification_scheduled_messages (bot_id, send_at)');
    this.addSql(`
      CREATE TABLE notification_admin_chats (
        bot_id uuid PRIMARY KEY,
        admin_chat_id bigint,
        admin_topic_id integer
      )`);
    this.addSql(`
      CREATE TABLE notification_admin_alerts (
        bot_id uuid NOT NULL,
        alert text NOT NULL,
        source_event_id uuid NOT NULL,
        request_id uuid UNIQUE,
        outcome text NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (bot_id, alert, source_event_id)
      )`);
  }

  override down(): void {
    this.addSql('DROP TABLE notification_admin_alerts');
    this.addSql('DROP TABLE notification_admin_chats');
    this.addSql('DROP TABLE notification_scheduled_messages');
  }
}
