import { type RecordedEvent, runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { BroadcastEvent } from './broadcast.decider.js';

/**
 * `notification_broadcasts`, kept with the broadcast's events in their transaction. A cancel only sets
 * the status: the sender requests nothing for a broadcast not `sending`, and marks its recipients not yet
 * requested `cancelled` itself, a few thousand a statement (`BroadcastSender`): one statement for all of
 * them was a transaction of 1.5–2 s at 100,000 members, which held back every event relay on the
 * cluster (they read below the oldest running transaction, ADR 0002).
 */
export async function projectBroadcast(em: EntityManager, events: readonly RecordedEvent<BroadcastEvent>[]): Promise<void> {
  for (const event of events) {
    const id = event.data && 'broadcastId' in event.data ? event.data.broadcastId : broadcastIdOf(event.metadata.streamId);
    switch (event.type) {
      case 'BroadcastDrafted': {
        const { data } = event;
        await runSql(
          em,
          `INSERT INTO notifications.notification_broadcasts (broadcast_id, bot_id, admin_telegram_user_id, status, text, parse_mode, buttons, drafted_at, photo)
           VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $8)`,
          [id, data.botId, data.adminTelegramUserId, data.text, data.parseMode ?? null, JSON.stringify(data.buttons), data.draftedAt, data.photo ?? null],
        );
        break;
      }
      case 'BroadcastAudienceChosen':
        await set(em, id, 'audience = $2', [JSON.stringify(event.data.audience)]);
        break;
      case 'BroadcastConfirmed':
        await set(
          em,
          id,
          "status = 'sending', audience_size = $2, rate_per_second = $3, paid = $4, confirmed_at = $5, progress_chat_id = $6, progress_message_id = $7",
          [
            event.data.audienceSize,
            event.data.ratePerSecond,
            event.data.paid,
            event.data.confirmedAt,
            event.data.progressMessage?.chatId ?? null,
            event.data.progressMessage?.messageId ?? null,
          ],
        );
        break;
      case 'BroadcastPaused':
        await set(em, id, "status = 'paused'", []);
        break;
      case 'BroadcastResumed':
        await set(em, id, "status = 'sending'", []);
        break;
      case 'BroadcastCancelled':
        await set(em, id, "status = 'cancelled'", []);
        break;
      case 'BroadcastFinished':
        await set(em, id, "status = 'finished', report = $2, finished_at = $3", [JSON.stringify(event.data.report), event.data.finishedAt]);
        break;
    }
  }
}

function set(em: EntityManager, id: string, assignments: string, values: readonly unknown[]) {
  return runSql(em, `UPDATE notifications.notification_broadcasts SET ${assignments} WHERE broadcast_id = $1`, [id, ...values]);
}

function broadcastIdOf(streamId: string): string {
  return streamId.slice('broadcast-'.length);
}
