import type { PublicEventMapper } from '@botplatform/bus';
import { BadgeAwardedSchema, LevelReachedSchema, StreakExtendedSchema, XpAwardedSchema, timestampFromDate } from '@botplatform/contracts';
import type { RecordedEvent } from '@botplatform/event-store';
import type { GroupLevelReached } from './group-level.decider.js';
import type { MemberEvent } from './member.decider.js';

const at = (iso: string) => timestampFromDate(new Date(iso));
const member = (data: { botId: string; telegramUserId: number }) => ({ botId: data.botId, telegramUserId: BigInt(data.telegramUserId) });

/**
 * A member's events as other services see them (proto/botplatform/gamification/v1/gamification.proto).
 * Each field is picked by name; the bot settings' events stay internal.
 */
export const memberPublicEvents: PublicEventMapper = (stored) => {
  const event = stored as RecordedEvent<MemberEvent | GroupLevelReached>;
  switch (event.type) {
    case 'XpAwarded': {
      const { data } = event;
      return {
        schema: XpAwardedSchema,
        message: {
          ...member(data),
          amount: data.amount,
          reason: data.reason,
          sourceId: data.sourceId,
          totalXp: BigInt(data.totalXp),
          awardedAt: at(data.awardedAt),
        },
      };
    }
    case 'LevelReached': {
      const { data } = event;
      return {
        schema: LevelReachedSchema,
        message: { ...member(data), fromLevel: data.from, toLevel: data.to, totalXp: BigInt(data.totalXp), reachedAt: at(data.reachedAt) },
      };
    }
    case 'BadgeAwarded': {
      const { data } = event;
      return {
        schema: BadgeAwardedSchema,
        message: {
          ...member(data),
          badgeKey: data.badgeKey,
          awardedAt: at(data.awardedAt),
          ...(data.score != null ? { score: BigInt(data.score) } : {}),
          ...(data.streak != null ? { streak: data.streak } : {}),
        },
      };
    }
    case 'GroupLevelReached': {
      // The group's level as a level-up of the bot whose award crossed it, so notifications' level_reached
      // rule messages the member there, once.
      const { data } = event;
      return {
        schema: LevelReachedSchema,
        message: {
          ...member(data),
          fromLevel: data.from,
          toLevel: data.to,
          totalXp: BigInt(data.groupXp),
          reachedAt: at(data.reachedAt),
          groupId: data.groupId,
        },
      };
    }
    case 'StreakExtended': {
      const { data } = event;
      return {
        schema: StreakExtendedSchema,
        message: { ...member(data), day: data.day, timeZone: data.timeZone, current: data.current, longest: data.longest, restarted: data.restarted },
      };
    }
    default:
      return null;
  }
};
