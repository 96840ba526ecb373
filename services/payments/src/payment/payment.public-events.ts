import type { PublicEventMapper } from '@botplatform/bus';
import {
  PaymentCompletedSchema,
  PaymentCreatedSchema,
  PaymentFailedSchema,
  PaymentRefundedSchema,
  PaymentRenewedSchema,
  timestampFromDate,
} from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { PaymentEvent } from './payment.decider.js';

/**
 * The payments service's stored events as other services see them (proto/botplatform/payments/v1). Each
 * field is picked by name, so nothing internal slips out; a cancelled order stays internal.
 */
export const paymentPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<PaymentEvent>;
  switch (event.type) {
    case 'PaymentCreated': {
      const { data } = event;
      return {
        schema: PaymentCreatedSchema,
        message: {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: BigInt(data.telegramUserId),
          planId: data.planId,
          currency: data.currency,
          amount: BigInt(data.amount),
          createdAt: timestampFromDate(new Date(data.createdAt)),
        },
      };
    }
    case 'PaymentCompleted': {
      const { data } = event;
      return {
        schema: PaymentCompletedSchema,
        message: {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: BigInt(data.telegramUserId),
          planId: data.planId,
          currency: data.currency,
          amount: BigInt(data.amount),
          chargeId: data.chargeId,
          completedAt: timestampFromDate(new Date(data.completedAt)),
          provider: data.provider ?? 'stars',
        },
      };
    }
    case 'PaymentRenewed': {
      const { data } = event;
      return {
        schema: PaymentRenewedSchema,
        message: {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: BigInt(data.telegramUserId),
          planId: data.planId,
          currency: data.currency,
          amount: BigInt(data.amount),
          chargeId: data.chargeId,
          renewedAt: timestampFromDate(new Date(data.renewedAt)),
          ...(data.subscriptionExpiresAt ? { subscriptionExpiresAt: timestampFromDate(new Date(data.subscriptionExpiresAt)) } : {}),
        },
      };
    }
    case 'PaymentFailed': {
      const { data } = event;
      return {
        schema: PaymentFailedSchema,
        message: {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: BigInt(data.telegramUserId),
          reason: data.reason,
          failedAt: timestampFromDate(new Date(data.failedAt)),
        },
      };
    }
    case 'PaymentRefunded': {
      const { data } = event;
      return {
        schema: PaymentRefundedSchema,
        message: {
          paymentId: data.paymentId,
          botId: data.botId,
          telegramUserId: BigInt(data.telegramUserId),
          planId: data.planId,
          currency: data.currency,
          amount: BigInt(data.amount),
          chargeId: data.chargeId,
          reason: data.reason,
          refundedBy: data.refundedBy,
          refundedAt: timestampFromDate(new Date(data.refundedAt)),
        },
      };
    }
    default:
      return null;
  }
};
