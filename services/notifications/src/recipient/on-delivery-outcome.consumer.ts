import { DeliveryFailure, MessageDeliveredSchema, MessageDeliveryFailedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerContext, type ConsumerDefinition } from '@botplatform/bus';
import type { DecodedEvent } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { settleBroadcastRecipient } from '../broadcast/broadcast-outcome.js';

/**
 * The gateway's delivery outcomes: a 403 (`DELIVERY_FAILURE_FORBIDDEN`) marks the member as having
 * blocked the bot, so no rule sends to them again; a message delivered to them later means they came back.
 * Group chats (negative ids) are not members and match no row. A broadcast's message settles its
 * recipient row (`broadcast/broadcast-outcome.ts`). Taken a run at a time: a broadcast brings up to a
 * thousand outcomes a second, one transaction each would not keep up.
 */
export const onDeliveryOutcome: ConsumerDefinition = {
  name: 'notifications--delivery-outcomes',
  source: 'gateway',
  subjects: [subjectOf(MessageDeliveredSchema), subjectOf(MessageDeliveryFailedSchema)],
  handleBatch: async (events, context) => {
    for (const event of events) await handleOutcome(event, context);
  },
};

async function handleOutcome(event: DecodedEvent, { em }: ConsumerContext): Promise<void> {
  let blocked: boolean;
  if (isEventOf(event, MessageDeliveryFailedSchema)) {
    const forbidden = event.message.failure === DeliveryFailure.FORBIDDEN;
    await settleBroadcastRecipient(em, event.message.requestId, forbidden ? 'blocked' : 'failed', new Date());
    if (!forbidden) return;
    blocked = true;
  } else if (isEventOf(event, MessageDeliveredSchema)) {
    await settleBroadcastRecipient(em, event.message.requestId, 'sent', new Date());
    blocked = false;
  } else {
    throw new ParkEventError(`unexpected ${event.subject}`);
  }
  await runSql(em, 'UPDATE notifications.notification_recipients SET blocked_bot = $3 WHERE bot_id = $1 AND telegram_user_id = $2 AND blocked_bot <> $3', [
    event.message.botId,
    int64ToNumber(event.message.chatId),
    blocked,
  ]);
}
