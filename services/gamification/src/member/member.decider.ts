import type { Decider, DomainEvent } from '@botplatform/event-store';
import { levelFor, type LevelThreshold } from '../settings/levels.js';
import { addDays } from '../shared/local-day.js';

/**
 * Whose XP, level, badges and streak a stream holds. Only a bot's own membership exists now: bot groups
 * (XP shared by the grouped bots of one owner) are not in the users service yet. A group scope becomes a
 * second variant here, with its own stream id and its own board in the memberships read model, whose
 * rows are keyed by the scope, not by the bot.
 */
export type MemberScope = { readonly kind: 'bot'; readonly botId: string };

/** The scope as the read model's `scope` column and the stream id spell it: `bot:<botId>`. */
export const scopeKey = (scope: MemberScope): string => `${scope.kind}:${scope.botId}`;

/** The stream of one member in one scope. */
export const memberStreamId = (scope: MemberScope, telegramUserId: number): string => `gamification-member-${scope.kind}-${scope.botId}-${telegramUserId}`;

interface MemberCommandBase {
  readonly botId: string;
  readonly telegramUserId: number;
  /** ISO time of the command: the decider reads no clock. */
  readonly now: string;
}

export interface AwardXp extends MemberCommandBase {
  readonly type: 'AwardXp';
  readonly amount: number;
  readonly reason: string;
  /** The caller's idempotency key: one award per member and source id. */
  readonly sourceId: string;
  /** The bot's level thresholds at the time of the award (read by the use case). */
  readonly levels: readonly LevelThreshold[];
}

export interface AwardBadge extends MemberCommandBase {
  readonly type: 'AwardBadge';
  /** A key of the bot's catalogue (the use case checked it). */
  readonly badgeKey: string;
}

export interface RecordActivity extends MemberCommandBase {
  readonly type: 'RecordActivity';
  /** The local date of the activity (`YYYY-MM-DD`) in `timeZone`, computed by the use case. */
  readonly day: string;
  readonly timeZone: string;
}

export type MemberCommand = AwardXp | AwardBadge | RecordActivity;

interface MemberData {
  botId: string;
  telegramUserId: number;
}

export type XpAwarded = DomainEvent<'XpAwarded', MemberData & { amount: number; reason: string; sourceId: string; totalXp: number; awardedAt: string }>;
export type LevelReached = DomainEvent<'LevelReached', MemberData & { from: number; to: number; totalXp: number; reachedAt: string }>;
export type BadgeAwarded = DomainEvent<'BadgeAwarded', MemberData & { badgeKey: string; awardedAt: string }>;
export type StreakExtended = DomainEvent<
  'StreakExtended',
  MemberData & { day: string; timeZone: string; current: number; longest: number; restarted: boolean; at: string }
>;

export type MemberEvent = XpAwarded | LevelReached | BadgeAwarded | StreakExtended;

export const MEMBER_EVENT_TYPES = ['XpAwarded', 'LevelReached', 'BadgeAwarded', 'StreakExtended'] as const satisfies readonly MemberEvent['type'][];

export interface Streak {
  readonly current: number;
  readonly longest: number;
  readonly lastDay: string | null;
}

export interface MemberState {
  readonly xp: number;
  readonly level: number;
  /**
   * Every source id awarded so far. It grows with the awards and is folded from the stream on each
   * command; a member with very many awards wants a snapshot or a dedup table (not in this round).
   */
  readonly sources: ReadonlySet<string>;
  readonly badges: ReadonlyMap<string, string>;
  readonly streak: Streak;
}

export const NO_STREAK: Streak = { current: 0, longest: 0, lastDay: null };

/**
 * One member's game in a bot: XP awarded once per source id, the level it reaches under the bot's
 * thresholds (never down: a threshold raised later does not take a level away), badges once each, and
 * the streak of consecutive active local days. The stream is locked by its writers (ADR 0004), so two
 * awards crossing a threshold together see each other and one LevelReached is decided.
 */
export const memberDecider: Decider<MemberState, MemberCommand, MemberEvent> = {
  initialState: () => ({ xp: 0, level: 1, sources: new Set(), badges: new Map(), streak: NO_STREAK }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'XpAwarded':
        return { ...state, xp: event.data.totalXp, sources: new Set(state.sources).add(event.data.sourceId) };
      case 'LevelReached':
        return { ...state, level: event.data.to };
      case 'BadgeAwarded':
        return { ...state, badges: new Map(state.badges).set(event.data.badgeKey, event.data.awardedAt) };
      case 'StreakExtended':
        return { ...state, streak: { current: event.data.current, longest: event.data.longest, lastDay: event.data.day } };
    }
  },

  decide: (command, state) => {
    const member = { botId: command.botId, telegramUserId: command.telegramUserId };
    switch (command.type) {
      case 'AwardXp': {
        if (state.sources.has(command.sourceId)) return [];
        const totalXp = state.xp + command.amount;
        const awarded: XpAwarded = {
          type: 'XpAwarded',
          data: { ...member, amount: command.amount, reason: command.reason, sourceId: command.sourceId, totalXp, awardedAt: command.now },
        };
        const level = levelFor(command.levels, totalXp);
        if (level <= state.level) return [awarded];
        return [awarded, { type: 'LevelReached', data: { ...member, from: state.level, to: level, totalXp, reachedAt: command.now } }];
      }
      case 'AwardBadge': {
        if (state.badges.has(command.badgeKey)) return [];
        return [{ type: 'BadgeAwarded', data: { ...member, badgeKey: command.badgeKey, awardedAt: command.now } }];
      }
      case 'RecordActivity': {
        const { lastDay, current, longest } = state.streak;
        // The same day again, or a late report of an earlier day: the streak already counts it.
        if (lastDay !== null && command.day <= lastDay) return [];
        const continues = lastDay !== null && addDays(lastDay, 1) === command.day;
        const next = continues ? current + 1 : 1;
        return [
          {
            type: 'StreakExtended',
            data: {
              ...member,
              day: command.day,
              timeZone: command.timeZone,
              current: next,
              longest: Math.max(longest, next),
              restarted: lastDay !== null && !continues,
              at: command.now,
            },
          },
        ];
      }
    }
  },
};

/** The streak as it stands on `today` (a local date): a member whose last active day is before yesterday has none running. */
export function streakOn(streak: Streak, today: string): Streak {
  if (streak.lastDay === null || streak.lastDay >= addDays(today, -1)) return streak;
  return { ...streak, current: 0 };
}
