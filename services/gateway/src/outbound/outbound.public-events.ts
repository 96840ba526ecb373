import { DeliveryFailure, MessageDeliveredSchema, MessageDeliveryFailedSchema, timestampFromDate } from '@botplatform/contracts';
import type { PublicEventMapper } from '@botplatform/bus';
import type { RecordedEvent } from '@botplatform/event-store';
import type { DeliveryFailureReason, OutboundDeliveryEvent } from './outbound-delivery.events.js';

const FAILURES: Record<DeliveryFailureReason, DeliveryFailure> = {
  forbidden: DeliveryFailure.FORBIDDEN,
  rejected: DeliveryFailure.REJECTED,
  bot_unavailable: DeliveryFailure.BOT_UNAVAILABLE,
  gave_up: DeliveryFailure.GAVE_UP,
  outcome_unknown: DeliveryFailure.OUTCOME_UNKNOWN,
};

/**
 * The gateway's stored events as other services see them (proto/botplatform/gateway/v1): what became
 * of each requested message.
 */
export const gatewayPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<OutboundDeliveryEvent>;
  switch (event.type) {
    case 'MessageDelivered': {
      const { data } = event;
      return {
        schema: MessageDeliveredSchema,
        message: {
          requestId: data.requestId,
          botId: data.botId,
          chatId: BigInt(data.chatId),
          messageId: BigInt(data.messageId),
          attempts: data.attempts,
          deliveredAt: timestampFromDate(new Date(data.deliveredAt)),
        },
      };
    }
    case 'MessageDeliveryFailed': {
      const { data } = event;
      return {
        schema: MessageDeliveryFailedSchema,
        message: {
          requestId: data.requestId,
          botId: data.botId,
          chatId: BigInt(data.chatId),
          failure: FAILURES[data.failure] ?? DeliveryFailure.UNSPECIFIED,
          description: data.description,
          attempts: data.attempts,
          failedAt: timestampFromDate(new Date(data.failedAt)),
        },
      };
    }
    default:
      return null;
  }
};
