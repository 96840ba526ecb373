import type { GetLeaderboardReplyJson, LeaderboardEntryJson } from '@botplatform/contracts';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { scopeKey, type MemberScope } from '../member/member.decider.js';

interface Row {
  telegram_user_id: string;
  xp: string;
  level: number;
}

/** A board entry: the row and its rank. */
export interface BoardEntry {
  readonly rank: number;
  readonly telegramUserId: string;
  readonly xp: number;
  readonly level: number;
}

export interface Board {
  readonly top: readonly BoardEntry[];
  /** The member's place with the neighbours around it, null when they have no XP yet. */
  readonly me: { readonly rank: number; readonly xp: number; readonly around: readonly BoardEntry[] } | null;
  readonly members: number;
}

// Board order: more XP first, then the lower Telegram id (a stable order for ties, which share a rank).
// Every query below walks memberships_board_idx (scope, xp DESC, telegram_user_id); members without XP
// are not on the board. The columns are qualified: `xp` alone in ORDER BY would name the text output column.
const TOP = `SELECT m.telegram_user_id::text, m.xp::text, m.level FROM gamification.memberships m
  WHERE m.scope = ? AND m.xp > 0 ORDER BY m.xp DESC, m.telegram_user_id LIMIT ?`;
const BETTER = 'SELECT count(*)::int AS better FROM gamification.memberships WHERE scope = ? AND xp > ?';
const ONE = 'SELECT m.telegram_user_id::text, m.xp::text, m.level FROM gamification.memberships m WHERE m.scope = ? AND m.telegram_user_id = ? AND m.xp > 0';
const ABOVE = `SELECT m.telegram_user_id::text, m.xp::text, m.level FROM gamification.memberships m
  WHERE m.scope = ? AND (m.xp > ? OR (m.xp = ? AND m.telegram_user_id < ?)) ORDER BY m.xp, m.telegram_user_id DESC LIMIT ?`;
const BELOW = `SELECT m.telegram_user_id::text, m.xp::text, m.level FROM gamification.memberships m
  WHERE m.scope = ? AND m.xp > 0 AND (m.xp < ? OR (m.xp = ? AND m.telegram_user_id > ?)) ORDER BY m.xp DESC, m.telegram_user_id LIMIT ?`;
const COUNT = 'SELECT count(*)::int AS members FROM gamification.memberships WHERE scope = ? AND xp > 0';

/**
 * A bot's XP leaderboard from the memberships projection: the top N, and a member's rank (1 + the
 * members with more XP, so ties share a rank) with their neighbours. A rank is a count over the index:
 * fine for the boards of this round, not the million-member board (issue 12, a later round).
 */
@Injectable()
export class LeaderboardQuery {
  constructor(private readonly orm: MikroORM) {}

  /** The rank of a member with `xp` XP (at least 1) on the board of `scope`. */
  async rank(scope: MemberScope, xp: number): Promise<number> {
    const [{ better }] = await this.orm.em.fork().execute<{ better: number }[]>(BETTER, [scopeKey(scope), xp]);
    return better + 1;
  }

  /** How many members of `scope` are on its board (have XP). */
  async members(scope: MemberScope): Promise<number> {
    const [{ members }] = await this.orm.em.fork().execute<{ members: number }[]>(COUNT, [scopeKey(scope)]);
    return members;
  }

  async board(scope: MemberScope, options: { limit: number; telegramUserId?: string; neighbours?: number }): Promise<Board> {
    const em = this.orm.em.fork();
    const key = scopeKey(scope);
    const rankOf = async (xp: number) => (await em.execute<{ better: number }[]>(BETTER, [key, xp]))[0].better + 1;
    const ranked = async (rows: readonly Row[]): Promise<BoardEntry[]> => {
      const ranks = new Map<number, number>();
      for (const row of rows) if (!ranks.has(Number(row.xp))) ranks.set(Number(row.xp), await rankOf(Number(row.xp)));
      return rows.map((row) => ({ rank: ranks.get(Number(row.xp))!, telegramUserId: row.telegram_user_id, xp: Number(row.xp), level: row.level }));
    };

    const topRows = await em.execute<Row[]>(TOP, [key, options.limit]);
    // From the top, a rank is the position of the first entry with the same XP.
    const top = topRows.map((row, i) => ({ telegramUserId: row.telegram_user_id, xp: Number(row.xp), level: row.level, position: i + 1 }));
    const topEntries: BoardEntry[] = [];
    for (const entry of top) {
      const previous = topEntries.at(-1);
      const rank = previous && previous.xp === entry.xp ? previous.rank : entry.position;
      topEntries.push({ rank, telegramUserId: entry.telegramUserId, xp: entry.xp, level: entry.level });
    }
    const [{ members }] = await em.execute<{ members: number }[]>(COUNT, [key]);

    let me: Board['me'] = null;
    if (options.telegramUserId !== undefined) {
      const [mine] = await em.execute<Row[]>(ONE, [key, options.telegramUserId]);
      if (mine) {
        const xp = Number(mine.xp);
        const n = options.neighbours ?? 0;
        const above = n ? (await em.execute<Row[]>(ABOVE, [key, xp, xp, mine.telegram_user_id, n])).reverse() : [];
        const below = n ? await em.execute<Row[]>(BELOW, [key, xp, xp, mine.telegram_user_id, n]) : [];
        const around = await ranked([...above, mine, ...below]);
        me = { rank: around[above.length].rank, xp, around };
      }
    }
    return { top: topEntries, me, members };
  }
}

export const entryJson = (entry: BoardEntry): LeaderboardEntryJson => ({
  rank: String(entry.rank),
  telegramUserId: entry.telegramUserId,
  totalXp: String(entry.xp),
  level: entry.level,
});

export const boardJson = (board: Board): GetLeaderboardReplyJson => ({
  top: board.top.map(entryJson),
  ...(board.me ? { me: { rank: String(board.me.rank), totalXp: String(board.me.xp), around: board.me.around.map(entryJson) } } : {}),
  members: String(board.members),
});
