import { PaymentCompletedSchema, PaymentRefundedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { majorUnits } from '../rules/money.js';
import type { AdminAlertDispatcher } from './admin-alert-dispatcher.js';

/** The admin alerts of a new payment and of a refund, once per payments event. */
export function onPaymentsAlert(alerts: AdminAlertDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--admin-alerts-payments',
    source: 'payments',
    subjects: [subjectOf(PaymentCompletedSchema), subjectOf(PaymentRefundedSchema)],
    handle: async (event, { em }) => {
      const trigger = { sourceEventId: event.envelope.eventId, correlationId: event.envelope.correlationId, now: new Date() };
      if (isEventOf(event, PaymentCompletedSchema)) {
        const { message } = event;
        await alerts.alert(em, {
          ...trigger,
          alert: 'payment-completed',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: { amount: majorUnits(int64ToNumber(message.amount), message.currency), currency: message.currency, plan: message.planId },
        });
      } else if (isEventOf(event, PaymentRefundedSchema)) {
        const { message } = event;
        await alerts.alert(em, {
          ...trigger,
          alert: 'payment-refunded',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: {
            amount: majorUnits(int64ToNumber(message.amount), message.currency),
            currency: message.currency,
            plan: message.planId,
            reason: message.reason || '—',
            refunded_by: message.refundedBy || '—',
          },
        });
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}
