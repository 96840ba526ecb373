import { Migration } from '@mikro-orm/migrations';

/** A broadcast's optional photo, and the admin's message its progress is kept in (edited as it goes). */
export class BroadcastPhotoProgressMigration20261201020100 extends Migration {
  override up(): void {
    this.addSql('ALTER TABLE notification_broadcasts ADD COLUMN photo text, ADD COLUMN progress_chat_id bigint, ADD COLUMN progress_message_id bigint');
  }

  override down(): void {
    this.addSql('ALTER TABLE notification_broadcasts DROP COLUMN photo, DROP COLUMN progress_chat_id, DROP COLUMN progress_message_id');
  }
}
