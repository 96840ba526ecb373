import { Migration } from '@mikro-orm/migrations';

/**
 * A broadcast's recipients by when they were settled: the sender's pace (those settled in the last two
 * seconds) and its round trips (those of the last five) read only the last seconds' rows. By state they
 * walked every recipient settled so far, several times a second: 100,000 rows near a paid broadcast's
 * end, which slowed it down the longer it ran.
 */
export class BroadcastSettledIndexMigration20261201070000 extends Migration {
  override up(): void {
    this.addSql(
      'CREATE INDEX notification_broadcast_recipients_settled ON notification_broadcast_recipients (broadcast_id, settled_at) WHERE settled_at IS NOT NULL',
    );
  }

  override down(): void {
    this.addSql('DROP INDEX notification_broadcast_recipients_settled');
  }
}
