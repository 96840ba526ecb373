import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CardTransferEvent, CardTransferStatus } from './card-transfer.decider.js';
import { CardTransfer } from './card-transfer.entity.js';

const TYPES: readonly string[] = ['CardTransferOpened', 'CardReceiptSubmitted', 'CardTransferApproved', 'CardTransferRejected'];
const STATUS_AFTER: Record<string, CardTransferStatus> = {
  CardReceiptSubmitted: 'in_review',
  CardTransferApproved: 'approved',
  CardTransferRejected: 'rejected',
};

/** The transfers read model, in the append's transaction: which of a member's transfers awaits a receipt. */
export const cardTransfersProjection: InlineProjection = {
  name: 'payments.card_transfers',
  async apply(events, em: EntityManager) {
    for (const event of events as readonly RecordedEvent<CardTransferEvent>[]) {
      if (!TYPES.includes(event.type)) continue;
      if (event.type === 'CardTransferOpened') {
        const { data } = event;
        await em.upsert(CardTransfer, {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: data.telegramUserId,
          trackingNumber: data.trackingNumber,
          cardId: data.cardId,
          status: 'awaiting_receipt',
          createdAt: new Date(data.openedAt),
          updatedAt: new Date(data.openedAt),
        });
      } else {
        await em.nativeUpdate(CardTransfer, { paymentId: event.data.paymentId }, { status: STATUS_AFTER[event.type]!, updatedAt: event.metadata.occurredAt });
      }
    }
  },
};
