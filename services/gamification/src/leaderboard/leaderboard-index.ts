import { PostgresEventStore, START, type Checkpoint, type RecordedEvent } from '@botplatform/event-store';
import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { GroupLevelReached } from '../member/group-level.decider.js';
import { scopeKey, type LevelReached, type MemberScope, type XpAwarded } from '../member/member.decider.js';
import type { BoardPeriodKind } from '../shared/local-day.js';
import { sumInSteps, sumOver } from './group-sums.js';
import { RankIndex } from './rank-index.js';

/** How often a replica reads the events other replicas committed (its own it applies at once). */
export const LEADERBOARD_POLL_MS = 250;
const CATCH_UP_BATCH = 1_000;

// Events of transactions older than every open one, as readAll reads them: the position a rebuild's
// read of the projection is sure to include, and where following the store resumes (ADR 0015).
const HEAD = `SELECT transaction_id::text, global_position::text FROM gamification.event_store_events
  WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;
// One page of a board in board order as one bytea of fixed-width entries (float8 id, float8 XP, int4 level: 20 B),
// not a row object per member: a rebuild of a million grows V8's heap by a few pages instead of ~50 MiB of rows
// (ADR 0015). float8: ids and XP fit a double exactly (RankIndex refuses what does not). Keyset pages: after
// (xp, id), i.e. less XP, or as much XP and a higher id, which the board index answers as a range.
const PAGE = 32_768;
const ENTRY_BYTES = 20;
const PAGE_OF = (
  source: string,
  level: string,
) => `SELECT encode(string_agg(float8send(p.telegram_user_id::float8) || float8send(p.xp::float8) || int4send(p.level), ''::bytea
    ORDER BY p.xp DESC, p.telegram_user_id), 'hex') AS entries
  FROM (SELECT telegram_user_id, xp, ${level} AS level FROM ${source} AND xp > 0 AND xp <= ? AND (xp < ? OR telegram_user_id > ?)
         ORDER BY xp DESC, telegram_user_id LIMIT ${PAGE}) p`;
const BOT_PAGE = PAGE_OF('gamification.memberships WHERE scope = ?', 'level');
// A period board's entries carry the member's level on the bot's board.
const PERIOD_PAGE = PAGE_OF(
  'gamification.period_xp WHERE bot_id = ? AND kind = ? AND starts_on = ?',
  `coalesce((SELECT m.level FROM gamification.memberships m WHERE m.scope = 'bot:' || period_xp.bot_id AND m.telegram_user_id = period_xp.telegram_user_id), 1)`,
);
/** Before the first page: above any XP a bigint holds, after no id. */
const FIRST_KEY = { xp: '9223372036854775807', id: '0' };

// The boards to read and their sizes, so each board's arrays take their size at once (index-only scans).
const SIZES = 'SELECT scope, count(*)::float8 AS members FROM gamification.memberships WHERE xp > 0 GROUP BY scope';
const PERIOD_SIZES = `SELECT p.bot_id::text AS bot_id, p.kind, p.starts_on, count(*)::float8 AS members FROM gamification.period_xp p
  JOIN (SELECT bot_id, kind, max(starts_on) AS starts_on FROM gamification.period_xp GROUP BY bot_id, kind) latest USING (bot_id, kind, starts_on)
  WHERE p.xp > 0 GROUP BY 1, 2, 3`;

// Bot groups as the `bot_groups` projection has them, followed like activity_scores (ADR 0015): by the transaction
// that last wrote a row, read once every transaction below the server's xmin has ended.
const GROUPS = `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, b.bot_id::text AS bot_id, b.group_id::text AS group_id
  FROM (SELECT 1) one LEFT JOIN gamification.bot_groups b ON b.group_id IS NOT NULL`;
const GROUPS_CHANGED = `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
  SELECT horizon.xmin::text AS xmin, b.bot_id::text AS bot_id, b.group_id::text AS group_id
    FROM horizon LEFT JOIN gamification.bot_groups b ON b.tx >= ?::xid8 AND b.tx < horizon.xmin`;

/** The key of a period board: the scope's, then the period's kind and first local date. */
const periodKey = (scope: string, kind: BoardPeriodKind, start: string): string => `${scope}/${kind}:${start}`;
const PERIOD_KINDS = ['week', 'month'] as const;
const botKey = (botId: string): string => scopeKey({ kind: 'bot', botId });
/** A group board's key: all time; its period boards add the period as a bot's do. */
const groupKey = (groupId: string): string => `group:${groupId}`;

const isBoardEvent = (event: RecordedEvent): event is RecordedEvent<XpAwarded | LevelReached> => event.type === 'XpAwarded' || event.type === 'LevelReached';
const isGroupLevelEvent = (event: RecordedEvent): event is RecordedEvent<GroupLevelReached> => event.type === 'GroupLevelReached';

// A group's stored levels above 1 (`group_levels`, a key page at a time, 12 B an entry: float8 id, int4 level), read
// at start into the group's all-time board.
const GROUP_LEVELS_PAGE = `SELECT encode(string_agg(float8send(p.telegram_user_id::float8) || int4send(p.level), ''::bytea ORDER BY p.telegram_user_id), 'hex') AS entries
  FROM (SELECT telegram_user_id, level FROM gamification.group_levels WHERE group_id = ?::uuid AND level > 1 AND telegram_user_id > ?
         ORDER BY telegram_user_id LIMIT ${PAGE}) p`;
const GROUP_LEVEL_BYTES = 12;

/** A group board in memory, or `sql` when this process cannot answer it exactly (below). */
export type GroupBoardLookup = { readonly kind: 'memory'; readonly board: RankIndex } | { readonly kind: 'sql' };

/**
 * The boards of this process, one RankIndex per scope ([ADR 0015](../../../../docs/adr/0015-leaderboard-ranks.md)).
 * The memberships projection stays the source of truth: at start the boards are rebuilt from it, then
 * kept in step by the member events: this replica's own right after their commit (MemberCommands),
 * every replica's by following the event store in commit order every LEADERBOARD_POLL_MS.
 *
 * A bot group's boards (ADR 0018: a member's XP in a group is the sum of their XP in its bots) are sums of
 * the bots' boards held here: built from them at start and when the group's bots change (`bot_groups`,
 * followed by its rows' transaction), and kept by the same events, each setting the member's sum anew from
 * the bots' boards, so a group board never holds what its bots' boards do not.
 */
@Injectable()
export class LeaderboardIndex implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LeaderboardIndex');
  private boards = new Map<string, RankIndex>();
  /** `<scope>/<kind>` → the first local date of the latest period of that kind with a board (bots and groups). */
  private latestPeriods = new Map<string, string>();
  /** bot → its group, and group → its bots (sorted), as `bot_groups` had them at the last read. */
  private groupOfBot = new Map<string, string>();
  private botsOfGroup = new Map<string, string[]>();
  private groupsCursor = '0';
  /**
   * group → member → stored group level above 1, for the members not on the group's all-time board (a bot
   * left, taking their XP); the others' levels are in the board's entries (RankIndex level).
   */
  private groupLevelsOffBoard = new Map<string, Map<number, number>>();
  /** The groups whose boards are being built, with the members events touched meanwhile (set again at the end). */
  private groupBuilds = new Map<string, { readonly touched: Set<number>; done: Promise<void> }>();
  private checkpoint: Checkpoint = START;
  private starting: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private followingGroups: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The poll under way, if any (its errors already logged). */
  private polling: Promise<void> | undefined;

  constructor(
    private readonly orm: MikroORM,
    private readonly store: PostgresEventStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => {
      // Groups first: an award in a bot that just joined then lands on the group's new board.
      this.polling ??= this.followGroups()
        .then(() => this.catchUp())
        .catch((error: unknown) => this.logger.warn(`following the event store failed, retried: ${String(error)}`))
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

  /**
   * The board of the group whose bots are `bots` (as the caller read `bot_groups`), of all time or of the
   * period of `kind` starting `start`. In memory when this process has the group with the same bots (it
   * reads `bot_groups` again once if not) and the period is the group's latest or a newer one (empty);
   * `sql` for an older period (a bot whose zone is behind the group's latest week) or a group change this
   * process cannot read yet (a transaction still open below it).
   */
  async groupBoard(groupId: string, bots: readonly string[], period?: { kind: BoardPeriodKind; start: string }): Promise<GroupBoardLookup> {
    await this.ready();
    const same = () => (this.botsOfGroup.get(groupId) ?? []).join() === [...bots].sort().join();
    if (!same()) await this.followGroups();
    if (!same()) return { kind: 'sql' };
    // A board being built (at start or after a change of the group's bots) is answered once it is whole.
    for (let build = this.groupBuilds.get(groupId); build; build = this.groupBuilds.get(groupId)) await build.done;
    const key = groupKey(groupId);
    if (!period) return { kind: 'memory', board: this.boards.get(key) ?? EMPTY };
    const latest = this.latestPeriods.get(`${key}/${period.kind}`);
    if (latest !== undefined && period.start < latest) return { kind: 'sql' };
    return { kind: 'memory', board: this.boards.get(periodKey(key, period.kind, period.start)) ?? EMPTY };
  }

  /**
   * The member's stored level in the group (`group_levels`), kept in memory from the group-level events: what
   * a group board shows beside the summed XP. 1 when none is stored. Call after `groupBoard`.
   */
  groupLevelOf(groupId: string, telegramUserId: number): number {
    return this.boards.get(groupKey(groupId))?.levelOf(telegramUserId) ?? this.groupLevelsOffBoard.get(groupId)?.get(telegramUserId) ?? 1;
  }

  /** The bots of a group as this process has them (sorted). */
  botsOf(groupId: string): readonly string[] {
    return this.botsOfGroup.get(groupId) ?? [];
  }

  /** The typed arrays of every board held: nearly all the boards' memory (RankIndex.bytes). */
  get bytes(): number {
    let sum = 0;
    for (const board of this.boards.values()) sum += board.bytes;
    return sum;
  }

  /** Applies member events this process has just committed, so its next read sees them. */
  applyCommitted(events: readonly RecordedEvent[]): void {
    for (const event of events) {
      if (isBoardEvent(event)) this.apply(event);
      else if (isGroupLevelEvent(event)) this.raiseGroupLevel(event.data.groupId, event.data.telegramUserId, event.data.to);
    }
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
   * Reads the `bot_groups` rows written since the last read by transactions that have all ended, and
   * builds the boards of each group whose bots changed anew from its bots' boards; one read at a time.
   */
  followGroups(): Promise<void> {
    this.followingGroups ??= (async () => {
      try {
        const rows = await this.orm.em.fork().execute<{ xmin: string; bot_id: string | null; group_id: string | null }[]>(GROUPS_CHANGED, [this.groupsCursor]);
        const changed = new Set<string>();
        for (const row of rows) {
          if (row.bot_id === null) continue;
          const before = this.groupOfBot.get(row.bot_id);
          if (before === (row.group_id ?? undefined)) continue;
          if (before !== undefined) changed.add(before);
          if (row.group_id !== null) changed.add(row.group_id);
          this.placeBot(row.bot_id, row.group_id);
        }
        for (const groupId of changed) await this.buildGroup(groupId);
        if (rows[0]) this.groupsCursor = rows[0].xmin;
      } finally {
        this.followingGroups = undefined;
      }
    })();
    return this.followingGroups;
  }

  /**
   * Reads the head position first, then the projection in board order, a page of fixed-width entries at
   * a time in one snapshot (repeatable read), then builds the group boards from the bots' and follows the
   * store from the head: whatever the projection read missed or already had is applied again, harmlessly,
   * since each event carries the totals after it.
   */
  private async rebuild(): Promise<void> {
    const startedAt = performance.now();
    const boards = new Map<string, RankIndex>();
    const latestPeriods = new Map<string, string>();
    let head: { transaction_id: string; global_position: string } | undefined;
    let groups: { xmin: string; bot_id: string | null; group_id: string | null }[] = [];
    // A connection of its own, ended after the read: the driver keeps a read buffer as large as the largest
    // message it received (a page, ~1.3 MB as hex) for as long as its connection lives, and a pooled one lives on.
    const connection = await this.openRebuildConnection();
    const run = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await connection.query(numbered(sql), params)).rows as T[];
    // A page arrives as hex text (a string on V8's heap) and is decoded into this one buffer: a Buffer per
    // page (pg's bytea) is freed only by a later GC, and ~30 of them piled up in the C allocator's heap between
    // GCs, whose freed pages stayed in the process's RSS under the boards' blocks (ADR 0015).
    const scratch = Buffer.alloc(PAGE * ENTRY_BYTES);
    const page = async (sql: string, params: unknown[]): Promise<Buffer | null> => {
      const hex = (await run<{ entries: string | null }>(sql, params))[0]?.entries;
      return hex ? scratch.subarray(0, scratch.write(hex, 'hex')) : null;
    };
    try {
      [head] = await run<{ transaction_id: string; global_position: string }>(HEAD);
      await run('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      groups = await run(GROUPS);
      // Every board takes its memory first (RankIndex.reserve), then the pages are read: nothing the boards keep
      // is allocated among the pages' transient buffers.
      const reads: { board: RankIndex; page: string; params: unknown[] }[] = [];
      const reserved = (key: string, members: number): RankIndex => {
        const board = new RankIndex();
        board.reserve(members);
        boards.set(key, board);
        return board;
      };
      for (const { scope, members } of await run<{ scope: string; members: number }>(SIZES)) {
        reads.push({ board: reserved(scope, members), page: BOT_PAGE, params: [scope] });
      }
      for (const row of await run<{ bot_id: string; kind: BoardPeriodKind; starts_on: string; members: number }>(PERIOD_SIZES)) {
        const scope = botKey(row.bot_id);
        reads.push({
          board: reserved(periodKey(scope, row.kind, row.starts_on), row.members),
          page: PERIOD_PAGE,
          params: [row.bot_id, row.kind, row.starts_on],
        });
        latestPeriods.set(`${scope}/${row.kind}`, row.starts_on);
      }
      for (const { board, page: sql, params } of reads) await readBoard(page, board, sql, params);
      await run('COMMIT');
      this.boards = boards;
      this.latestPeriods = latestPeriods;
      this.groupOfBot = new Map();
      this.botsOfGroup = new Map();
      this.groupLevelsOffBoard = new Map();
      for (const row of groups) if (row.bot_id !== null) this.placeBot(row.bot_id, row.group_id);
      for (const groupId of this.botsOfGroup.keys()) {
        await this.buildGroup(groupId);
        // After the snapshot, which is harmless: a stored level only rises, and the events from the head on are
        // applied again as the maximum.
        await this.readGroupLevels(groupId, page);
      }
    } finally {
      await connection.end();
    }
    this.groupsCursor = groups[0]?.xmin ?? '0';
    this.checkpoint = head ? { transactionId: head.transaction_id, globalPosition: head.global_position } : START;
    await this.catchUp();
    const members = [...boards.values()].reduce((sum, b) => sum + b.size, 0);
    this.logger.log(`${boards.size} board(s), ${members} member(s) rebuilt in ${Math.round(performance.now() - startedAt)} ms`);
  }

  /**
   * A connection of the pool (its server, credentials and timeouts), destroyed rather than given back when the
   * rebuild ends (`release(true)`), so its read buffer goes with it and the pool opens a fresh one when needed.
   */
  private async openRebuildConnection(): Promise<{ query: pg.PoolClient['query']; end(): Promise<void> }> {
    const pool = (await this.orm.em.getConnection().getNativeClient()) as pg.Pool;
    const client = await pool.connect();
    return {
      query: client.query.bind(client) as pg.PoolClient['query'],
      end: async () => client.release(true),
    };
  }

  private placeBot(botId: string, groupId: string | null): void {
    const before = this.groupOfBot.get(botId);
    if (before !== undefined) {
      const left = (this.botsOfGroup.get(before) ?? []).filter((bot) => bot !== botId);
      if (left.length) this.botsOfGroup.set(before, left);
      else this.botsOfGroup.delete(before);
      this.groupOfBot.delete(botId);
    }
    if (groupId === null) return;
    this.groupOfBot.set(botId, groupId);
    this.botsOfGroup.set(groupId, [...(this.botsOfGroup.get(groupId) ?? []), botId].sort());
  }

  /**
   * The group's boards anew from its bots' boards: all time, and the latest week and month of the group
   * (the latest of its bots'), summing the bots whose latest period of that kind starts then. Built in steps
   * that yield to the event loop (a million members took ~1 s in one block); the events applied meanwhile
   * note the members they touch, who are set again from the bots' boards in the last, synchronous step, and
   * the new boards replace the old ones only then. Queries of the group wait for it (`groupBoard`).
   */
  private buildGroup(groupId: string): Promise<void> {
    const previous = this.groupBuilds.get(groupId)?.done;
    const build = { touched: new Set<number>(), done: Promise.resolve() };
    build.done = (async () => {
      await previous?.catch(() => undefined);
      this.groupBuilds.set(groupId, build);
      try {
        // A bot's newer week or month opened meanwhile changes which boards are summed: built again.
        while (!(await this.tryBuildGroup(groupId, build.touched)));
      } finally {
        if (this.groupBuilds.get(groupId) === build) this.groupBuilds.delete(groupId);
      }
    })();
    this.groupBuilds.set(groupId, build);
    return build.done;
  }

  /** One build of the group's boards (`buildGroup`); false when the bots' latest periods changed meanwhile. */
  private async tryBuildGroup(groupId: string, touched: Set<number>): Promise<boolean> {
    const key = groupKey(groupId);
    const bots = (this.botsOfGroup.get(groupId) ?? []).map(botKey);
    const periodsOf = () => bots.map((bot) => PERIOD_KINDS.map((kind) => this.latestPeriods.get(`${bot}/${kind}`) ?? '').join()).join();
    const periodsAtStart = periodsOf();
    // Read live: the group-level events applied meanwhile raise the board in place (or the levels beside it).
    const levelOf = (id: number) => Math.max(this.boards.get(key)?.levelOf(id) ?? 1, this.groupLevelsOffBoard.get(groupId)?.get(id) ?? 1);
    const all = bots.length
      ? await sumInSteps(
          bots.flatMap((bot) => this.boards.get(bot) ?? []),
          touched,
          levelOf,
        )
      : undefined;
    const periods: { kind: BoardPeriodKind; start: string; bots: string[]; board: RankIndex }[] = [];
    for (const kind of PERIOD_KINDS) {
      const starts = bots.flatMap((bot) => this.latestPeriods.get(`${bot}/${kind}`) ?? []);
      if (!starts.length) continue;
      const start = [...starts].sort().at(-1)!;
      const summed = bots.filter((bot) => this.latestPeriods.get(`${bot}/${kind}`) === start);
      const board = await sumInSteps(
        summed.flatMap((bot) => this.boards.get(periodKey(bot, kind, start)) ?? []),
        touched,
        () => 1,
      );
      periods.push({ kind, start, bots: summed, board });
    }
    if (periodsOf() !== periodsAtStart) return false;
    // The last step, synchronous: the members events touched meanwhile, then the boards replaced.
    for (const id of touched) {
      if (!all) break;
      all.set(
        id,
        sumOver(bots, (bot) => this.boards.get(bot)?.xpOf(id)),
        levelOf(id),
      );
      for (const period of periods) {
        period.board.set(
          id,
          sumOver(period.bots, (bot) => this.boards.get(periodKey(bot, period.kind, period.start))?.xpOf(id)),
          1,
        );
      }
    }
    touched.clear();
    // The stored levels of members the new board does not hold stay beside it; those it holds move into it.
    const levelsOff = new Map<number, number>();
    const old = this.boards.get(key);
    old?.forEach((id) => {
      const level = old.levelOf(id)!;
      if (level > 1 && all?.xpOf(id) === undefined) levelsOff.set(id, level);
    });
    for (const [id, level] of this.groupLevelsOffBoard.get(groupId) ?? [])
      if (!all?.raiseLevel(id, level)) levelsOff.set(id, Math.max(level, levelsOff.get(id) ?? 1));
    if (levelsOff.size) this.groupLevelsOffBoard.set(groupId, levelsOff);
    else this.groupLevelsOffBoard.delete(groupId);
    for (const kind of PERIOD_KINDS) {
      const latest = this.latestPeriods.get(`${key}/${kind}`);
      if (latest !== undefined) this.boards.delete(periodKey(key, kind, latest));
      this.latestPeriods.delete(`${key}/${kind}`);
    }
    if (all) this.boards.set(key, all);
    else this.boards.delete(key);
    for (const { kind, start, board } of periods) {
      this.boards.set(periodKey(key, kind, start), board);
      this.latestPeriods.set(`${key}/${kind}`, start);
    }
    return true;
  }

  /** The group's stored levels above 1 (`group_levels`) into its all-time board, a key page at a time. */
  private async readGroupLevels(groupId: string, page: (sql: string, params: unknown[]) => Promise<Buffer | null>): Promise<void> {
    let after = '0';
    for (;;) {
      const entries = await page(GROUP_LEVELS_PAGE, [groupId, after]);
      if (!entries?.length) return;
      let id = 0;
      for (let at = 0; at < entries.length; at += GROUP_LEVEL_BYTES) {
        id = entries.readDoubleBE(at);
        this.raiseGroupLevel(groupId, id, entries.readInt32BE(at + 8));
      }
      if (entries.length < PAGE * GROUP_LEVEL_BYTES) return;
      after = String(id);
    }
  }

  /** A member's stored group level, raised (never lowered, as `group_levels` keeps it) by a `GroupLevelReached`. */
  private raiseGroupLevel(groupId: string, telegramUserId: number, level: number): void {
    this.groupBuilds.get(groupId)?.touched.add(telegramUserId);
    if (this.boards.get(groupKey(groupId))?.raiseLevel(telegramUserId, level)) return;
    let offBoard = this.groupLevelsOffBoard.get(groupId);
    if (!offBoard) {
      offBoard = new Map();
      this.groupLevelsOffBoard.set(groupId, offBoard);
    }
    offBoard.set(telegramUserId, Math.max(level, offBoard.get(telegramUserId) ?? 1));
  }

  private apply(event: RecordedEvent<XpAwarded | LevelReached>): void {
    const key = botKey(event.data.botId);
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
    const groupId = this.groupOfBot.get(event.data.botId);
    if (groupId !== undefined && event.type === 'XpAwarded') this.applyToGroup(groupId, event.data);
  }

  /**
   * The member's sums on the group's boards, set anew from the bots' boards (already updated): the same
   * whichever replica's or bot's event comes first, and never behind a bot's board. The all-time board's
   * entry keeps the member's stored group level (`groupLevelOf`).
   */
  private applyToGroup(groupId: string, award: XpAwarded['data']): void {
    const id = award.telegramUserId;
    this.groupBuilds.get(groupId)?.touched.add(id);
    const bots = (this.botsOfGroup.get(groupId) ?? []).map(botKey);
    const key = groupKey(groupId);
    let all = this.boards.get(key);
    if (!all) {
      all = new RankIndex();
      this.boards.set(key, all);
    }
    const level = this.groupLevelOf(groupId, id);
    if (
      all.set(
        id,
        sumOver(bots, (bot) => this.boards.get(bot)?.xpOf(id)),
        level,
      )
    )
      this.groupLevelsOffBoard.get(groupId)?.delete(id);
    for (const kind of PERIOD_KINDS) {
      const period = award[kind];
      if (!period) continue;
      const groupBoard = this.periodBoardFor(key, kind, period.start);
      if (!groupBoard) continue;
      let xp = 0;
      for (const bot of bots) {
        if (this.latestPeriods.get(`${bot}/${kind}`) === period.start) xp += this.boards.get(periodKey(bot, kind, period.start))?.xpOf(id) ?? 0;
      }
      groupBoard.set(id, xp, 1);
    }
  }

  /**
   * The board of a period to write, opening it when it is the scope's newest of its kind (and closing the
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

/** The queries above with pg's numbered parameters: `?` → `$1`, `$2`… (none of them has a `?` in a literal). */
const numbered = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** Reads one board a page at a time (`page`'s parameters, then the key to read after), appending in order to `board` (reserved). */
async function readBoard(read: (sql: string, params: unknown[]) => Promise<Buffer | null>, board: RankIndex, page: string, params: unknown[]): Promise<void> {
  let after = FIRST_KEY;
  for (;;) {
    const entries = await read(page, [...params, after.xp, after.xp, after.id]);
    if (!entries?.length) return;
    let id = 0;
    let xp = 0;
    for (let at = 0; at < entries.length; at += ENTRY_BYTES) {
      id = entries.readDoubleBE(at);
      xp = entries.readDoubleBE(at + 8);
      board.appendSorted(id, xp, entries.readInt32BE(at + 16));
    }
    if (entries.length < PAGE * ENTRY_BYTES) return;
    after = { xp: String(xp), id: String(id) };
  }
}
