import type { Decider, DomainEvent } from '@botplatform/event-store';
import { levelFor, type LevelThreshold } from '../settings/levels.js';

/** The stream of one member's level in one bot group. */
export const groupLevelStreamId = (groupId: string, telegramUserId: number): string => `gamification-group-level-${groupId}-${telegramUserId}`;

/**
 * Run after an award in a bot of a group, with the member's XP summed over the group's bots as committed
 * then (ADR 0018: the group's XP stays derived; its level is recorded here so a level-up fires).
 */
export interface CheckGroupLevel {
  readonly type: 'CheckGroupLevel';
  readonly groupId: string;
  /** The bot whose award is being checked: the level-up names it (every public event names its bot). */
  readonly botId: string;
  readonly telegramUserId: number;
  readonly groupXp: number;
  /** The thresholds of `botId`. */
  readonly levels: readonly LevelThreshold[];
  readonly now: string;
}

export type GroupLevelReached = DomainEvent<
  'GroupLevelReached',
  { groupId: string; botId: string; telegramUserId: number; from: number; to: number; groupXp: number; reachedAt: string }
>;

export interface GroupLevelState {
  readonly level: number;
}

/**
 * A member's level in a bot group: raised, never lowered, when the group's summed XP reaches a threshold.
 * The stream is locked by its writer (ADR 0004), and every award checks after its own commit with the sum
 * it then reads, so two awards in two bots that cross a threshold together raise it once: whichever checks
 * second sees both awards and the level the first one recorded.
 */
export const groupLevelDecider: Decider<GroupLevelState, CheckGroupLevel, GroupLevelReached> = {
  initialState: () => ({ level: 1 }),
  evolve: (state, event) => ({ ...state, level: Math.max(state.level, event.data.to) }),
  decide: (command, state) => {
    const level = levelFor(command.levels, command.groupXp);
    if (level <= state.level) return [];
    return [
      {
        type: 'GroupLevelReached',
        data: {
          groupId: command.groupId,
          botId: command.botId,
          telegramUserId: command.telegramUserId,
          from: state.level,
          to: level,
          groupXp: command.groupXp,
          reachedAt: command.now,
        },
      },
    ];
  },
};
