import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type { CardTransferStatus } from './card-transfer.decider.js';

/** One card-to-card transfer, projected from its `card-transfer-<paymentId>` stream by card-transfers.projection.ts. */
@Entity({ tableName: 'card_transfers' })
export class CardTransfer {
  @PrimaryKey({ type: 'uuid' })
  paymentId: string;

  @Property({ type: 'uuid' })
  botId: string;

  @Property({ type: 'bigint', columnType: 'bigint' })
  telegramUserId: string;

  /** Unique per bot. */
  @Property({ type: 'integer' })
  trackingNumber: number;

  @Property({ type: 'uuid' })
  cardId: string;

  @Property({ type: 'text' })
  status: CardTransferStatus;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date;
}
