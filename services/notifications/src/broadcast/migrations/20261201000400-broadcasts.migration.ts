import { Migration } from '@mikro-orm/migrations';

/**
 * Broadcasts (the aggregate's read model), their recipients (one row per broadcast and member, with
 * its state: the sender's work list and the report's source), and the audience's referral source.
 */
export class BroadcastsMigration20261201000400 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE notification_recipients ADD COLUMN referral_source text');
    this.addSql('ALTER TABLE notification_bots ADD COLUMN paid_broadcasts boolean NOT NULL DEFAULT false');
    this.addSql(`
      CREATE TABLE notification_broadcasts (
        broadcast_id uuid PRIMARY KEY,
        bot_id uuid NOT NULL,
        admin_telegram_user_id bigint NOT NULL,
        status text NOT NULL,
        text text NOT NULL,
        parse_mode text,
        buttons jsonb NOT NULL,
        audience jsonb,
        audience_size integer,
        rate_per_second numeric,
        paid boolean NOT NULL DEFAULT false,
        drafted_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        finished_at timestamptz,
        report jsonb
      )`);
    this.addSql("CREATE INDEX notification_broadcasts_active ON notification_broadcasts (status) WHERE status IN ('sending', 'cancelled')");
    this.addSql(`
      CREATE TABLE notification_broadcast_recipients (
        broadcast_id uuid NOT NULL,
        telegram_user_id bigint NOT NULL,
        request_id uuid NOT NULL UNIQUE,
        state text NOT NULL,
        requested_at timestamptz,
        settled_at timestamptz,
        PRIMARY KEY (broadcast_id, telegram_user_id)
      )`);
    this.addSql('CREATE INDEX notification_broadcast_recipients_state ON notification_broadcast_recipients (broadcast_id, state)');
  }

  override down(): void {
    this.addSql('DROP TABLE notification_broadcast_recipients');
    this.addSql('DROP TABLE notification_broadcasts');
    this.addSql('ALTER TABLE notification_bots DROP COLUMN paid_broadcasts');
    this.addSql('ALTER TABLE notification_recipients DROP COLUMN referral_source');
  }
}
