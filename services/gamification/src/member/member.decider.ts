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
  /**
   * The first local dates of the bot's week and month holding `now`, in the bot's time zone (the use case
   * computes them: shared/local-day.ts periodStartOf). Without them the award counts in no period board.
   */
  readonly weekStart?: string;
  readonly monthStart?: string;
}

export interface AwardBadge extends MemberCommandBase {
  readonly type: 'AwardBadge';
  /** A key of the bot's catalogue (the use case checked it). */
  readonly badgeKey: string;
  /** The score that earned it, kept with the badge. */
  readonly score?: number | null;
  /** The streak to keep with the badge; the member's current one on `today` when absent. */
  readonly streak?: number | null;
  /** The bot's local date of `now` (whether the member's streak still runs). */
  readonly today?: string;
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

/** The XP a member earned in one period of the bot's calendar (a week from its Monday, a month from its 1st). */
export interface PeriodXp {
  /** The period's first local date, `YYYY-MM-DD`. */
  readonly start: string;
  readonly xp: number;
}

/** `week` and `month`: the period totals after the award (absent on awards recorded before period boards existed). */
export type XpAwarded = DomainEvent<
  'XpAwarded',
  MemberData & { amount: number; reason: string; sourceId: string; totalXp: number; awardedAt: string; week?: PeriodXp; month?: PeriodXp }
>;
export type LevelReached = DomainEvent<'LevelReached', MemberData & { from: number; to: number; totalXp: number; reachedAt: string }>;
/** `score` and `streak`: the badge's metadata (absent on badges awarded before it was kept). */
export type BadgeAwarded = DomainEvent<'BadgeAwarded', MemberData & { badgeKey: string; awardedAt: string; score?: number | null; streak?: number | null }>;
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
  readonly badges: ReadonlyMap<string, EarnedBadge>;
  readonly streak: Streak;
  /** The XP of the latest week and month an award counted in. */
  readonly week: PeriodXp | null;
  readonly month: PeriodXp | null;
}

/** A badge as first awarded, with its metadata. */
export interface EarnedBadge {
  readonly awardedAt: string;
  readonly score: number | null;
  readonly streak: number | null;
}

/**
 * The period total after adding `amount` in the period starting `start`: a new period starts from 0. An
 * award whose clock lags behind a later one already counted (another replica) counts in the later period,
 * so a period total never goes back to an older period.
 */
function addToPeriod(current: PeriodXp | null, start: string, amount: number): PeriodXp {
  if (!current || start > current.start) return { start, xp: amount };
  return { start: current.start, xp: current.xp + amount };
}

export const NO_STREAK: Streak = { current: 0, longest: 0, lastDay: null };

/**
 * One member's game in a bot: XP awarded once per source id, the level it reaches under the bot's
 * thresholds (never down: a threshold raised later does not take a level away), badges once each, and
 * the streak of consecutive active local days. The stream is locked by its writers (ADR 0004), so two
 * awards crossing a threshold together see each other and one LevelReached is decided.
 */
export const memberDecider: Decider<MemberState, MemberCommand, MemberEvent> = {
  initialState: () => ({ xp: 0, level: 1, sources: new Set(), badges: new Map(), streak: NO_STREAK, week: null, month: null }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'XpAwarded':
        return {
          ...state,
          xp: event.data.totalXp,
          sources: new Set(state.sources).add(event.data.sourceId),
          week: event.data.week ?? state.week,
          month: event.data.month ?? state.month,
        };
      case 'LevelReached':
        return { ...state, level: event.data.to };
      case 'BadgeAwarded':
        return {
          ...state,
          badges: new Map(state.badges).set(event.data.badgeKey, {
            awardedAt: event.data.awardedAt,
            score: event.data.score ?? null,
            streak: event.data.streak ?? null,
          }),
        };
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
          data: {
            ...member,
            amount: command.amount,
            reason: command.reason,
            sourceId: command.sourceId,
            totalXp,
            awardedAt: command.now,
            ...(command.weekStart ? { week: addToPeriod(state.week, command.weekStart, command.amount) } : {}),
            ...(command.monthStart ? { month: addToPeriod(state.month, command.monthStart, command.amount) } : {}),
          },
        };
        const level = levelFor(command.levels, totalXp);
        if (level <= state.level) return [awarded];
        return [awarded, { type: 'LevelReached', data: { ...member, from: state.level, to: level, totalXp, reachedAt: command.now } }];
      }
      case 'AwardBadge': {
        if (state.badges.has(command.badgeKey)) return [];
        const streak = command.streak ?? (command.today ? streakOn(state.streak, command.today).current : undefined);
        return [
          {
            type: 'BadgeAwarded',
            data: {
              ...member,
              badgeKey: command.badgeKey,
              awardedAt: command.now,
              ...(command.score !== undefined ? { score: command.score } : {}),
              ...(streak !== undefined ? { streak } : {}),
            },
          },
        ];
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
