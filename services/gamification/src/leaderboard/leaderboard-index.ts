import { PostgresEventStore, START, type Checkpoint, type RecordedEvent } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { scopeKey, type LevelReached, type MemberScope, type XpAwarded } from '../member/member.decider.js';
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
      await tx.execute(`DECLARE leaderboard_rebuild NO SCROLL CURSOR FOR ${BOARD_ORDER}`);
      let board: RankIndex | undefined;
      let scope: string | undefined;
      for (;;) {
        const rows = await tx.execute<{ scope: string; id: number; xp: number; level: number }[]>(`FETCH ${REBUILD_BATCH} FROM leaderboard_rebuild`);
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
    });
    this.boards = boards;
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
    // XpAwarded leaves the level as it was; the LevelReached after it (next stream position) sets it.
    const level = event.type === 'LevelReached' ? event.data.to : (board.levelOf(id) ?? 1);
    board.set(id, event.data.totalXp, level, event.metadata.streamPosition);
  }
}

const EMPTY = new RankIndex();
