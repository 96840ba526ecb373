import { Migration } from '@mikro-orm/migrations';

/**
 * The pending recipients of a broadcast in the sender's order: its release (`ORDER BY telegram_user_id
 * LIMIT n`) and its look for what is left read only these, where the primary key made every release walk
 * past all the members already sent (O(sent) per release, milliseconds at 100,000).
 */
export class BroadcastPendingIndexMigration20261201060000 extends Migration {
  override up(): void {
    this.addSql(
      "CREATE INDEX notification_broadcast_recipients_pending ON notification_broadcast_recipients (broadcast_id, telegram_user_id) WHERE state = 'pending'",
    );
  }

  override down(): void {
    this.addSql('DROP INDEX notification_broadcast_recipients_pending');
  }
}
