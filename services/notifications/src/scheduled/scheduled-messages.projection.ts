import { runSql, type InlineProjection, type RecordedEvent } from '@botplatform/event-store';
import type { ScheduledMessageEvent } from './scheduled-message.decider.js';

/** The read model of scheduled messages (what list-scheduled-messages answers), written with each append. */
export const scheduledMessagesProjection: InlineProjection = {
  name: 'notification-scheduled-messages',
  async apply(events, em) {
    for (const event of events as readonly RecordedEvent<ScheduledMessageEvent>[]) {
      switch (event.type) {
        case 'MessageScheduled': {
          const { data } = event;
          await runSql(
            em,
            `INSERT INTO notifications.notification_scheduled_messages
               (scheduled_message_id, bot_id, text, parse_mode, audience, send_at, status, scheduled_by)
             VALUES ($1, $2, $3, $4, $5, $6, 'scheduled', $7)
             ON CONFLICT (scheduled_message_id) DO NOTHING`,
            [data.scheduledMessageId, data.botId, data.text, data.parseMode ?? null, JSON.stringify(data.audience), data.sendAt, data.scheduledBy],
          );
          break;
        }
        case 'ScheduledMessageCancelled':
          await runSql(em, "UPDATE notifications.notification_scheduled_messages SET status = 'cancelled', cancelled_at = $2 WHERE scheduled_message_id = $1", [
            event.data.scheduledMessageId,
            event.data.cancelledAt,
          ]);
          break;
        case 'ScheduledMessageSent':
          await runSql(
            em,
            "UPDATE notifications.notification_scheduled_messages SET status = 'sent', sent_at = $2, recipients = $3 WHERE scheduled_message_id = $1",
            [event.data.scheduledMessageId, event.data.sentAt, event.data.recipients],
          );
          break;
      }
    }
  },
};
