import type { DomainEvent } from '@botplatform/event-store';

/** Why a message was not delivered (the contract's `DeliveryFailure`, in the store's words). */
export type DeliveryFailureReason = 'forbidden' | 'rejected' | 'bot_unavailable' | 'gave_up' | 'outcome_unknown';

/** Telegram accepted the message. */
export type MessageDelivered = DomainEvent<
  'MessageDelivered',
  { requestId: string; botId: string; chatId: number; messageId: number; attempts: number; deliveredAt: string }
>;

/** The message was not delivered and will not be tried again. */
export type MessageDeliveryFailed = DomainEvent<
  'MessageDeliveryFailed',
  { requestId: string; botId: string; chatId: number; failure: DeliveryFailureReason; description: string; attempts: number; failedAt: string }
>;

/** The gateway's record of what became of one outbound request: exactly one event per request. */
export type OutboundDeliveryEvent = MessageDelivered | MessageDeliveryFailed;

/** The stream holding a request's outcome. */
export const deliveryStreamId = (requestId: string): string => `delivery-${requestId}`;
