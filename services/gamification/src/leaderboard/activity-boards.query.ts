import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { Board, BoardEntry } from './leaderboard.query.js';

/** What a board by an activity's score orders by: the member's best score of the type, or the sum of them. */
export type ScoreMetric = 'best' | 'total';

/** A board of `activity_scores`: all time, or the week or month starting on a local date of the bot's calendar. */
export interface ScoreBoardKey {
  readonly botId: string;
  readonly activityType: string;
  readonly period?: { readonly kind: 'week' | 'month'; readonly start: string };
}

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
 * Boards by an activity's score (ADR 0015, "Boards by an activity's score"): answered in SQL from the
 * `activity_scores` projection, which the activity's append keeps (once per activity id). Board order is
 * the score, higher first, then the lower Telegram id; a rank is 1 + the members with a higher score, so
 * ties share a rank. The top N is a range of the board's index; a member's rank counts the index entries
 * above them (not the in-memory index the XP boards have).
 */
@Injectable()
export class ActivityBoardsQuery {
  constructor(private readonly orm: MikroORM) {}

  async board(key: ScoreBoardKey, metric: ScoreMetric, options: { limit: number; telegramUserId?: string; neighbours?: number }): Promise<Board> {
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
