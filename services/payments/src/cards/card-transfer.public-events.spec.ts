import { CardTransferApprovedSchema, CardTransferRejectedSchema, timestampDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import { describe, expect, it } from '@jest/globals';
import type { CardTransferEvent } from './card-transfer.decider.js';
import { cardTransferPublicEvents } from './card-transfer.public-events.js';

const now = '2026-11-30T12:00:00.000Z';
const recorded = (event: CardTransferEvent) => ({ ...event, streamId: 'card-transfer-p', position: 3n }) as unknown as RecordedEvent;
const reviewed = { telegramUserId: '42', planId: 'plan', currency: 'RUB', amount: '49900', trackingNumber: 7 };

describe('The card transfers’ public events', () => {
  it('publishes an approval with the member, the plan, the amount in minor units and the tracking number', () => {
    const mapped = cardTransferPublicEvents(
      recorded({ type: 'CardTransferApproved', data: { paymentId: 'p', botId: 'b', ...reviewed, reviewedBy: 'telegram:1', approvedAt: now } }),
    );
    expect(mapped?.schema).toBe(CardTransferApprovedSchema);
    const { approvedAt, ...message } = mapped!.message as Record<string, unknown> & { approvedAt: Parameters<typeof timestampDate>[0] };
    expect(message).toEqual({ paymentId: 'p', botId: 'b', telegramUserId: 42n, planId: 'plan', currency: 'RUB', amount: 49900n, trackingNumber: 7 });
    expect(timestampDate(approvedAt).toISOString()).toBe(now);
  });

  it('publishes a rejection with its reason, and never who reviewed it', () => {
    const mapped = cardTransferPublicEvents(
      recorded({
        type: 'CardTransferRejected',
        data: { paymentId: 'p', botId: 'b', ...reviewed, reviewedBy: 'telegram:1', reason: 'No money', rejectedAt: now },
      }),
    );
    expect(mapped?.schema).toBe(CardTransferRejectedSchema);
    expect(mapped!.message).toMatchObject({ reason: 'No money', amount: 49900n, telegramUserId: 42n });
    expect(mapped!.message).not.toHaveProperty('reviewedBy');
  });

  it('keeps the opening, the receipt and a review stored before it carried the member internal', () => {
    expect(
      cardTransferPublicEvents(recorded({ type: 'CardReceiptSubmitted', data: { paymentId: 'p', botId: 'b', kind: 'photo', fileId: 'F', submittedAt: now } })),
    ).toBeNull();
    expect(
      cardTransferPublicEvents(recorded({ type: 'CardTransferApproved', data: { paymentId: 'p', botId: 'b', reviewedBy: 'telegram:1', approvedAt: now } })),
    ).toBeNull();
  });
});
