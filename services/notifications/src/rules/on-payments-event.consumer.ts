import {
  CardTransferApprovedSchema,
  CardTransferRejectedSchema,
  PaymentCompletedSchema,
  PaymentRefundedSchema,
  int64ToNumber,
  isEventOf,
  subjectOf,
} from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { majorUnits } from './money.js';
import type { RuleDispatcher } from './rule-dispatcher.js';

/**
 * The payment_completed and payment_refunded rules, and receipt_approved / receipt_rejected of the card
 * transfers an admin reviewed (receipts: category `payments`, never muted). The
 * admin alerts of the same events have their own consumer (`alerts/on-payments-alert.consumer.ts`), so
 * each keeps its own position and a failing one never holds the other back.
 */
export function onPaymentsEvent(rules: RuleDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--payments',
    source: 'payments',
    subjects: [
      subjectOf(PaymentCompletedSchema),
      subjectOf(PaymentRefundedSchema),
      subjectOf(CardTransferApprovedSchema),
      subjectOf(CardTransferRejectedSchema),
    ],
    handle: async (event, { em }) => {
      const trigger = { sourceEventId: event.envelope.eventId, correlationId: event.envelope.correlationId, now: new Date() };
      if (isEventOf(event, PaymentCompletedSchema) || isEventOf(event, PaymentRefundedSchema)) {
        const { message } = event;
        await rules.dispatch(em, {
          ...trigger,
          rule: isEventOf(event, PaymentCompletedSchema) ? 'payment_completed' : 'payment_refunded',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: { amount: majorUnits(int64ToNumber(message.amount), message.currency), currency: message.currency, plan: message.planId },
        });
      } else if (isEventOf(event, CardTransferApprovedSchema) || isEventOf(event, CardTransferRejectedSchema)) {
        const { message } = event;
        const transfer = {
          tracking: `C-${String(message.trackingNumber).padStart(4, '0')}`,
          amount: majorUnits(int64ToNumber(message.amount), message.currency),
          currency: message.currency,
          plan: message.planId,
        };
        await rules.dispatch(em, {
          ...trigger,
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          ...(isEventOf(event, CardTransferRejectedSchema)
            ? { rule: 'receipt_rejected', variables: { ...transfer, reason: event.message.reason } }
            : { rule: 'receipt_approved', variables: transfer }),
        });
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}
