import { readFileSync } from 'node:fs';
import { createServiceOrm, PostgresEventStore } from '@botplatform/event-store';
import {
  BotGroupDirectory,
  BotSettingsDirectory,
  gamificationService,
  GroupTotals,
  LeaderboardIndex,
  LeaderboardQuery,
  SystemClock,
} from '@botplatform/gamification';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RestartFigures } from './leaderboard-restart.js';
import type { BenchLine } from './report.js';
import { percentile } from './timing.js';

/** `BENCH_LEADERBOARD_MEMBERS` overrides it (a quick run). */
const MEMBERS = Number(process.env.BENCH_LEADERBOARD_MEMBERS ?? 1_000_000);
/** Ids as Telegram gives them today: above 2^32. */
const FIRST_ID = 6_000_000_000;
/** Our answers are microseconds: many samples. The naive rank counts up to a million index entries each. */
const OURS_SAMPLES = 20_000;
const NAIVE_TOP_SAMPLES = 2_000;
const NAIVE_RANK_SAMPLES = 300;
const WARM_UP = 50;
const UPDATES = 200_000;
/** The group board's naive SQL sums the whole group for each answer (~0.5 s at a million): few samples. */
const NAIVE_GROUP_SAMPLES = 20;
/** The group's second bot: every fifth member of the first one also earned XP there. */
const SECOND_BOT_EVERY = 5;
const MIB = 1024 * 1024;
/** Rows a fixture statement inserts: short transactions on the shared PostgreSQL. */
const LOAD_CHUNK = 100_000;

// Give the naive SQL its best: the board index (scope, xp DESC, telegram_user_id), vacuumed so a count
// is an index-only scan.
// Qualified: `xp` alone in ORDER BY would name the text output column and sort "9" before "10".
const NAIVE_TOP = `SELECT m.telegram_user_id::text, m.xp::text, m.level FROM gamification.memberships m
  WHERE m.scope = $1 AND m.xp > 0 ORDER BY m.xp DESC, m.telegram_user_id LIMIT 100`;
// The group board (ADR 0018) the naive way: the members' XP summed over the group's two bots for every answer.
const NAIVE_GROUP_TOP = `SELECT telegram_user_id::text, sum(xp)::text AS xp FROM gamification.memberships WHERE scope IN ($1, $2)
  GROUP BY telegram_user_id HAVING sum(xp) > 0 ORDER BY sum(xp) DESC, telegram_user_id LIMIT 100`;
const NAIVE_GROUP_RANK = `SELECT count(*) + 1 AS rank FROM (SELECT 1 FROM gamification.memberships WHERE scope IN ($1, $2) GROUP BY telegram_user_id
  HAVING sum(xp) > (SELECT sum(xp) FROM gamification.memberships WHERE scope IN ($1, $2) AND telegram_user_id = $3)) above`;
const NAIVE_RANK = `SELECT count(*) + 1 AS rank FROM gamification.memberships
  WHERE scope = $1 AND xp > (SELECT xp FROM gamification.memberships WHERE scope = $1 AND telegram_user_id = $2)`;

/**
 * The leaderboard at a million members on one board (ADR 0015). The memberships projection is
 * bulk-loaded with generate_series (XP skewed as on a real board: most members low, many ties), then:
 * the time to be ready and the memory after a restart (a forked process rebuilding the boards), and
 * p50/p99 of the top 100 and of one member's rank through `LeaderboardQuery` beside the naive SQL on
 * the same rows, in the same run.
 */
export async function runLeaderboardBench(databaseUrl: string, log: (line: string) => void): Promise<BenchLine[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let orm: MikroORM | undefined;
  let index: LeaderboardIndex | undefined;
  try {
    orm = await createServiceOrm({
      clientUrl: databaseUrl,
      schema: 'gamification',
      migrations: gamificationService.migrations,
      poolSize: 2,
      statementTimeoutMs: 0,
    });
    await orm.migrator.up();
    const botId = randomUUID();
    const scope = `bot:${botId}`;
    const loadStart = performance.now();
    await pool.query('SELECT setseed(0.42)');
    // XP = 1 + 100,000 · r³: half the board under 12,500 XP, ties by the thousand at the bottom. In chunks of short
    // transactions: one long one would hold back every relay on the shared cluster (ADR 0002).
    for (let from = 1; from <= MEMBERS; from += LOAD_CHUNK) {
      await pool.query(
        `INSERT INTO gamification.memberships (scope, telegram_user_id, bot_id, xp, level, current_streak, longest_streak, last_active_day, updated_at)
         SELECT $1, $2::bigint + g, $3::uuid, x.xp, 1 + floor(sqrt(x.xp / 100.0))::int, 0, 0, NULL, now()
         FROM generate_series($4::int, $5::int) g, LATERAL (SELECT 1 + floor(100000 * power(random() + g * 0, 3))::bigint AS xp) x`,
        [scope, FIRST_ID, botId, from, Math.min(MEMBERS, from + LOAD_CHUNK - 1)],
      );
    }
    await pool.query('VACUUM ANALYZE gamification.memberships');
    log(`  ${MEMBERS.toLocaleString('en-US')} members loaded in ${Math.round(performance.now() - loadStart)} ms`);

    const restart = await restartInOwnProcess(databaseUrl, botId);
    // The group: a second bot of the same owner where every fifth member also earned XP, both bots in one
    // group, so the group board holds the same million members with other sums and order.
    const secondBotId = randomUUID();
    const groupId = randomUUID();
    for (let from = 1; from <= MEMBERS; from += LOAD_CHUNK) {
      await pool.query(
        `INSERT INTO gamification.memberships (scope, telegram_user_id, bot_id, xp, level, current_streak, longest_streak, last_active_day, updated_at)
         SELECT $1, telegram_user_id, $2::uuid, 1 + (telegram_user_id % 5000), 1, 0, 0, NULL, now() FROM gamification.memberships
          WHERE scope = $3 AND telegram_user_id % $4 = 0 AND telegram_user_id BETWEEN $5::bigint AND $6::bigint`,
        [`bot:${secondBotId}`, secondBotId, scope, SECOND_BOT_EVERY, FIRST_ID + from, FIRST_ID + Math.min(MEMBERS, from + LOAD_CHUNK - 1)],
      );
    }
    // Stored group levels as awards in the group leave them (group_levels, ADR 0018): every tenth member above
    // level 1, so the group board's answers show levels kept in memory, checked against SQL's below.
    for (let from = 1; from <= MEMBERS; from += LOAD_CHUNK) {
      await pool.query(
        `INSERT INTO gamification.group_levels (group_id, telegram_user_id, level, group_xp, updated_at)
         SELECT $1::uuid, telegram_user_id, 2 + (telegram_user_id % 7)::int, 0, now() FROM gamification.memberships
          WHERE scope = $2 AND telegram_user_id % 10 = 0 AND telegram_user_id BETWEEN $3::bigint AND $4::bigint`,
        [groupId, scope, FIRST_ID + from, FIRST_ID + Math.min(MEMBERS, from + LOAD_CHUNK - 1)],
      );
    }
    await pool.query(
      `INSERT INTO gamification.bot_groups (bot_id, group_id, bot_name, changed_at) VALUES ($1, $3, 'first', now()), ($2, $3, 'second', now())`,
      [botId, secondBotId, groupId],
    );
    await pool.query('VACUUM ANALYZE gamification.memberships');
    const restartWithGroup = await restartInOwnProcess(databaseUrl, botId, groupId);
    if (restartWithGroup.groupMembers !== MEMBERS)
      throw new Error(`the restarted process built a group board of ${restartWithGroup.groupMembers} of ${MEMBERS}`);
    if (restart.members !== MEMBERS) throw new Error(`the restarted process rebuilt ${restart.members} of ${MEMBERS} members`);
    const indexMiB = (restart.heapAndBuffersAfterBytes - restart.heapAndBuffersBeforeBytes) / MIB;
    log(
      `  restart: ready ${Math.round(restart.readyMs)} ms after the process started (rebuild ${Math.round(restart.rebuildMs)} ms, the event loop waited at most ${Math.round(restart.eventLoopMaxDelayMs)} ms); ` +
        `RSS ${(restart.rssAfterBytes / MIB).toFixed(0)} MiB at ready (${(restart.rssSettledBytes / MIB).toFixed(0)} MiB settled: 2 s and a GC later) (${((restart.rssAfterBytes - restart.rssBeforeBytes) / MIB).toFixed(0)} MiB more than before the rebuild), ` +
        `heap + buffers of the boards ${indexMiB.toFixed(0)} MiB (typed arrays ${(restart.boardBytes / MIB).toFixed(0)} MiB)`,
    );

    log(
      `  restart with the group (a second bot of ${(MEMBERS / SECOND_BOT_EVERY).toLocaleString('en-US')} members, a group board of ${MEMBERS.toLocaleString('en-US')}): ` +
        `ready ${Math.round(restartWithGroup.readyMs)} ms (rebuild ${Math.round(restartWithGroup.rebuildMs)} ms, the event loop waited at most ${Math.round(restartWithGroup.eventLoopMaxDelayMs)} ms); RSS ${(restartWithGroup.rssAfterBytes / MIB).toFixed(0)} MiB ` +
        `at ready (${(restartWithGroup.rssSettledBytes / MIB).toFixed(0)} MiB settled) ` +
        `(${((restartWithGroup.rssAfterBytes - restartWithGroup.rssBeforeBytes) / MIB).toFixed(0)} MiB more than before the rebuild), ` +
        `typed arrays of the three boards ${(restartWithGroup.allBoardBytes / MIB).toFixed(0)} MiB`,
    );
    const mib = (bytes: number) => Math.round(bytes / MIB);
    for (const [name, figures] of [
      ['bot board', restart],
      ['with the group', restartWithGroup],
    ] as const) {
      const spaces = (b: typeof figures.breakdown) =>
        Object.entries(b.heapSpacesCommittedBytes)
          .filter(([, bytes]) => bytes >= MIB)
          .map(([space, bytes]) => `${space} ${mib(bytes)}`)
          .join(', ');
      log(
        `  the restarted process (${name}), before the rebuild → at ready: RssFile ${mib(figures.breakdownBefore.rssFileBytes)} → ${mib(figures.breakdown.rssFileBytes)} MiB, ` +
          `RssAnon ${mib(figures.breakdownBefore.rssAnonBytes)} → ${mib(figures.breakdown.rssAnonBytes)} MiB; V8 committed (MiB) ${spaces(figures.breakdownBefore)} → ${spaces(figures.breakdown)}`,
      );
    }
    log(
      `  the restarted process before the rebuild → at ready: heap used ${mib(restart.usageBefore.heapUsed)} → ${mib(restart.usage.heapUsed)} MiB, ` +
        `heap total ${mib(restart.usageBefore.heapTotal)} → ${mib(restart.usage.heapTotal)} MiB, ` +
        `array buffers ${mib(restart.usageBefore.arrayBuffers)} → ${mib(restart.usage.arrayBuffers)} MiB`,
    );

    index = new LeaderboardIndex(orm, new PostgresEventStore(orm.em, { schema: 'gamification' }));
    await index.ready();
    const query = new LeaderboardQuery(index, new BotSettingsDirectory(orm), new SystemClock());
    const board = { kind: 'bot', botId } as const;
    const randomMember = () => String(FIRST_ID + 1 + Math.floor(Math.random() * MEMBERS));
    const members = Array.from({ length: OURS_SAMPLES }, randomMember);

    const oursTop = await sample(OURS_SAMPLES, async () => {
      const answer = await query.board(board, { limit: 100 });
      if (answer.top.length !== 100) throw new Error('top 100 came short');
    });
    const oursRank = await sample(OURS_SAMPLES, async (i) => {
      const answer = await query.board(board, { limit: 1, telegramUserId: members[i], neighbours: 0 });
      if (!answer.me) throw new Error(`member ${members[i]} has no rank`);
    });
    const oursAround = await sample(OURS_SAMPLES, async (i) => {
      await query.board(board, { limit: 100, telegramUserId: members[i], neighbours: 5 });
    });
    const naiveTop = await sample(NAIVE_TOP_SAMPLES, async () => {
      const { rows } = await pool.query(NAIVE_TOP, [scope]);
      if (rows.length !== 100) throw new Error('naive top 100 came short');
    });
    let checked = 0;
    const naiveRank = await sample(NAIVE_RANK_SAMPLES, async (i) => {
      const { rows } = await pool.query<{ rank: string }>(NAIVE_RANK, [scope, members[i]]);
      // Same answers, or the comparison means nothing.
      const ours = (await query.board(board, { limit: 1, telegramUserId: members[i] })).me?.rank;
      if (Number(rows[0].rank) !== ours) throw new Error(`member ${members[i]}: rank ${ours} ours, ${rows[0].rank} naive`);
      checked++;
    });
    const naiveTopRows = (await pool.query<{ telegram_user_id: string }>(NAIVE_TOP, [scope])).rows.map((r) => r.telegram_user_id);
    const oursTopRows = (await query.board(board, { limit: 100 })).top.map((e) => e.telegramUserId);
    if (naiveTopRows.join() !== oursTopRows.join())
      throw new Error(`the top 100 differ from the naive ORDER BY: ${naiveTopRows.slice(0, 5).join()} naive, ${oursTopRows.slice(0, 5).join()} ours`);

    // The group board: ours from memory (with the stored group levels of the entries shown read by key),
    // the naive one summing the two bots' rows for each answer; the same answers checked first.
    const group = (await new BotGroupDirectory(orm).groupOf(botId))!;
    const totals = new GroupTotals(orm, index);
    const secondScope = `bot:${secondBotId}`;
    const groupTop = async () => (await totals.leaderboard(group, { limit: 100 })).top.map((e) => `${e.telegramUserId}:${e.xp}:${e.rank}`);
    const oursGroupTop = await sample(OURS_SAMPLES / 4, async () => {
      const answer = await totals.leaderboard(group, { limit: 100 });
      if (answer.top.length !== 100) throw new Error('group top 100 came short');
    });
    const oursGroupRank = await sample(OURS_SAMPLES / 4, async (i) => {
      const answer = await totals.leaderboard(group, { limit: 1, telegramUserId: members[i], neighbours: 0 });
      if (!answer.me) throw new Error(`member ${members[i]} has no group rank`);
    });
    const naiveGroupTop = await sample(NAIVE_GROUP_SAMPLES, async () => {
      const { rows } = await pool.query(NAIVE_GROUP_TOP, [scope, secondScope]);
      if (rows.length !== 100) throw new Error('naive group top 100 came short');
    });
    let groupChecked = 0;
    const naiveGroupRank = await sample(NAIVE_GROUP_SAMPLES, async (i) => {
      const { rows } = await pool.query<{ rank: string }>(NAIVE_GROUP_RANK, [scope, secondScope, members[i]]);
      const ours = (await totals.leaderboard(group, { limit: 1, telegramUserId: members[i] })).me?.rank;
      if (Number(rows[0].rank) !== ours) throw new Error(`member ${members[i]}: group rank ${ours} ours, ${rows[0].rank} naive`);
      groupChecked++;
    });
    const naiveGroupTopRows = (await pool.query<{ telegram_user_id: string; xp: string }>(NAIVE_GROUP_TOP, [scope, secondScope])).rows;
    const oursGroupTopRows = await groupTop();
    if (naiveGroupTopRows.map((r) => `${r.telegram_user_id}:${r.xp}`).join() !== oursGroupTopRows.map((e) => e.split(':').slice(0, 2).join(':')).join())
      throw new Error('the group top 100 differ from the naive GROUP BY');
    // The levels shown (kept in memory) are the stored group levels.
    const storedLevels = await pool.query<{ id: string; level: number }>(
      'SELECT telegram_user_id::text AS id, level FROM gamification.group_levels WHERE group_id = $1 AND telegram_user_id = ANY($2::bigint[])',
      [groupId, naiveGroupTopRows.map((r) => r.telegram_user_id)],
    );
    const levelOf = new Map(storedLevels.rows.map((r) => [r.id, r.level]));
    const shownLevels = (await totals.leaderboard(group, { limit: 100 })).top;
    if (shownLevels.some((e) => e.level !== (levelOf.get(e.telegramUserId) ?? 1))) throw new Error('the group top 100 show other levels than group_levels');
    if (!shownLevels.some((e) => e.level > 1)) throw new Error('no stored group level in the group top 100: the check proves nothing');

    // What a write costs the board: one member's XP moves (remove + insert in its blocks).
    const ranked = index.board(board);
    const updateStart = performance.now();
    for (let i = 0; i < UPDATES; i++) {
      const id = Number(members[i % members.length]);
      ranked.set(id, (ranked.xpOf(id) ?? 0) + 1 + (i % 50), 1, 1_000 + i);
    }
    const updatesPerSecond = (UPDATES * 1_000) / (performance.now() - updateStart);

    const ms = (samples: readonly number[], p: number) => percentile(samples, p);
    log(
      `  top 100: ours p50 ${ms(oursTop, 50).toFixed(3)} / p99 ${ms(oursTop, 99).toFixed(3)} ms, naive ${ms(naiveTop, 50).toFixed(3)} / ${ms(naiveTop, 99).toFixed(3)} ms`,
    );
    log(
      `  my rank: ours p50 ${ms(oursRank, 50).toFixed(3)} / p99 ${ms(oursRank, 99).toFixed(3)} ms (with 5 neighbours and the top 100: p99 ${ms(oursAround, 99).toFixed(3)} ms), ` +
        `naive ${ms(naiveRank, 50).toFixed(1)} / ${ms(naiveRank, 99).toFixed(1)} ms; ${checked} ranks checked equal`,
    );
    log(
      `  group board (2 bots, ${MEMBERS.toLocaleString('en-US')} members): top 100 ours p50 ${ms(oursGroupTop, 50).toFixed(3)} / p99 ${ms(oursGroupTop, 99).toFixed(3)} ms, ` +
        `naive ${ms(naiveGroupTop, 50).toFixed(1)} / ${ms(naiveGroupTop, 99).toFixed(1)} ms; my rank ours p50 ${ms(oursGroupRank, 50).toFixed(3)} / p99 ${ms(oursGroupRank, 99).toFixed(3)} ms, ` +
        `naive ${ms(naiveGroupRank, 50).toFixed(1)} / ${ms(naiveGroupRank, 99).toFixed(1)} ms; ${groupChecked} ranks and the top 100 checked equal`,
    );
    // The issue's aims, each said plainly: p99 under 10 ms, 20× the naive SQL, 200 MiB, ready in 10 s.
    const aims = [
      ['top 100 p99 < 10 ms', ms(oursTop, 99) < 10],
      ['my rank p99 < 10 ms', ms(oursRank, 99) < 10],
      ['top 100 ≥ 20× faster (p50 and p99)', ms(naiveTop, 50) / ms(oursTop, 50) >= 20 && ms(naiveTop, 99) / ms(oursTop, 99) >= 20],
      ['my rank ≥ 20× faster (p50 and p99)', ms(naiveRank, 50) / ms(oursRank, 50) >= 20 && ms(naiveRank, 99) / ms(oursRank, 99) >= 20],
      ['group top 100 and my rank p99 < 10 ms', ms(oursGroupTop, 99) < 10 && ms(oursGroupRank, 99) < 10],
      [
        'group board ≥ 20× faster (p50 and p99)',
        [
          ms(naiveGroupTop, 50) / ms(oursGroupTop, 50),
          ms(naiveGroupTop, 99) / ms(oursGroupTop, 99),
          ms(naiveGroupRank, 50) / ms(oursGroupRank, 50),
          ms(naiveGroupRank, 99) / ms(oursGroupRank, 99),
        ].every((x) => x >= 20),
      ],
      ['restarted process RSS < 200 MiB at ready', restart.rssAfterBytes / MIB < 200],
      ['settled', restart.rssSettledBytes / MIB < 200],
      ['with the group board too at ready', restartWithGroup.rssAfterBytes / MIB < 200],
      ['settled', restartWithGroup.rssSettledBytes / MIB < 200],
      ['ready < 10 s after a restart', restart.readyMs < 10_000],
      ['with the group board too', restartWithGroup.readyMs < 10_000],
    ] as const;
    log(`  issue 12's aims: ${aims.map(([aim, met]) => `${aim} ${met ? 'met' : 'NOT MET'}`).join('; ')}`);
    log(`  ${Math.round(updatesPerSecond).toLocaleString('en-US')} board updates per second at ${MEMBERS.toLocaleString('en-US')} members`);

    const memory = {
      members: MEMBERS,
      readyAfterRestartMs: restart.readyMs,
      rebuildMs: restart.rebuildMs,
      restartedProcessRssMiB: restart.rssAfterBytes / MIB,
      restartedProcessWithGroupRssMiB: restartWithGroup.rssAfterBytes / MIB,
      restartedProcessSettledRssMiB: restart.rssSettledBytes / MIB,
      restartedProcessWithGroupSettledRssMiB: restartWithGroup.rssSettledBytes / MIB,
      readyAfterRestartWithGroupMs: restartWithGroup.readyMs,
      groupBuildEventLoopMaxDelayMs: restartWithGroup.eventLoopMaxDelayMs,
      rssDeltaMiB: (restart.rssAfterBytes - restart.rssBeforeBytes) / MIB,
      boardsHeapAndBuffersMiB: indexMiB,
      boardTypedArraysMiB: restart.boardBytes / MIB,
      boardUpdatesPerSecond: updatesPerSecond,
    };
    const line = (name: string, p: number, ours: number[], naive: number[], board = `1 board of ${MEMBERS.toLocaleString('en-US')}`): BenchLine => ({
      scenario: 'leaderboard',
      line: `leaderboard, ${board}: ${name} p${p}`,
      unit: 'ms',
      better: 'lower',
      ours: ms(ours, p),
      raw: ms(naive, p),
      details: memory,
    });
    return [
      line('top 100', 50, oursTop, naiveTop),
      line('top 100', 99, oursTop, naiveTop),
      line('my rank', 50, oursRank, naiveRank),
      line('my rank', 99, oursRank, naiveRank),
      line('top 100', 99, oursGroupTop, naiveGroupTop, `group board of ${MEMBERS.toLocaleString('en-US')}`),
      line('my rank', 99, oursGroupRank, naiveGroupRank, `group board of ${MEMBERS.toLocaleString('en-US')}`),
    ];
  } finally {
    index?.onApplicationShutdown();
    await pool.end();
    await orm?.close(true);
  }
}

/** Milliseconds of each of `count` calls, one after another, after a few unmeasured ones. */
async function sample(count: number, call: (i: number) => Promise<void>): Promise<number[]> {
  for (let i = 0; i < Math.min(WARM_UP, count); i++) await call(i);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Forks leaderboard-restart.js on the loaded database and waits for its figures. */
function restartInOwnProcess(databaseUrl: string, botId: string, groupId = ''): Promise<RestartFigures> {
  const script = resolve(dirname(fileURLToPath(import.meta.url)), 'leaderboard-restart.js');
  return new Promise((resolvePromise, reject) => {
    let figures: RestartFigures | undefined;
    // With the V8 options the service's process starts with (scripts/start-project.mjs reads the same field).
    const execArgv = gamificationNodeOptions();
    const child = fork(script, [databaseUrl, botId, groupId], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    child.on('message', (message) => {
      figures = message as RestartFigures;
    });
    child.on('error', reject);
    child.on('exit', (code) => (figures ? resolvePromise(figures) : reject(new Error(`the restart process exited with ${code} and no figures`))));
  });
}

/** `botplatform.nodeOptions` of the gamification service's package.json: how its process is started. */
function gamificationNodeOptions(): string[] {
  const file = resolve(dirname(fileURLToPath(import.meta.url)), '../../services/gamification/package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { botplatform?: { nodeOptions?: string[] } };
  return manifest.botplatform?.nodeOptions ?? [];
}
