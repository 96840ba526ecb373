import { Migration } from '@mikro-orm/migrations';

/**
 * A request may be a paid broadcast message (`allow_paid_broadcast`: the bot's paid lane, 0.1 Star each),
 * carry a photo (the text is its caption), or edit a message of the bot instead of sending one.
 */
export class OutboundPaidPhotoEditMigration20261201020000 extends Migration {
  override up(): void {
    this.addSql(`
      ALTER TABLE gateway_outbound_deliveries
        ADD COLUMN paid_broadcast boolean NOT NULL DEFAULT false,
        ADD COLUMN photo text,
        ADD COLUMN edit_message_id bigint`);
  }

  override down(): void {
    this.addSql('ALTER TABLE gateway_outbound_deliveries DROP COLUMN paid_broadcast, DROP COLUMN photo, DROP COLUMN edit_message_id');
  }
}

export const outboundPaidPhotoEditMigration = { name: 'Migration20261201020000_outbound_paid_photo_edit', class: OutboundPaidPhotoEditMigration20261201020000 };
