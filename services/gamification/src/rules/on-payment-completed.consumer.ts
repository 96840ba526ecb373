import { correlationIdOrNew, type ConsumerDefinition } from '@botplatform/bus';
import { PaymentCompletedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
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
 * The bot's `paymentCompletedXp` for each `payments.payment.completed`, awarded on the member's locked
 * stream with the event's id as the source id (`payment:<event id>`): the award commits in its own
 * transaction, before the inbox row, so a redelivery after a crash between them finds the source id spent
 * and awards nothing. The award counts in the bot's current week and month, and in a bot group the
 * member's group level is checked after it, as the award RPC does. This replica's in-memory board sees the
 * award on its next read of the store (ADR 0015), as another replica's awards.
 */
export function onPaymentCompleted({ store }: { store: PostgresEventStore }): ConsumerDefinition {
  const handler = new CommandHandler<MemberState, MemberCommand, MemberEvent>(store, memberDecider, { lockStream: true, projections: [membershipsProjection] });
  const groupLevels = new GroupLevels(store);
  return {
    name: 'gamification--payments',
    source: 'payments',
    subjects: [subjectOf(PaymentCompletedSchema)],
    handle: async (event, { em }) => {
      if (!isEventOf(event, PaymentCompletedSchema)) return;
      const { message } = event;
      const [row] = await em.execute<{ rules: XpRules }[]>('SELECT rules FROM gamification.xp_rules WHERE bot_id = ?', [message.botId]);
      const amount = (row?.rules ?? NO_XP_RULES).paymentCompletedXp ?? 0;
      if (amount <= 0) return;
      const telegramUserId = int64ToNumber(message.telegramUserId);
      const settings = await em.findOne(BotSettings, { botId: message.botId });
      const levels = settings?.levels ?? DEFAULT_LEVELS;
      const timeZone = settings?.timeZone ?? DEFAULT_TIME_ZONE;
      const now = new Date();
      const trace = {
        correlationId: event.envelope.correlationId || correlationIdOrNew(randomUUID),
        causationId: event.envelope.eventId,
        actor: { kind: 'service' as const, id: 'gamification--payments' },
      };
      await handler.handle(
        memberStreamId({ kind: 'bot', botId: message.botId }, telegramUserId),
        {
          type: 'AwardXp',
          botId: message.botId,
          telegramUserId,
          amount,
          reason: 'payment',
          sourceId: `payment:${event.envelope.eventId}`,
          levels,
          weekStart: periodStartOf('week', now, timeZone),
          monthStart: periodStartOf('month', now, timeZone),
          now: now.toISOString(),
        },
        { botId: message.botId, ...trace, occurredAt: now },
      );
      await groupLevels.afterAward((sql, params) => em.execute(sql, params), { botId: message.botId, telegramUserId }, levels, now, trace);
    },
  };
}
