import { createServiceOrm, PostgresEventStore } from '@botplatform/event-store';
import { ActivityBoardsQuery, gamificationService, LeaderboardIndex, ScoreBoardsIndex } from '@botplatform/gamification';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { percentile } from './timing.js';

/**
 * A board by an activity's score at a million members (ADR 0015): `activity_scores` bulk-loaded with
 * generate_series in a scratch database (`node bench/dist/score-boards-measure.js <url>`), then the
 * in-memory boards' load time and bytes, and p50/p99 of the top 100 and of a member's rank through
 * `ActivityBoardsQuery`, beside the SQL count, whose answers are checked equal.
 */
const MEMBERS = Number(process.env.BENCH_SCORE_MEMBERS ?? 1_000_000);
const FIRST_ID = 6_000_000_000;
const SAMPLES = 1_000;
const MIB = 1024 * 1024;

async function main(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const orm = await createServiceOrm({
    clientUrl: databaseUrl,
    schema: 'gamification',
    migrations: gamificationService.migrations,
    poolSize: 2,
    statementTimeoutMs: 0,
  });
  await orm.migrator.up();
  const botId = randomUUID();
  await pool.query('SELECT setseed(0.42)');
  await pool.query(
    `INSERT INTO gamification.activity_scores (bot_id, activity_type, kind, starts_on, telegram_user_id, best, total, activities, updated_at)
     SELECT $1::uuid, 'quiz', 'all', '', $2::bigint + g, x.best, x.best * 3, 3, now()
       FROM generate_series(1, $3::int) g, LATERAL (SELECT floor(100000 * power(random() + g * 0, 3))::bigint AS best) x`,
    [botId, FIRST_ID, MEMBERS],
  );
  await pool.query('VACUUM ANALYZE gamification.activity_scores');
  const store = new PostgresEventStore(orm.em, { schema: 'gamification' });
  const xp = new LeaderboardIndex(orm, store);
  await xp.ready();
  global.gc?.();
  const before = process.memoryUsage();
  const index = new ScoreBoardsIndex(orm);
  const loadStart = performance.now();
  await index.ready();
  const loadMs = performance.now() - loadStart;
  global.gc?.();
  const after = process.memoryUsage();
  console.log(
    `load ${MEMBERS} rows (best and total boards): ${Math.round(loadMs)} ms; typed arrays ${(index.bytes / MIB).toFixed(1)} MiB; ` +
      `heap+buffers +${((after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / MIB).toFixed(1)} MiB; RSS ${(after.rss / MIB).toFixed(0)} MiB`,
  );
  const query = new ActivityBoardsQuery(orm, index, xp);
  const key = { botId, activityType: 'quiz' };
  const time = async (run: (i: number) => Promise<void>, n: number) => {
    const t: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await run(i);
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return `p50 ${percentile(t, 50).toFixed(3)} ms, p99 ${percentile(t, 99).toFixed(3)} ms`;
  };
  const member = (i: number) => String(FIRST_ID + 1 + ((i * 7919 + 500_000) % MEMBERS));
  console.log(
    `top 100: ${await time(async () => {
      if ((await query.board(key, 'best', { limit: 100 })).top.length !== 100) throw new Error('short');
    }, SAMPLES)}`,
  );
  console.log(
    `my rank (best): ${await time(async (i) => {
      if (!(await query.board(key, 'best', { limit: 0, telegramUserId: member(i) })).me) throw new Error('no rank');
    }, SAMPLES)}`,
  );
  console.log(
    `my rank + 5 neighbours + top 100 (total): ${await time(async (i) => {
      await query.board(key, 'total', { limit: 100, telegramUserId: member(i), neighbours: 5 });
    }, SAMPLES)}`,
  );
  const sql = (i: number) =>
    pool.query<{ rank: string }>(
      `SELECT count(*) + 1 AS rank FROM gamification.activity_scores WHERE bot_id = $1 AND activity_type = 'quiz' AND kind = 'all' AND starts_on = '' AND best > (SELECT best FROM gamification.activity_scores WHERE bot_id = $1 AND activity_type = 'quiz' AND kind = 'all' AND starts_on = '' AND telegram_user_id = $2)`,
      [botId, member(i)],
    );
  console.log(
    `SQL count rank (best): ${await time(async (i) => {
      const { rows } = await sql(i);
      const ours = (await query.board(key, 'best', { limit: 0, telegramUserId: member(i) })).me?.rank;
      if (Number(rows[0].rank) !== ours) throw new Error(`rank ${ours} ours, ${rows[0].rank} SQL`);
    }, 50)} (50 ranks, each checked equal to ours)`,
  );
  const members = (await query.board(key, 'best', { limit: 0 })).members;
  if (members !== MEMBERS) throw new Error(`members ${members}`);
  index.onApplicationShutdown();
  await orm.close();
  await pool.end();
}

await main(process.argv[2]);
