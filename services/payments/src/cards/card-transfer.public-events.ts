import type { PublicEventMapper } from '@botplatform/bus';
import { CardTransferApprovedSchema, CardTransferRejectedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { CardTransferEvent } from './card-transfer.decider.js';

/**
 * A card transfer's review as other services see it (proto/botplatform/payments/v1/cards.proto):
 * `payments.card_transfer.approved.v1` / `.rejected.v1`, each field picked by name. The opening and the
 * receipt stay internal (the receipt's file and text are the member's and the admins' only), and so does
 * a review stored before its events carried the member and the amount.
 */
export const cardTransferPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<CardTransferEvent>;
  if (event.type !== 'CardTransferApproved' && event.type !== 'CardTransferRejected') return null;
  const { data } = event;
  if (data.telegramUserId === undefined || data.amount === undefined || data.currency === undefined) return null;
  const transfer = {
    paymentId: data.paymentId,
    botId: data.botId,
    telegramUserId: BigInt(data.telegramUserId),
    planId: data.planId ?? '',
    currency: data.currency,
    amount: BigInt(data.amount),
    trackingNumber: data.trackingNumber ?? 0,
  };
  return event.type === 'CardTransferApproved'
    ? { schema: CardTransferApprovedSchema, message: { ...transfer, approvedAt: timestampFromDate(new Date(event.data.approvedAt)) } }
    : {
        schema: CardTransferRejectedSchema,
        message: { ...transfer, reason: event.data.reason, rejectedAt: timestampFromDate(new Date(event.data.rejectedAt)) },
      };
};
