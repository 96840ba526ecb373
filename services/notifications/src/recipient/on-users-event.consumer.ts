import {
  BotSettingChangedSchema,
  type DecodedEvent,
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
import type { EntityManager } from '@mikro-orm/postgresql';
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
    // A run at a time: the registrations among it (a burst of /starts) are written in one statement and
    // their welcome decided in a few; every other event in order between them, one by one.
    handleBatch: async (events, { em }) => {
      let registrations: Registration[] = [];
      const flush = async () => {
        await register(em, rules, registrations);
        registrations = [];
      };
      for (const event of events) {
        if (isEventOf(event, UserRegisteredSchema)) {
          const { message } = event;
          if (!message.registeredAt) throw new ParkEventError('users.user.registered without registered_at');
          const registration: Registration = {
            botId: message.botId,
            telegramUserId: int64ToNumber(message.telegramUserId),
            userId: message.userId,
            firstName: message.firstName,
            languageCode: message.languageCode ?? null,
            registeredAt: timestampDate(message.registeredAt),
            eventId: event.envelope.eventId,
            correlationId: event.envelope.correlationId,
          };
          // One upsert may not write a row twice: the same member again starts a new run.
          if (registrations.some((r) => r.botId === registration.botId && r.telegramUserId === registration.telegramUserId)) await flush();
          registrations.push(registration);
          continue;
        }
        await flush();
        await handleOther(em, event);
      }
      await flush();
    },
  };
}

interface Registration {
  readonly botId: string;
  readonly telegramUserId: number;
  readonly userId: string;
  readonly firstName: string;
  readonly languageCode: string | null;
  readonly registeredAt: Date;
  readonly eventId: string;
  readonly correlationId: string;
}

/** New members' recipient rows in one statement, then their welcome rule (the rows as written, not read again). */
async function register(em: EntityManager, rules: RuleDispatcher, registrations: readonly Registration[]): Promise<void> {
  if (registrations.length === 0) return;
  const rows = await runSql<RecipientRow & { bot_id: string; telegram_user_id: string }>(
    em,
    `INSERT INTO notifications.notification_recipients AS r (bot_id, telegram_user_id, user_id, first_name, language_code, registered_at)
     SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[])
     ON CONFLICT (bot_id, telegram_user_id) DO UPDATE SET user_id = excluded.user_id, first_name = excluded.first_name,
       language_code = excluded.language_code, registered_at = excluded.registered_at
     RETURNING r.bot_id, r.telegram_user_id::text, ${RECIPIENT_FOR_RULES}`,
    [
      registrations.map((r) => r.botId),
      registrations.map((r) => r.telegramUserId),
      registrations.map((r) => r.userId),
      registrations.map((r) => r.firstName),
      registrations.map((r) => r.languageCode),
      registrations.map((r) => r.registeredAt),
    ],
  );
  const written = new Map(rows.map((row) => [`${row.bot_id}:${row.telegram_user_id}`, row]));
  const now = new Date();
  await rules.dispatchAll(
    em,
    registrations.map((r) => ({
      trigger: {
        rule: 'welcome',
        botId: r.botId,
        telegramUserId: r.telegramUserId,
        sourceEventId: r.eventId,
        correlationId: r.correlationId,
        variables: {},
        now,
      },
      recipient: written.get(`${r.botId}:${r.telegramUserId}`)!,
    })),
  );
}

async function handleOther(em: EntityManager, event: DecodedEvent): Promise<void> {
  if (isEventOf(event, MemberLanguageChangedSchema)) {
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
}

/** A change to a member this service never saw registered is dropped: the registration sets every column anew. */
function update(em: Parameters<typeof runSql>[0], botId: string, telegramUserId: bigint, set: string, values: readonly unknown[]) {
  return runSql(em, `UPDATE notifications.notification_recipients SET ${set} WHERE bot_id = $1 AND telegram_user_id = $2`, [
    botId,
    int64ToNumber(telegramUserId),
    ...values,
  ]);
}
