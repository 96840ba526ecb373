import { PostgresEventStore, START, type Checkpoint, type RecordedEvent } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { scopeKey, type LevelReached, type MemberScope, type XpAwarded } from '../member/member.decider.js';
import type { BoardPeriodKind } from '../shared/local-day.js';
import { RankIndex } from './rank-index.js';

/** How often a replica reads the events other replicas committed (its own it applies at once). */
export const LEADERBOARD_POLL_MS = 250;
const REBUILD_BATCH = 10_000;
const CATCH_UP_BATCH = 1_000;

// Events of transactions older than every open one, as readAll reads them: the position a rebuild's
// read of the projection is sure to include, and where following the store resumes (ADR 0015).
const HEAD = `SELECT transaction_id::text, global_position::text FROM gamification.event_store_events
  WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;
// float8: ids and XP fit a double exactly (RankIndex refuses what does not), and pg parses it to a number.
const BOARD_ORDER = `SELECT scope, telegram_user_id::float8 AS id, xp::float8 AS xp, level FROM gamification.memberships
  WHERE xp > 0 ORDER BY scope, xp DESC, telegram_user_id`;

// The latest week and month of each bot that has period XP (the boards of earlier periods are closed: ADR 0015).
const PERIOD_BOARD_ORDER = `SELECT 'bot:' || p.bot_id || '/' || p.kind || ':' || p.starts_on AS scope, p.telegram_user_id::float8 AS id,
    p.xp::float8 AS xp, coalesce(m.level, 1) AS level
  FROM gamification.period_xp p
  JOIN (SELECT bot_id, kind, max(starts_on) AS starts_on FROM gamification.period_xp GROUP BY bot_id, kind) latest USING (bot_id, kind, starts_on)
  LEFT JOIN gamification.memberships m ON m.scope = 'bot:' || p.bot_id AND m.telegram_user_id = p.telegram_user_id
  WHERE p.xp > 0 ORDER BY 1, p.xp DESC, p.telegram_user_id`;

/** The key of a period board: the scope's, then the period's kind and first local date. */
const periodKey = (scope: string, kind: BoardPeriodKind, start: string): string => `${scope}/${kind}:${start}`;
const PERIOD_KINDS = ['week', 'month'] as const;

// An index-only scan (~0.1 s at a million) that lets each board take its size at once.
const SIZES = 'SELECT scope, count(*)::float8 AS members FROM gamification.memberships WHERE xp > 0 GROUP BY scope';

const isBoardEvent = (event: RecordedEvent): event is RecordedEvent<XpAwarded | LevelReached> => event.type === 'XpAwarded' || event.type === 'LevelReached';

/**
 * The boards of this process, one RankIndex per scope ([ADR 0015](../../../../docs/adr/0015-leaderboard-ranks.md)).
 * The memberships projection stays the source of truth: at start the boards are rebuilt from it, then
 * kept in step by the member events: this replica's own right after their commit (MemberCommands),
 * every replica's by following the event store in commit order every LEADERBOARD_POLL_MS.
 */
@Injectable()
export class LeaderboardIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LeaderboardIndex');
  private boards = new Map<string, RankIndex>();
  /** `<scope>/<kind>` → the first local date of the latest period of that kind with a board. */
  private latestPeriods = new Map<string, string>();
  private checkpoint: Checkpoint = START;
  private starting: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly store: PostgresEventStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => {
      this.catchUp().catch((error: unknown) => this.logger.warn(`following the event store failed, retried: ${String(error)}`));
    }, LEADERBOARD_POLL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Resolves once the boards are rebuilt; a failed rebuild is tried again by the next caller. */
  ready(): Promise<void> {
    this.starting ??= this.rebuild().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /** The board of `scope` (an empty one when nobody there has XP yet). Call after `ready()`. */
  board(scope: MemberScope): RankIndex {
    return this.boards.get(scopeKey(scope)) ?? EMPTY;
  }

  /**
   * The board of the period of `kind` starting `start` (a local date of the bot's calendar): the XP each
   * member earned in it. Empty when nobody earned XP in it yet, or when it is no longer the latest.
   */
  periodBoard(scope: MemberScope, kind: BoardPeriodKind, start: string): RankIndex {
    return this.boards.get(periodKey(scopeKey(scope), kind, start)) ?? EMPTY;
  }

  /** Applies member events this process has just committed, so its next read sees them. */
  applyCommitted(events: readonly RecordedEvent[]): void {
    for (const event of events) if (isBoardEvent(event)) this.apply(event);
  }

  /** Reads what was committed since the last read, in commit order; one read at a time. */
  catchUp(): Promise<void> {
    this.following ??= (async () => {
      try {
        for (;;) {
          const { events, checkpoint } = await this.store.readAll({ after: this.checkpoint, limit: CATCH_UP_BATCH });
          this.applyCommitted(events);
          this.checkpoint = checkpoint;
          if (events.length < CATCH_UP_BATCH) return;
        }
      } finally {
        this.following = undefined;
      }
    })();
    return this.following;
  }

  /**
   * Reads the head position first, then the projection in board order through a cursor (a batch at a
   * time, so a million rows never sit in memory as objects), then follows the store from the head:
   * whatever the projection read missed or already had is applied again, harmlessly, since each event
   * carries the totals after it.
   */
  private async rebuild(): Promise<void> {
    const startedAt = performance.now();
    const em = this.orm.em.fork();
    const [head] = await em.execute<{ transaction_id: string; global_position: string }[]>(HEAD);
    const boards = new Map<string, RankIndex>();
    await em.transactional(async (tx) => {
      // A hint only (read committed: rows may come and go before the cursor reads); growing still works.
      const sizes = new Map((await tx.execute<{ scope: string; members: number }[]>(SIZES)).map((row) => [row.scope, row.members]));
      for (const [cursor, query] of [
        ['leaderboard_rebuild', BOARD_ORDER],
        ['leaderboard_periods_rebuild', PERIOD_BOARD_ORDER],
      ]) {
        await tx.execute(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${query}`);
        let board: RankIndex | undefined;
        let scope: string | undefined;
        for (;;) {
          const rows = await tx.execute<{ scope: string; id: number; xp: number; level: number }[]>(`FETCH ${REBUILD_BATCH} FROM ${cursor}`);
          for (const row of rows) {
            if (row.scope !== scope) {
              scope = row.scope;
              board = new RankIndex();
              board.reserve(sizes.get(scope) ?? 0);
              boards.set(scope, board);
            }
            board!.appendSorted(row.id, row.xp, row.level);
          }
          if (rows.length < REBUILD_BATCH) break;
        }
      }
    });
    const latestPeriods = new Map<string, string>();
    for (const key of boards.keys()) {
      const period = /^(.*)\/(week|month):(.*)$/.exec(key);
      if (period) latestPeriods.set(`${period[1]}/${period[2]}`, period[3]);
    }
    this.boards = boards;
    this.latestPeriods = latestPeriods;
    this.checkpoint = head ? { transactionId: head.transaction_id, globalPosition: head.global_position } : START;
    await this.catchUp();
    const members = [...boards.values()].reduce((sum, b) => sum + b.size, 0);
    this.logger.log(`${boards.size} board(s), ${members} member(s) rebuilt in ${Math.round(performance.now() - startedAt)} ms`);
  }

  private apply(event: RecordedEvent<XpAwarded | LevelReached>): void {
    const key = scopeKey({ kind: 'bot', botId: event.data.botId });
    let board = this.boards.get(key);
    if (!board) {
      board = new RankIndex();
      this.boards.set(key, board);
    }
    const id = event.data.telegramUserId;
    const version = event.metadata.streamPosition;
    // XpAwarded leaves the level as it was; the LevelReached after it (next stream position) sets it.
    const level = event.type === 'LevelReached' ? event.data.to : (board.levelOf(id) ?? 1);
    board.set(id, event.data.totalXp, level, version);
    for (const kind of PERIOD_KINDS) {
      if (event.type === 'LevelReached') {
        // The member's level beside their period XP, on the latest period's board they are on.
        const start = this.latestPeriods.get(`${key}/${kind}`);
        const periodBoard = start === undefined ? undefined : this.boards.get(periodKey(key, kind, start));
        const xp = periodBoard?.xpOf(id);
        if (periodBoard && xp !== undefined) periodBoard.set(id, xp, level, version);
        continue;
      }
      const period = event.data[kind];
      if (period) this.periodBoardFor(key, kind, period.start)?.set(id, period.xp, level, version);
    }
  }

  /**
   * The board of a period to write, opening it when it is the bot's newest of its kind (and closing the
   * one before: only the current week and month are asked for); undefined for a period older than the
   * latest (an event read late), whose row the projection keeps all the same.
   */
  private periodBoardFor(scope: string, kind: BoardPeriodKind, start: string): RankIndex | undefined {
    const latestKey = `${scope}/${kind}`;
    const latest = this.latestPeriods.get(latestKey);
    if (latest !== undefined && start < latest) return undefined;
    if (latest !== undefined && start > latest) this.boards.delete(periodKey(scope, kind, latest));
    this.latestPeriods.set(latestKey, start);
    const key = periodKey(scope, kind, start);
    let board = this.boards.get(key);
    if (!board) {
      board = new RankIndex();
      this.boards.set(key, board);
    }
    return board;
  }
}

const EMPTY = new RankIndex();
