import { ParkEventError, correlationIdOrNew, type ConsumerDefinition } from '@botplatform/bus';
import { PaymentCompletedSchema, PaymentRefundedSchema, PaymentRenewedSchema, isEventOf, subjectOf, timestampDate } from '@botplatform/contracts';
import type { EventContext } from '@botplatform/event-store';
import { randomUUID } from 'node:crypto';
import type { ReferralCommands } from './referral-commands.js';

/**
 * Referral rewards follow the service's own payments: a completed payment (any provider, the wallet
 * included; trials and promo grants are no payments) and each renewal charge of a Stars subscription
 * reward the payer's referrers, a refund takes the first charge's rewards back. Each reward and reversal happens once per payment and level, however often an event comes.
 */
export function onPaymentEvent(referrals: ReferralCommands): ConsumerDefinition {
  const contextOf = (envelope: { correlationId?: string; eventId: string }, botId: string, at: Date): EventContext => ({
    botId,
    correlationId: envelope.correlationId || correlationIdOrNew(randomUUID),
    causationId: envelope.eventId,
    actor: { kind: 'service', id: 'payments--referral-rewards' },
    occurredAt: at,
  });
  return {
    name: 'payments--referral-rewards',
    source: 'payments',
    subjects: [subjectOf(PaymentCompletedSchema), subjectOf(PaymentRenewedSchema), subjectOf(PaymentRefundedSchema)],
    handle: async (event, { em }) => {
      // Each renewal charge of a Stars subscription is a payment of the member too.
      const completion = isEventOf(event, PaymentCompletedSchema) ? event.message : undefined;
      const renewal = isEventOf(event, PaymentRenewedSchema) ? event.message : undefined;
      const message = completion ?? renewal;
      if (message) {
        const at = completion ? completion.completedAt : renewal?.renewedAt;
        if (!at) throw new ParkEventError(`${event.subject} without its time`);
        await referrals.paymentCompleted(
          {
            botId: message.botId,
            paymentId: message.paymentId,
            ...(renewal ? { renewalChargeId: renewal.chargeId } : {}),
            telegramUserId: String(message.telegramUserId),
            currency: message.currency,
            amount: String(message.amount),
          },
          { em, context: contextOf(event.envelope, message.botId, timestampDate(at)) },
        );
        return;
      }
      if (isEventOf(event, PaymentRefundedSchema)) {
        const { message } = event;
        if (!message.refundedAt) throw new ParkEventError('payments.payment.refunded without refunded_at');
        await referrals.paymentRefunded(
          { botId: message.botId, paymentId: message.paymentId, reason: message.reason || 'refunded' },
          { em, context: contextOf(event.envelope, message.botId, timestampDate(message.refundedAt)) },
        );
        return;
      }
      throw new ParkEventError(`unexpected ${event.subject}`);
    },
  };
}
