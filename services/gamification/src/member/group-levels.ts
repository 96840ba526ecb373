import type { LevelChangeJson } from '@botplatform/contracts';
import { CommandHandler, type PostgresEventStore, type RecordedEvent } from '@botplatform/event-store';
import type { LevelThreshold } from '../settings/levels.js';
import { groupLevelDecider, groupLevelStreamId, type CheckGroupLevel, type GroupLevelReached, type GroupLevelState } from './group-level.decider.js';
import { membershipsProjection } from './memberships.projection.js';

/** Runs a query with positional `?` parameters on whichever connection the caller holds. */
export type RunSql = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** The bot's group and the member's XP summed over the group's bots, as committed now; no row outside a group. */
const GROUP_XP = `
  SELECT mine.group_id, coalesce((
    SELECT sum(m.xp) FROM gamification.bot_groups other
      JOIN gamification.memberships m ON m.scope = 'bot:' || other.bot_id AND m.telegram_user_id = ?
     WHERE other.group_id = mine.group_id), 0)::text AS xp
  FROM gamification.bot_groups mine WHERE mine.bot_id = ? AND mine.group_id IS NOT NULL`;

export interface GroupLevelAfterAward {
  readonly groupLevel: number;
  readonly groupLevelReached?: LevelChangeJson;
}

/**
 * A member's stored level in a bot group (group-level.decider.ts), checked after each award in a grouped
 * bot: by the award RPC's use case and by the consumers that award XP themselves (rules/).
 */
export class GroupLevels {
  private readonly handler: CommandHandler<GroupLevelState, CheckGroupLevel, GroupLevelReached>;

  constructor(store: PostgresEventStore) {
    this.handler = new CommandHandler(store, groupLevelDecider, { lockStream: true, projections: [membershipsProjection] });
  }

  /**
   * Call once the award committed (also for a repeated award, which completes a check a failure cut
   * short): the sum read now includes every award committed before, so of two awards crossing a
   * threshold together the later check sees both, and the locked stream lets one level-up through.
   * Null when the bot is in no group.
   */
  async afterAward(
    run: RunSql,
    member: { botId: string; telegramUserId: number },
    levels: readonly LevelThreshold[],
    now: Date,
    trace: { correlationId: string; causationId: string | null; actor: { kind: 'service'; id: string } },
    /** Called with the events once committed (this replica's boards keep the group levels from them). */
    committed?: (events: readonly RecordedEvent[]) => void,
  ): Promise<GroupLevelAfterAward | null> {
    const [group] = await run<{ group_id: string; xp: string }>(GROUP_XP, [String(member.telegramUserId), member.botId]);
    if (!group) return null;
    const command: CheckGroupLevel = { type: 'CheckGroupLevel', groupId: group.group_id, ...member, groupXp: Number(group.xp), levels, now: now.toISOString() };
    const { state, newEvents } = await this.handler.handle(groupLevelStreamId(group.group_id, member.telegramUserId), command, {
      botId: member.botId,
      ...trace,
      occurredAt: now,
    });
    committed?.(newEvents);
    const [reached] = newEvents;
    return { groupLevel: state.level, ...(reached ? { groupLevelReached: { fromLevel: reached.data.from, toLevel: reached.data.to } } : {}) };
  }
}
