import { BadgeAwardedSchema, LevelReachedSchema, int64ToNumber, isEventOf, subjectOf } from '@botplatform/contracts';
import { ParkEventError, type ConsumerDefinition } from '@botplatform/bus';
import type { RuleDispatcher } from './rule-dispatcher.js';

/** The level_reached and badge_awarded rules. */
export function onGamificationEvent(rules: RuleDispatcher): ConsumerDefinition {
  return {
    name: 'notifications--gamification',
    source: 'gamification',
    subjects: [subjectOf(LevelReachedSchema), subjectOf(BadgeAwardedSchema)],
    handle: async (event, { em }) => {
      const trigger = { sourceEventId: event.envelope.eventId, correlationId: event.envelope.correlationId, now: new Date() };
      if (isEventOf(event, LevelReachedSchema)) {
        const { message } = event;
        await rules.dispatch(em, {
          ...trigger,
          rule: 'level_reached',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: { level: message.toLevel, previous_level: message.fromLevel, total_xp: int64ToNumber(message.totalXp) },
        });
      } else if (isEventOf(event, BadgeAwardedSchema)) {
        const { message } = event;
        await rules.dispatch(em, {
          ...trigger,
          rule: 'badge_awarded',
          botId: message.botId,
          telegramUserId: int64ToNumber(message.telegramUserId),
          variables: { badge: message.badgeKey },
        });
      } else {
        throw new ParkEventError(`unexpected ${event.subject}`);
      }
    },
  };
}
