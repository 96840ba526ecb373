import { ParkEventError, correlationIdOrNew, type ConsumerDefinition } from '@botplatform/bus';
import { BotSettingChangedSchema, UserRegisteredSchema, isEventOf, subjectOf, timestampDate, type DecodedEvent } from '@botplatform/contracts';
import { runSql } from '@botplatform/event-store';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { ReferralCommands } from './referral-commands.js';
import { referrerOfPayload } from './referral-link.decider.js';
import { REFERRAL_SETTINGS } from './referral-settings.js';

/**
 * The users service's members and settings as referrals need them: each new membership is noted (a later
 * referrer must be a member of the bot) and, when its `/start` payload is `ref_<id>`, linked to that
 * referrer (`payments.referral.joined.v1`); the bot's `referral_percent` and `referral_levels` are kept
 * as last changed.
 */
export function onUsersEvent(referrals: ReferralCommands): ConsumerDefinition {
  return {
    name: 'payments--referral-members',
    source: 'users',
    subjects: [subjectOf(UserRegisteredSchema), subjectOf(BotSettingChangedSchema)],
    // A run at a time: the members who joined with no referrer are noted in one statement; one with a
    // referrer, and a setting, in order after those before it (whether a referrer is a member depends on
    // who joined before).
    handleBatch: async (events, { em }) => {
      let joined: { botId: string; telegramUserId: string; joinedAt: string }[] = [];
      const flush = async () => {
        await referrals.membersJoined(joined, em);
        joined = [];
      };
      for (const event of events) {
        if (isEventOf(event, UserRegisteredSchema)) {
          const { message } = event;
          if (!message.registeredAt) throw new ParkEventError('users.user.registered without registered_at');
          const joinedAt = timestampDate(message.registeredAt);
          const member = { botId: message.botId, telegramUserId: String(message.telegramUserId), joinedAt: joinedAt.toISOString() };
          const referrerTelegramUserId = referrerOfPayload(message.startPayload);
          if (referrerTelegramUserId === null) {
            joined.push(member);
            continue;
          }
          await flush();
          await referrals.memberJoined(
            { ...member, referrerTelegramUserId },
            {
              em,
              context: {
                botId: message.botId,
                correlationId: event.envelope.correlationId || correlationIdOrNew(randomUUID),
                causationId: event.envelope.eventId,
                actor: { kind: 'service', id: 'payments--referral-members' },
                occurredAt: joinedAt,
              },
            },
          );
          continue;
        }
        await flush();
        await onSetting(em, event);
      }
      await flush();
    },
  };
}

async function onSetting(em: EntityManager, event: DecodedEvent): Promise<void> {
  if (isEventOf(event, BotSettingChangedSchema)) {
    const { message } = event;
    if (!REFERRAL_SETTINGS.includes(message.key)) return;
    if (!message.changedAt) throw new ParkEventError('users.bot.setting_changed without changed_at');
    await runSql(
      em,
      `INSERT INTO payments.referral_settings (bot_id, key, value_json, changed_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (bot_id, key) DO UPDATE SET value_json = excluded.value_json, changed_at = excluded.changed_at
             WHERE referral_settings.changed_at <= excluded.changed_at`,
      [message.botId, message.key, message.valueJson, timestampDate(message.changedAt).toISOString()],
    );
    return;
  }
  throw new ParkEventError(`unexpected ${event.subject}`);
}
