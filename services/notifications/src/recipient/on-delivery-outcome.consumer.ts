import { DeliveryFailure, MessageDeliveredSchema, MessageDeliveryFailedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import type { DecodedEvent } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import { type RecipientOutcome, settleBroadcastRecipients } from '../broadcast/broadcast-outcome.js';

/**
 * The gateway's delivery outcomes: a 403 (`DELIVERY_FAILURE_FORBIDDEN`) marks the member as having
 * blocked the bot, so no rule sends to them again; a message delivered to them later means they came back.
 * Group chats (negative ids) are not members and match no row. A broadcast's message settles its
 * recipient row (`broadcast/broadcast-outcome.ts`). Taken a run at a time, two statements a run: a
 * broadcast brings up to a thousand outcomes a second, one transaction (or statement) each would not
 * keep up.
 */
export const onDeliveryOutcome: ConsumerDefinition = {
  name: 'notifications--delivery-outcomes',
  source: 'gateway',
  subjects: [subjectOf(MessageDeliveredSchema), subjectOf(MessageDeliveryFailedSchema)],
  handleBatch: async (events, { em }) => {
    // Everything is read before anything is written, so an event that can never succeed is parked with
    // nothing of its run written (the run is replayed one event at a time).
    const outcomes = events.map(outcomeOf);
    await settleBroadcastRecipients(em, outcomes, new Date());
    // The last outcome of a member in the run says whether they block the bot now.
    const blocked = new Map<string, { botId: string; chatId: number; blocked: boolean }>();
    for (const outcome of outcomes) {
      if (outcome.blocked === undefined) continue;
      const key = `${outcome.botId}:${outcome.chatId}`;
      blocked.delete(key);
      blocked.set(key, { botId: outcome.botId, chatId: outcome.chatId, blocked: outcome.blocked });
    }
    if (!blocked.size) return;
    const members = [...blocked.values()];
    await runSql(
      em,
      `UPDATE notifications.notification_recipients r SET blocked_bot = m.blocked
         FROM unnest($1::uuid[], $2::bigint[], $3::boolean[]) AS m(bot_id, telegram_user_id, blocked)
        WHERE r.bot_id = m.bot_id AND r.telegram_user_id = m.telegram_user_id AND r.blocked_bot <> m.blocked`,
      [members.map((m) => m.botId), members.map((m) => m.chatId), members.map((m) => m.blocked)],
    );
  },
};

interface Outcome extends RecipientOutcome {
  readonly botId: string;
  readonly chatId: number;
  /** Whether the member blocks the bot after this outcome; undefined when it says nothing of it (a failure other than a 403). */
  readonly blocked: boolean | undefined;
}

function outcomeOf(event: DecodedEvent): Outcome {
  if (isEventOf(event, MessageDeliveryFailedSchema)) {
    const forbidden = event.message.failure === DeliveryFailure.FORBIDDEN;
    const { requestId, botId } = event.message;
    return forbidden
      ? { requestId, outcome: 'blocked', botId, chatId: int64ToNumber(event.message.chatId), blocked: true }
      : { requestId, outcome: 'failed', botId, chatId: 0, blocked: undefined };
  }
  if (isEventOf(event, MessageDeliveredSchema)) {
    return { requestId: event.message.requestId, outcome: 'sent', botId: event.message.botId, chatId: int64ToNumber(event.message.chatId), blocked: false };
  }
  throw new ParkEventError(`unexpected ${event.subject}`);
}
