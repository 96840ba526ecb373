import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { LeaderboardIndex } from './leaderboard-index.js';
import type { Board, BoardEntry } from './leaderboard.query.js';
import type { RankedMember } from './rank-index.js';
import { ScoreBoardsIndex, scoreOfKey, type ScoreBoardKey, type ScoreMetric } from './score-boards-index.js';

export type { ScoreBoardKey, ScoreMetric } from './score-boards-index.js';

interface Row {
  id: string;
  score: string;
  xp: string;
  level: number;
}

// Column names chosen here, never from input.
const COLUMN: Record<ScoreMetric, string> = { best: 's.best', total: 's.total' };
const BOARD = 's.bot_id = ? AND s.activity_type = ? AND s.kind = ? AND s.starts_on = ?';
const ENTRY = `SELECT s.telegram_user_id::text AS id, %COL%::text AS score, coalesce(m.xp, 0)::text AS xp, coalesce(m.level, 1) AS level
  FROM gamification.activity_scores s
  LEFT JOIN gamification.memberships m ON m.scope = 'bot:' || s.bot_id AND m.telegram_user_id = s.telegram_user_id`;

/**
 * Boards by an activity's score (ADR 0015, "Boards by an activity's score"): answered from this process's
 * in-memory boards (`ScoreBoardsIndex`, the XP boards' RankIndex kept from the `activity_scores`
 * projection), with the members' XP and level from the XP boards. Board order is the score, higher first,
 * then the lower Telegram id; a rank is 1 + the members with a higher score, so ties share a rank. A closed
 * period's board, or one holding a score beyond 2^52, is answered in SQL from the projection's indexes.
 */
@Injectable()
export class ActivityBoardsQuery {
  constructor(
    private readonly orm: MikroORM,
    private readonly index: ScoreBoardsIndex,
    private readonly xp: LeaderboardIndex,
  ) {}

  async board(key: ScoreBoardKey, metric: ScoreMetric, options: { limit: number; telegramUserId?: string; neighbours?: number }): Promise<Board> {
    await Promise.all([this.index.ready(), this.xp.ready()]);
    const found = this.index.lookup(key);
    if (found.kind === 'sql') return this.boardInSql(key, metric, options);
    const period = key.period ? { period: key.period } : {};
    if (found.kind === 'empty') return { top: [], me: null, members: 0, ...period };
    const board = found.boards[metric];
    const members = this.xp.board({ kind: 'bot', botId: key.botId });
    const entryOf = (member: RankedMember): BoardEntry => ({
      rank: member.rank,
      telegramUserId: String(member.telegramUserId),
      xp: members.xpOf(member.telegramUserId) ?? 0,
      level: members.levelOf(member.telegramUserId) ?? 1,
      score: scoreOfKey(member.xp),
    });
    const mine = options.telegramUserId === undefined ? undefined : board.around(Number(options.telegramUserId), options.neighbours ?? 0);
    const me = mine
      ? { rank: mine.me.rank, xp: members.xpOf(mine.me.telegramUserId) ?? 0, score: scoreOfKey(mine.me.xp), around: mine.around.map(entryOf) }
      : null;
    return { top: board.top(options.limit).map(entryOf), me, members: board.size, ...period };
  }

  /** The same board counted in SQL from the projection (a rank costs a count of the entries above). */
  private async boardInSql(key: ScoreBoardKey, metric: ScoreMetric, options: { limit: number; telegramUserId?: string; neighbours?: number }): Promise<Board> {
    const connection = this.orm.em.fork().getConnection();
    const col = COLUMN[metric];
    const select = ENTRY.replace('%COL%', col);
    const board = [key.botId, key.activityType, key.period?.kind ?? 'all', key.period?.start ?? ''];
    const rankOf = async (scores: readonly string[]): Promise<Map<string, number>> => {
      if (!scores.length) return new Map();
      const rows = await connection.execute<{ score: string; rank: string }[]>(
        `SELECT v::text AS score, (SELECT count(*) FROM gamification.activity_scores s WHERE ${BOARD} AND ${col} > v) + 1 AS rank
           FROM unnest(ARRAY[?]::bigint[]) AS v`,
        [...board, scores],
      );
      return new Map(rows.map((row) => [row.score, Number(row.rank)]));
    };
    const entries = async (rows: readonly Row[]): Promise<BoardEntry[]> => {
      const ranks = await rankOf([...new Set(rows.map((row) => row.score))]);
      return rows.map((row) => ({ rank: ranks.get(row.score)!, telegramUserId: row.id, xp: Number(row.xp), level: row.level, score: Number(row.score) }));
    };

    const topRows = await connection.execute<Row[]>(`${select} WHERE ${BOARD} ORDER BY ${col} DESC, s.telegram_user_id LIMIT ?`, [...board, options.limit]);
    const [count] = await connection.execute<{ n: string }[]>(`SELECT count(*) AS n FROM gamification.activity_scores s WHERE ${BOARD}`, board);
    let me: Board['me'] = null;
    if (options.telegramUserId !== undefined) {
      const [mine] = await connection.execute<Row[]>(`${select} WHERE ${BOARD} AND s.telegram_user_id = ?`, [...board, options.telegramUserId]);
      if (mine) {
        const n = options.neighbours ?? 0;
        const above = n
          ? await connection.execute<Row[]>(
              `${select} WHERE ${BOARD} AND (${col} > ? OR (${col} = ? AND s.telegram_user_id < ?)) ORDER BY ${col}, s.telegram_user_id DESC LIMIT ?`,
              [...board, mine.score, mine.score, mine.id, n],
            )
          : [];
        const below = n
          ? await connection.execute<Row[]>(
              `${select} WHERE ${BOARD} AND (${col} < ? OR (${col} = ? AND s.telegram_user_id > ?)) ORDER BY ${col} DESC, s.telegram_user_id LIMIT ?`,
              [...board, mine.score, mine.score, mine.id, n],
            )
          : [];
        const around = await entries([...above.reverse(), mine, ...below]);
        const self = around.find((entry) => entry.telegramUserId === mine.id)!;
        me = { rank: self.rank, xp: self.xp, score: self.score, around };
      }
    }
    return { top: await entries(topRows), me, members: Number(count?.n ?? 0), ...(key.period ? { period: key.period } : {}) };
  }

  /** The bot's most recently scored activity type (its /top's board by score), null before any. */
  async latestType(botId: string): Promise<string | null> {
    const [row] = await this.orm.em
      .fork()
      .getConnection()
      .execute<{ activity_type: string }[]>(
        "SELECT activity_type FROM gamification.activity_scores WHERE bot_id = ? AND kind = 'all' ORDER BY updated_at DESC, activity_type LIMIT 1",
        [botId],
      );
    return row?.activity_type ?? null;
  }
}
