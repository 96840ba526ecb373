import { correlationIdOrNew, type ConsumerDefinition } from '@botplatform/bus';
import { PaymentCompletedSchema, ReferralJoinedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { CommandHandler, type PostgresEventStore } from '@botplatform/event-store';
import { randomUUID } from 'node:crypto';
import { memberDecider, memberStreamId, type MemberCommand, type MemberEvent, type MemberState } from '../member/member.decider.js';
import { GroupLevels } from '../member/group-levels.js';
import { membershipsProjection } from '../member/memberships.projection.js';
import { DEFAULT_TIME_ZONE } from '../settings/bot-settings-directory.js';
import { BotSettings } from '../settings/bot-settings.entity.js';
import { periodStartOf } from '../shared/local-day.js';
import { DEFAULT_LEVELS } from '../settings/levels.js';
import { NO_XP_RULES, type XpRules } from './xp-rules.decider.js';

/**
 * XP from the payments service's events, by the bot's rules: `paymentCompletedXp` to the member for each
 * `payments.payment.completed`, `referralJoinedXp` to the referrer for each `payments.referral.joined`.
 * Awarded on the member's locked stream with the event's id as the source id (`payment:<event id>`,
 * `referral:<event id>`): the award commits in its own transaction, before the inbox row, so a redelivery
 * after a crash between them finds the source id spent and awards nothing. The award counts in the bot's
 * current week and month, and in a bot group the member's group level is checked after it, as the award
 * RPC does. This replica's in-memory board sees the award on its next read of the store (ADR 0015), as
 * another replica's awards.
 */
export function onPaymentsEvent({ store }: { store: PostgresEventStore }): ConsumerDefinition {
  const handler = new CommandHandler<MemberState, MemberCommand, MemberEvent>(store, memberDecider, { lockStream: true, projections: [membershipsProjection] });
  const groupLevels = new GroupLevels(store);
  return {
    name: 'gamification--payments',
    source: 'payments',
    subjects: [subjectOf(PaymentCompletedSchema), subjectOf(ReferralJoinedSchema)],
    handle: async (event, { em }) => {
      let award: { botId: string; telegramUserId: number; rule: 'paymentCompletedXp' | 'referralJoinedXp'; reason: string; sourceId: string };
      if (isEventOf(event, PaymentCompletedSchema)) {
        const { message } = event;
        award = {
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          rule: 'paymentCompletedXp',
          reason: 'payment',
          sourceId: `payment:${event.envelope.eventId}`,
        };
      } else if (isEventOf(event, ReferralJoinedSchema)) {
        const { message } = event;
        award = {
          botId: message.botId,
          telegramUserId: int64ToNumber(message.referrerTelegramUserId),
          rule: 'referralJoinedXp',
          reason: 'referral',
          sourceId: `referral:${event.envelope.eventId}`,
        };
      } else {
        return;
      }
      const [row] = await em.execute<{ rules: Partial<XpRules> }[]>('SELECT rules FROM gamification.xp_rules WHERE bot_id = ?', [award.botId]);
      const amount = (row?.rules ?? NO_XP_RULES)[award.rule] ?? 0;
      if (amount <= 0) return;
      const { botId, telegramUserId } = award;
      const settings = await em.findOne(BotSettings, { botId });
      const levels = settings?.levels ?? DEFAULT_LEVELS;
      const timeZone = settings?.timeZone ?? DEFAULT_TIME_ZONE;
      const now = new Date();
      const trace = {
        correlationId: event.envelope.correlationId || correlationIdOrNew(randomUUID),
        causationId: event.envelope.eventId,
        actor: { kind: 'service' as const, id: 'gamification--payments' },
      };
      await handler.handle(
        memberStreamId({ kind: 'bot', botId }, telegramUserId),
        {
          type: 'AwardXp',
          botId,
          telegramUserId,
          amount,
          reason: award.reason,
          sourceId: award.sourceId,
          levels,
          weekStart: periodStartOf('week', now, timeZone),
          monthStart: periodStartOf('month', now, timeZone),
          now: now.toISOString(),
        },
        { botId, ...trace, occurredAt: now },
      );
      await groupLevels.afterAward((sql, params) => em.execute(sql, params), { botId, telegramUserId }, levels, now, trace);
    },
  };
}
