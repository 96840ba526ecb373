import type { InlineProjection, RecordedEvent } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PAYMENT_EVENT_TYPES, type PaymentEvent } from './payment.decider.js';
import { Payment } from './payment.entity.js';

const isPaymentEvent = (event: RecordedEvent): event is RecordedEvent<PaymentEvent> => (PAYMENT_EVENT_TYPES as readonly string[]).includes(event.type);

/**
 * The payments read model, written in the append's transaction, so the checkout right after the invoice
 * sees its payment. The created row is upserted; later events only move its status (and set the charge).
 */
export const paymentsProjection: InlineProjection = {
  name: 'payments.payments',
  async apply(events, em: EntityManager) {
    for (const event of events) {
      if (!isPaymentEvent(event)) continue;
      const at = event.metadata.occurredAt;
      switch (event.type) {
        case 'PaymentCreated': {
          const { data } = event;
          await em.upsert(Payment, {
            paymentId: data.paymentId,
            botId: data.botId,
            telegramUserId: data.telegramUserId,
            planId: data.planId,
            currency: data.currency,
            amount: data.amount,
            status: 'pending',
            provider: data.provider ?? 'stars',
            chargeId: null,
            createdAt: new Date(data.createdAt),
            updatedAt: new Date(data.createdAt),
          });
          break;
        }
        case 'PaymentCompleted':
          await em.nativeUpdate(Payment, { paymentId: event.data.paymentId }, { status: 'completed', chargeId: event.data.chargeId, updatedAt: at });
          // The promo discount it used is spent, once: by the first payment that completes with it.
          if (event.data.discountId) {
            await em.execute(
              'UPDATE payments.member_discounts SET consumed_by_payment = ? WHERE redemption_id = ? AND consumed_by_payment IS NULL',
              [event.data.paymentId, event.data.discountId],
              'run',
            );
          }
          break;
        case 'PaymentFailed':
          await em.nativeUpdate(Payment, { paymentId: event.data.paymentId }, { status: 'failed', updatedAt: at });
          break;
        case 'PaymentCancelled':
          await em.nativeUpdate(Payment, { paymentId: event.data.paymentId }, { status: 'cancelled', updatedAt: at });
          break;
        case 'PaymentRefunded':
          await em.nativeUpdate(Payment, { paymentId: event.data.paymentId }, { status: 'refunded', updatedAt: at });
          break;
      }
    }
  },
};
