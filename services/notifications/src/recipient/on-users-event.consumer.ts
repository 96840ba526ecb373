import {
  BotSettingChangedSchema,
  IdentityProfileChangedSchema,
  MemberLanguageChangedSchema,
  MemberRole,
  MemberRoleChangedSchema,
  MemberStatus,
  MemberStatusChangedSchema,
  UserRegisteredSchema,
  int64ToNumber,
  isEventOf,
  subjectOf,
  timestampDate,
} from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import { runSql } from '@botplatform/event-store';
import { recordPaidBroadcasts } from '../broadcast/paid-broadcasts-setting.js';
import { RECIPIENT_FOR_RULES, type RecipientRow, type RuleDispatcher } from '../rules/rule-dispatcher.js';
import { knownTimeZone } from '../templates/local-time.js';

const ROLES: Partial<Record<MemberRole, string>> = { [MemberRole.USER]: 'user', [MemberRole.ADMIN]: 'admin', [MemberRole.OWNER]: 'owner' };

/**
 * The audience as the users service publishes it: a membership opens a recipient row (and may fire the
 * welcome rule), later events set its language override, Telegram language, role and status, and the
 * bot's default language (the templates' fallback) and time zone (the messages' dates) are kept.
 */
export function onUsersEvent(rules: RuleDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--recipients',
    source: 'users',
    subjects: [
      subjectOf(UserRegisteredSchema),
      subjectOf(MemberLanguageChangedSchema),
      subjectOf(MemberRoleChangedSchema),
      subjectOf(MemberStatusChangedSchema),
      subjectOf(IdentityProfileChangedSchema),
      subjectOf(BotSettingChangedSchema),
    ],
    handle: async (event, { em }) => {
      if (isEventOf(event, UserRegisteredSchema)) {
        const { message } = event;
        if (!message.registeredAt) throw new ParkEventError('users.user.registered without registered_at');
        const telegramUserId = int64ToNumber(message.telegramUserId);
        const registeredAt = timestampDate(message.registeredAt);
        // The row as written is what the welcome rule reads: returned here rather than read again.
        const [recipient] = await runSql<RecipientRow>(
          em,
          `INSERT INTO notifications.notification_recipients AS r (bot_id, telegram_user_id, user_id, first_name, language_code, registered_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (bot_id, telegram_user_id) DO UPDATE SET user_id = $3, first_name = $4, language_code = $5, registered_at = $6
           RETURNING ${RECIPIENT_FOR_RULES}`,
          [message.botId, telegramUserId, message.userId, message.firstName, message.languageCode ?? null, registeredAt],
        );
        await rules.dispatch(
          em,
          {
            rule: 'welcome',
            botId: message.botId,
            telegramUserId,
            sourceEventId: event.envelope.eventId,
            correlationId: event.envelope.correlationId,
            variables: {},
            now: new Date(),
          },
          recipient,
        );
      } else if (isEventOf(event, MemberLanguageChangedSchema)) {
        const { message } = event;
        await update(em, message.botId, message.telegramUserId, 'language_override = $3', [message.languageCode ?? null]);
      } else if (isEventOf(event, MemberRoleChangedSchema)) {
        const { message } = event;
        await update(em, message.botId, message.telegramUserId, 'role = $3', [ROLES[message.role] ?? 'user']);
      } else if (isEventOf(event, MemberStatusChangedSchema)) {
        const { message } = event;
        const status = message.status === MemberStatus.BLOCKED_BY_ADMIN ? 'blocked' : 'active';
        await update(em, message.botId, message.telegramUserId, 'status = $3, blocked_bot = $4', [status, message.status === MemberStatus.BOT_BLOCKED_BY_USER]);
      } else if (isEventOf(event, IdentityProfileChangedSchema)) {
        // The identity is shared by every bot the user talks to: their Telegram language is too.
        const { message } = event;
        await runSql(em, 'UPDATE notifications.notification_recipients SET first_name = $2, language_code = $3 WHERE telegram_user_id = $1', [
          int64ToNumber(message.telegramUserId),
          message.firstName,
          message.languageCode ?? null,
        ]);
      } else if (isEventOf(event, BotSettingChangedSchema)) {
        const { message } = event;
        if (message.key === 'paid_broadcasts') {
          await recordPaidBroadcasts(em, message.botId, message.valueJson);
          return;
        }
        if (message.key === 'timezone') {
          // A zone this runtime does not know is kept as none: the messages then show UTC, not an error.
          const timeZone = knownTimeZone(JSON.parse(message.valueJson) as unknown);
          await runSql(
            em,
            `INSERT INTO notifications.notification_bots (bot_id, time_zone) VALUES ($1, $2)
             ON CONFLICT (bot_id) DO UPDATE SET time_zone = $2`,
            [message.botId, timeZone],
          );
          return;
        }
        if (message.key !== 'default_language') return;
        const language = JSON.parse(message.valueJson) as unknown;
        await runSql(
          em,
          `INSERT INTO notifications.notification_bots (bot_id, default_language) VALUES ($1, $2)
           ON CONFLICT (bot_id) DO UPDATE SET default_language = $2`,
          [message.botId, typeof language === 'string' ? language : null],
        );
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}

/** A change to a member this service never saw registered is dropped: the registration sets every column anew. */
function update(em: Parameters<typeof runSql>[0], botId: string, telegramUserId: bigint, set: string, values: readonly unknown[]) {
  return runSql(em, `UPDATE notifications.notification_recipients SET ${set} WHERE bot_id = $1 AND telegram_user_id = $2`, [
    botId,
    int64ToNumber(telegramUserId),
    ...values,
  ]);
}
