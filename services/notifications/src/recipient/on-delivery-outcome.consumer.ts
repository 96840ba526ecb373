import { DeliveryFailure, MessageDeliveredSchema, MessageDeliveryFailedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';

/**
 * The gateway's delivery outcomes: a 403 (`DELIVERY_FAILURE_FORBIDDEN`) marks the member as having
 * blocked the bot, so no rule sends to them again; a message delivered to them later means they came back.
 * Group chats (negative ids) are not members and match no row.
 */
export const onDeliveryOutcome: ConsumerDefinition = {
  name: 'notifications--delivery-outcomes',
  source: 'gateway',
  subjects: [subjectOf(MessageDeliveredSchema), subjectOf(MessageDeliveryFailedSchema)],
  handle: async (event, { em }) => {
    let blocked: boolean;
    if (isEventOf(event, MessageDeliveryFailedSchema)) {
      if (event.message.failure !== DeliveryFailure.FORBIDDEN) return;
      blocked = true;
    } else if (isEventOf(event, MessageDeliveredSchema)) {
      blocked = false;
    } else {
      throw new ParkEventError(`unexpected ${event.subject}`);
    }
    await runSql(em, 'UPDATE notifications.notification_recipients SET blocked_bot = $3 WHERE bot_id = $1 AND telegram_user_id = $2 AND blocked_bot <> $3', [
      event.message.botId,
      int64ToNumber(event.message.chatId),
      blocked,
    ]);
  },
};
