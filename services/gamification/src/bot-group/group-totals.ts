import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { LeaderboardIndex } from '../leaderboard/leaderboard-index.js';
import type { Board, BoardEntry } from '../leaderboard/leaderboard.query.js';
import type { RankedMember } from '../leaderboard/rank-index.js';
import { scopeKey } from '../member/member.decider.js';
import type { BoardPeriodKind } from '../shared/local-day.js';
import type { GroupedBot } from './bot-group-directory.js';

/** The group board's rows: the members by summed XP, with a rank (ties share it) and a place in board order. */
const GROUP_BOARD = (source: string) => `
  WITH totals AS (
    SELECT telegram_user_id AS id, sum(xp) AS xp FROM ${source} GROUP BY telegram_user_id HAVING sum(xp) > 0
  ), ranked AS (
    SELECT id, xp, rank() OVER (ORDER BY xp DESC) AS rank, row_number() OVER (ORDER BY xp DESC, id) AS pos FROM totals
  ), mine AS (SELECT pos FROM ranked WHERE id = ?)
  SELECT r.id::text AS id, r.xp::text AS xp, r.rank::text AS rank, r.pos::text AS pos, coalesce(g.level, 1) AS level,
         (SELECT count(*) FROM ranked)::text AS members
    FROM ranked r LEFT JOIN gamification.group_levels g ON g.group_id = ? AND g.telegram_user_id = r.id
   WHERE r.pos <= ? OR r.pos BETWEEN (SELECT pos FROM mine) - ? AND (SELECT pos FROM mine) + ?
   ORDER BY r.pos`;
const ALL_TIME = 'gamification.memberships WHERE scope IN (?)';
const PERIOD = 'gamification.period_xp WHERE bot_id IN (?) AND kind = ? AND starts_on = ?';

export interface GroupBoardEntry {
  readonly rank: number;
  readonly telegramUserId: string;
  readonly xp: number;
}

/**
 * A member's XP in a bot group is the sum of their own XP in the group's bots (ADR 0018): derived from the
 * per-bot truth, so a bot joining brings its members' XP and a bot leaving takes it away, and nothing is
 * re-keyed or copied. The group boards are answered from the in-memory sums of the bots' boards
 * (LeaderboardIndex, ADR 0015); in SQL only when this process cannot answer exactly (`groupBoard` below).
 */
@Injectable()
export class GroupTotals {
  constructor(
    private readonly orm: MikroORM,
    private readonly index: LeaderboardIndex,
  ) {}

  async xpOf(bots: readonly GroupedBot[], telegramUserId: string): Promise<number> {
    const [row] = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ xp: string | null }[]>('SELECT sum(xp) AS xp FROM gamification.memberships WHERE scope IN (?) AND telegram_user_id = ?', [
        scopesOf(bots),
        telegramUserId,
      ]);
    return Number(row?.xp ?? 0);
  }

  /** The group's top `limit` by summed XP (ties share a rank), and how many members have XP in it. */
  async board(group: { groupId: string; bots: readonly GroupedBot[] }, limit: number): Promise<{ top: GroupBoardEntry[]; members: number }> {
    const board = await this.leaderboard(group, { limit });
    return { top: board.top.map(({ rank, telegramUserId, xp }) => ({ rank, telegramUserId, xp })), members: board.members };
  }

  /**
   * The group's board of all time or of the group's latest week or month, with a member's rank and
   * neighbours: from memory, the stored group levels (`group_levels`) included; in SQL (`groupBoard`) for an
   * older period or a group change not followed yet.
   */
  async leaderboard(group: { groupId: string; bots: readonly GroupedBot[] }, options: Parameters<typeof groupBoard>[2]): Promise<Board> {
    const lookup = await this.index.groupBoard(
      group.groupId,
      group.bots.map((bot) => bot.botId),
      options.period,
    );
    if (lookup.kind === 'sql') return groupBoard(this.orm, group, options);
    const { board } = lookup;
    const top = board.top(options.limit);
    const mine = options.telegramUserId === undefined ? undefined : board.around(Number(options.telegramUserId), options.neighbours ?? 0);
    // The stored group level from memory (LeaderboardIndex keeps it from the group-level events), not a read per answer.
    const entry = (member: RankedMember): BoardEntry => ({
      rank: member.rank,
      telegramUserId: String(member.telegramUserId),
      xp: member.xp,
      level: this.index.groupLevelOf(group.groupId, member.telegramUserId),
    });
    return {
      top: top.map(entry),
      me: mine ? { rank: mine.me.rank, xp: mine.me.xp, around: mine.around.map(entry) } : null,
      members: board.size,
      ...(options.period ? { period: options.period } : {}),
    };
  }
}

/**
 * The group's board by XP (summed over its bots, ADR 0018) as get-leaderboard answers it: all time from the
 * memberships, or one week or month from `period_xp`, the rows of each bot whose period starts on `start`
 * (the asking bot's calendar: a bot of the group in a zone whose week began on another local date is not
 * summed into it). A `GROUP BY` when asked: the fallback of `GroupTotals.leaderboard`, and the naive form the
 * in-memory boards are checked against.
 */
export async function groupBoard(
  orm: MikroORM,
  group: { groupId: string; bots: readonly GroupedBot[] },
  options: { limit: number; telegramUserId?: string; neighbours?: number; period?: { kind: BoardPeriodKind; start: string } },
): Promise<Board> {
  const { period } = options;
  const sql = GROUP_BOARD(period ? PERIOD : ALL_TIME);
  const source = period ? [group.bots.map((bot) => bot.botId), period.kind, period.start] : [scopesOf(group.bots)];
  const n = options.neighbours ?? 0;
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<{ id: string; xp: string; rank: string; pos: string; level: number; members: string }[]>(sql, [
      ...source,
      options.telegramUserId ?? null,
      group.groupId,
      options.limit,
      n,
      n,
    ]);
  const entry = (row: (typeof rows)[number]) => ({ rank: Number(row.rank), telegramUserId: row.id, xp: Number(row.xp), level: row.level });
  const mine = rows.find((row) => row.id === options.telegramUserId);
  const around = mine ? rows.filter((row) => Math.abs(Number(row.pos) - Number(mine.pos)) <= n).map(entry) : [];
  return {
    top: rows.filter((row) => Number(row.pos) <= options.limit).map(entry),
    me: mine ? { rank: Number(mine.rank), xp: Number(mine.xp), around } : null,
    members: Number(rows[0]?.members ?? 0),
    ...(period ? { period } : {}),
  };
}

const scopesOf = (bots: readonly GroupedBot[]): string[] => bots.map((bot) => scopeKey({ kind: 'bot', botId: bot.botId }));
