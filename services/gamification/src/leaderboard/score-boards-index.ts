import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LEADERBOARD_POLL_MS } from './leaderboard-index.js';
import { RankIndex } from './rank-index.js';

/** What a board by an activity's score orders by: the member's best score of the type, or the sum of them. */
export type ScoreMetric = 'best' | 'total';
export const SCORE_METRICS = ['best', 'total'] as const;

/** A board of `activity_scores`: all time, or the week or month starting on a local date of the bot's calendar. */
export interface ScoreBoardKey {
  readonly botId: string;
  readonly activityType: string;
  readonly period?: { readonly kind: 'week' | 'month'; readonly start: string };
}

/**
 * A score as a RankIndex key: RankIndex holds whole numbers in [1, 2^53) and keeps 0 off the board, while
 * scores (and their sums) may be 0 or negative. Shifted by 2^52, every score in (−2^52, 2^52) keeps its
 * order; a board holding a value outside that range is answered in SQL instead (`unindexable`).
 */
const SHIFT = 2 ** 52;
export const keyOfScore = (score: number): number => score + SHIFT;
export const scoreOfKey = (key: number): number => key - SHIFT;
const indexable = (score: number): boolean => Number.isSafeInteger(score) && score > -SHIFT && score < SHIFT;

/** The two boards (by best and by total) of one bot, activity type and period. */
export interface ScoreBoards {
  readonly best: RankIndex;
  readonly total: RankIndex;
}

/** How a board is answered: from memory, in SQL (a closed period, or a score out of range), or empty. */
export type ScoreBoardLookup = { readonly kind: 'memory'; readonly boards: ScoreBoards } | { readonly kind: 'sql' } | { readonly kind: 'empty' };

interface ScoreRow {
  bot_id: string;
  activity_type: string;
  kind: 'all' | 'week' | 'month';
  starts_on: string;
  id: number;
  best: number;
  total: number;
  activities: number;
}

const REBUILD_BATCH = 10_000;
const COLUMNS = `bot_id::text, activity_type, kind, starts_on, telegram_user_id::float8 AS id, best::float8 AS best, total::float8 AS total,
  activities::float8 AS activities`;
// The boards kept in memory: every all-time board and the latest week and month of each bot and type.
const BOARDS = `SELECT bot_id::text, activity_type, kind, max(starts_on) AS starts_on FROM gamification.activity_scores
  GROUP BY bot_id, activity_type, kind`;
const SIZE = `SELECT count(*)::float8 AS n FROM gamification.activity_scores WHERE bot_id = ? AND activity_type = ? AND kind = ? AND starts_on = ?`;
// The oldest transaction still open: every row written by an older one is committed (or gone) and readable.
const XMIN = 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin';
// The rows written since the last read by transactions that have all ended, and the next cursor.
const CHANGED = `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
  SELECT horizon.xmin::text AS xmin, s.bot_id::text, s.activity_type, s.kind, s.starts_on, s.telegram_user_id::float8 AS id,
      s.best::float8 AS best, s.total::float8 AS total, s.activities::float8 AS activities
    FROM horizon LEFT JOIN gamification.activity_scores s ON s.tx >= ?::xid8 AND s.tx < horizon.xmin`;
const MEMBER_ROWS = `SELECT ${COLUMNS} FROM gamification.activity_scores
  WHERE bot_id = ? AND activity_type = ? AND telegram_user_id = ? AND (kind, starts_on) IN (('all', ''), ('week', ?), ('month', ?))`;

const boardKey = (botId: string, activityType: string, kind: string, start: string): string => JSON.stringify([botId, activityType, kind, start]);
const latestKey = (botId: string, activityType: string, kind: string): string => JSON.stringify([botId, activityType, kind]);

/**
 * The boards by an activity's score of this process, in the XP boards' RankIndex (ADR 0015): one pair
 * (best, total) per bot, activity type and period (all time, the latest week and month). The
 * `activity_scores` projection stays the source of truth: at start the boards are loaded from it, then kept
 * in step by its rows: this replica's own right after the activity's commit (`applyMember`), every
 * replica's by reading the rows whose writing transaction ended since the last read, every
 * LEADERBOARD_POLL_MS. A row carries the member's totals after it and its `activities` count, which only
 * grows, is the version that keeps an older read from moving a member back.
 */
@Injectable()
export class ScoreBoardsIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ScoreBoardsIndex');
  private boards = new Map<string, ScoreBoards>();
  /** `[bot, type, kind]` → the first local date of the latest period of that kind in memory. */
  private latest = new Map<string, string>();
  /** Boards holding a score outside what RankIndex keeps exactly: answered in SQL. */
  private unindexable = new Set<string>();
  private cursor = '0';
  private starting: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The poll under way, if any (its errors already logged). */
  private polling: Promise<void> | undefined;

  constructor(private readonly orm: MikroORM) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => {
      this.polling ??= this.catchUp()
        .catch((error: unknown) => this.logger.warn(`following activity_scores failed, retried: ${String(error)}`))
        .finally(() => {
          this.polling = undefined;
        });
    }, LEADERBOARD_POLL_MS);
    this.timer.unref();
  }

  /** Stops following, and waits for a poll under way: the service's ORM closes after this. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  /** Resolves once the boards are loaded; a failed load is tried again by the next caller. */
  ready(): Promise<void> {
    this.starting ??= this.rebuild().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /** How to answer the board of `key`. Call after `ready()`. */
  lookup(key: ScoreBoardKey): ScoreBoardLookup {
    const kind = key.period?.kind ?? 'all';
    const start = key.period?.start ?? '';
    const board = boardKey(key.botId, key.activityType, kind, start);
    if (this.unindexable.has(board)) return { kind: 'sql' };
    const boards = this.boards.get(board);
    if (boards) return { kind: 'memory', boards };
    const latest = kind === 'all' ? undefined : this.latest.get(latestKey(key.botId, key.activityType, kind));
    // A period before the latest in memory (asked by a clock behind another replica's) is closed: SQL has it.
    return latest !== undefined && start < latest ? { kind: 'sql' } : { kind: 'empty' };
  }

  /**
   * Applies a member's rows of one activity type right after this process committed their activity, so
   * its next read sees it (other replicas read it at their next poll).
   */
  async applyMember(botId: string, activityType: string, telegramUserId: string, periods: { week: string; month: string }): Promise<void> {
    await this.ready();
    const rows = await this.orm.em.fork().getConnection().execute<ScoreRow[]>(MEMBER_ROWS, [botId, activityType, telegramUserId, periods.week, periods.month]);
    for (const row of rows) this.apply(row);
  }

  /** Reads the rows written by the transactions that ended since the last read; one read at a time. */
  catchUp(): Promise<void> {
    this.following ??= (async () => {
      try {
        const rows = await this.orm.em.fork().getConnection().execute<(ScoreRow & { xmin: string })[]>(CHANGED, [this.cursor]);
        for (const row of rows) if (row.bot_id !== null) this.apply(row);
        if (rows[0]) this.cursor = rows[0].xmin;
      } finally {
        this.following = undefined;
      }
    })();
    return this.following;
  }

  /** The bytes of the boards' typed arrays. */
  get bytes(): number {
    let bytes = 0;
    for (const { best, total } of this.boards.values()) bytes += best.bytes + total.bytes;
    return bytes;
  }

  /**
   * Reads the horizon first, then each board in memory in its two orders through cursors (a batch at a
   * time), then the rows written since the horizon: what the load already had is applied again harmlessly.
   */
  private async rebuild(): Promise<void> {
    const startedAt = performance.now();
    const em = this.orm.em.fork();
    const [{ xmin }] = await em.execute<{ xmin: string }[]>(XMIN);
    const boards = new Map<string, ScoreBoards>();
    const latest = new Map<string, string>();
    const unindexable = new Set<string>();
    await em.transactional(async (tx) => {
      const keys = await tx.execute<{ bot_id: string; activity_type: string; kind: string; starts_on: string }[]>(BOARDS);
      for (const { bot_id: botId, activity_type: type, kind, starts_on: start } of keys) {
        if (kind !== 'all') latest.set(latestKey(botId, type, kind), start);
        const key = boardKey(botId, type, kind, start);
        const where = [botId, type, kind, start];
        const [{ n }] = await tx.execute<{ n: number }[]>(SIZE, where);
        const pair = { best: new RankIndex(), total: new RankIndex() };
        try {
          for (const metric of SCORE_METRICS) {
            const board = pair[metric];
            board.reserve(n);
            // The member and the score only: a row of two doubles parses several times faster than the whole row.
            await tx.execute(
              `DECLARE score_board NO SCROLL CURSOR FOR SELECT telegram_user_id::float8 AS id, ${metric}::float8 AS score
                FROM gamification.activity_scores WHERE bot_id = ? AND activity_type = ? AND kind = ? AND starts_on = ?
                ORDER BY ${metric} DESC, telegram_user_id`,
              where,
            );
            for (;;) {
              const rows = await tx.execute<{ id: number; score: number }[]>(`FETCH ${REBUILD_BATCH} FROM score_board`);
              for (const row of rows) {
                if (!indexable(row.score)) throw new RangeError(`score ${row.score} out of the index's range`);
                board.appendSorted(row.id, keyOfScore(row.score), 1);
              }
              if (rows.length < REBUILD_BATCH) break;
            }
            await tx.execute('CLOSE score_board');
          }
          boards.set(key, pair);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          await tx.execute('CLOSE score_board');
          unindexable.add(key);
        }
      }
    });
    this.boards = boards;
    this.latest = latest;
    this.unindexable = unindexable;
    this.cursor = xmin;
    await this.catchUp();
    const members = [...boards.values()].reduce((sum, pair) => sum + pair.best.size, 0);
    this.logger.log(`${boards.size} score board(s), ${members} row(s) loaded in ${Math.round(performance.now() - startedAt)} ms`);
  }

  private apply(row: ScoreRow): void {
    const key = boardKey(row.bot_id, row.activity_type, row.kind, row.starts_on);
    if (this.unindexable.has(key)) return;
    const pair = row.kind === 'all' ? this.allTimeBoards(key) : this.periodBoards(row, key);
    if (!pair) return;
    if (!indexable(row.best) || !indexable(row.total)) {
      // Exactness first: this board is answered in SQL from now on.
      this.boards.delete(key);
      this.unindexable.add(key);
      return;
    }
    // The version: a member's count of records on the board only grows, and best and total change with it.
    const version = Math.min(row.activities, 2 ** 31 - 1);
    pair.best.set(row.id, keyOfScore(row.best), 1, version);
    pair.total.set(row.id, keyOfScore(row.total), 1, version);
  }

  private allTimeBoards(key: string): ScoreBoards {
    let pair = this.boards.get(key);
    if (!pair) {
      pair = { best: new RankIndex(), total: new RankIndex() };
      this.boards.set(key, pair);
    }
    return pair;
  }

  /** The boards of a period when it is the latest of its kind (opening it closes the one before), else undefined. */
  private periodBoards(row: ScoreRow, key: string): ScoreBoards | undefined {
    const kindKey = latestKey(row.bot_id, row.activity_type, row.kind);
    const latest = this.latest.get(kindKey);
    if (latest !== undefined && row.starts_on < latest) return undefined;
    if (latest !== undefined && row.starts_on > latest) {
      const closed = boardKey(row.bot_id, row.activity_type, row.kind, latest);
      this.boards.delete(closed);
      this.unindexable.delete(closed);
    }
    this.latest.set(kindKey, row.starts_on);
    return this.allTimeBoards(key);
  }
}
