import { BotSettingChangedSchema, UserRegisteredSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import type { AdminAlertDispatcher } from './admin-alert-dispatcher.js';

const SETTINGS = { admin_chat_id: 'admin_chat_id', admin_topic_id: 'admin_topic_id' } as const;

/**
 * The bots' admin chats (settings `admin_chat_id` and `admin_topic_id`, seed 004) and the alert of a new
 * member who came from a campaign: a membership whose /start carried a payload (t.me/<bot>?start=<campaign>).
 * A setting that is not a whole number (or is removed) clears it.
 */
export function onUsersAlert(alerts: AdminAlertDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--admin-alerts-users',
    source: 'users',
    subjects: [subjectOf(UserRegisteredSchema), subjectOf(BotSettingChangedSchema)],
    handle: async (event, { em }) => {
      if (isEventOf(event, BotSettingChangedSchema)) {
        const { message } = event;
        if (!(message.key in SETTINGS)) return;
        const column = SETTINGS[message.key as keyof typeof SETTINGS];
        const value = wholeNumberOf(message.valueJson);
        await runSql(
          em,
          `INSERT INTO notifications.notification_admin_chats (bot_id, ${column}) VALUES ($1, $2)
           ON CONFLICT (bot_id) DO UPDATE SET ${column} = $2`,
          [message.botId, value],
        );
      } else if (isEventOf(event, UserRegisteredSchema)) {
        const { message } = event;
        const campaign = message.startPayload?.trim();
        if (!campaign) return;
        await alerts.alert(em, {
          alert: 'campaign-member',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          sourceEventId: event.envelope.eventId,
          correlationId: event.envelope.correlationId,
          variables: { member: `${message.firstName} (${int64ToNumber(message.telegramUserId)})`, campaign },
          now: new Date(),
        });
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}

/** `-1001234567890` or `"-1001234567890"` (a custom setting may have been typed as a string); null otherwise. */
function wholeNumberOf(valueJson: string): number | null {
  let value: unknown;
  try {
    value = JSON.parse(valueJson);
  } catch {
    return null;
  }
  const number = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number !== 0 ? number : null;
}
