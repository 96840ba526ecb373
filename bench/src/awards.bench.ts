import { EmbeddedEventBus, InProcessBroker } from '@botplatform/bus';
import { RPC } from '@botplatform/contracts';
import { gamificationService } from '@botplatform/gamification';
import { createRpcClient, startService, type RunningService } from '@botplatform/service-kit';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { BenchLine } from './report.js';
import { perSecond, percentile, runWorkers } from './timing.js';

/** `BENCH_AWARDS_ACTIVITIES` overrides it; spread over `MEMBERS` members, so each crosses several levels. */
const ACTIVITIES = Number(process.env.BENCH_AWARDS_ACTIVITIES ?? 5_000);
const MEMBERS = 500;
/** Callers at once: a bot's sessions finishing trainings. */
const CONCURRENCY = 32;
const FIRST_MEMBER = 9_000_000_000;
/** A level every 100 XP up to 50; each activity gives 10 + 1 per point of a score in 0..99. */
const LEVELS = Array.from({ length: 50 }, (_, i) => ({ level: i + 1, minXp: String(i * 100) }));
const FIXED_XP = 10;

const scoreOf = (i: number) => (i * 37) % 100;
const xpOf = (i: number) => FIXED_XP + scoreOf(i);
const levelFor = (xp: number) => Math.min(50, Math.floor(xp / 100) + 1);

/**
 * Awards through the gamification service as `npm start` runs it: `rpc.gamification.record-activity`
 * (activity completed → its history row and public event → the bot's XP rule → the award, once per
 * activity id → the level check and `LevelReached` at a threshold), in-process request/reply, against
 * the naive hand-written version: one transaction that inserts the activity (once per id), adds its XP
 * to the member's row and records a level-up when a threshold is crossed. Same members, order and
 * concurrency; both checked: every member's XP and level, and one level-up per level crossed.
 */
export async function runAwardsBench(databaseUrl: string, log: (line: string) => void): Promise<BenchLine[]> {
  const bus = new EmbeddedEventBus({ pollIntervalMs: 100 });
  const broker = new InProcessBroker();
  let service: RunningService | undefined;
  const rpc = createRpcClient({ kind: 'in-process', broker });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const schema = `naive_awards_${randomUUID().slice(0, 8)}`;
  try {
    service = await startService(gamificationService, { databaseUrl, bus, rpc: { kind: 'in-process', broker }, httpPort: 0, logger: false });
    const botId = randomUUID();
    await rpc.call(RPC.gamification.configureLevels, { botId, levels: LEVELS });
    await rpc.call(RPC.gamification.setXpRules, {
      botId,
      rules: { activityFixedXp: FIXED_XP, activityXpPerPoint: 1, streakDayXp: 0, paymentCompletedXp: 0, referralJoinedXp: 0 },
    });
    const memberOf = (i: number) => FIRST_MEMBER + (i % MEMBERS);
    const expectedXp = new Map<number, number>();
    for (let i = 0; i < ACTIVITIES; i++) expectedXp.set(memberOf(i), (expectedXp.get(memberOf(i)) ?? 0) + xpOf(i));
    const expectedLevelUps = [...expectedXp.values()].reduce((sum, xp) => sum + levelFor(xp) - 1, 0);

    // Ours. A member's activities are recorded one after another (a member finishes one training at a time).
    const oursSamples: number[] = [];
    const oursStart = performance.now();
    await runWorkers(CONCURRENCY, ACTIVITIES, async (_, i) => {
      const started = performance.now();
      await rpc.call(RPC.gamification.recordActivity, {
        botId,
        telegramUserId: String(memberOf(i)),
        activity: { id: `bench-${i}`, type: 'training', score: String(scoreOf(i)) },
      });
      oursSamples.push(performance.now() - started);
    });
    const oursRate = perSecond(ACTIVITIES, performance.now() - oursStart);
    const em = service.dependencies.orm.em.fork();
    const rows = await em
      .getConnection()
      .execute<{ telegram_user_id: string; xp: string; level: number }[]>(
        'SELECT telegram_user_id::text, xp::text, level FROM gamification.memberships WHERE scope = ?',
        [`bot:${botId}`],
      );
    const wrong = rows.filter((row) => Number(row.xp) !== expectedXp.get(Number(row.telegram_user_id)) || row.level !== levelFor(Number(row.xp)));
    if (rows.length !== MEMBERS || wrong.length) throw new Error(`ours: ${rows.length} members, ${wrong.length} with the wrong XP or level`);
    const [levelUps] = await em
      .getConnection()
      .execute<{ n: number }[]>(`SELECT count(*)::integer AS n FROM gamification.event_store_events WHERE type = 'LevelReached' AND bot_id = ?`, [botId]);
    if (levelUps.n !== expectedLevelUps) throw new Error(`ours: ${levelUps.n} level-ups, expected ${expectedLevelUps}`);

    // The naive version.
    await pool.query(`CREATE SCHEMA ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.activities (id text PRIMARY KEY, telegram_user_id bigint NOT NULL, score integer, xp integer NOT NULL)`);
    await pool.query(`CREATE TABLE ${schema}.members (telegram_user_id bigint PRIMARY KEY, xp bigint NOT NULL, level integer NOT NULL)`);
    await pool.query(`CREATE TABLE ${schema}.level_ups (telegram_user_id bigint NOT NULL, level integer NOT NULL, PRIMARY KEY (telegram_user_id, level))`);
    const rawSamples: number[] = [];
    const rawStart = performance.now();
    await runWorkers(CONCURRENCY, ACTIVITIES, async (_, i) => {
      const started = performance.now();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inserted = await client.query(`INSERT INTO ${schema}.activities VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
          `bench-${i}`,
          memberOf(i),
          scoreOf(i),
          xpOf(i),
        ]);
        if (inserted.rowCount) {
          const { rows: updated } = await client.query<{ xp: string; level: number }>(
            `INSERT INTO ${schema}.members VALUES ($1, $2, 1) ON CONFLICT (telegram_user_id) DO UPDATE SET xp = members.xp + $2
             RETURNING xp::text, (SELECT level FROM ${schema}.members WHERE telegram_user_id = $1) AS level`,
            [memberOf(i), xpOf(i)],
          );
          const before = updated[0].level ?? 1;
          const after = levelFor(Number(updated[0].xp));
          if (after > before) {
            await client.query(`UPDATE ${schema}.members SET level = $2 WHERE telegram_user_id = $1`, [memberOf(i), after]);
            await client.query(`INSERT INTO ${schema}.level_ups SELECT $1, generate_series($2::integer, $3::integer)`, [memberOf(i), before + 1, after]);
          }
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
      rawSamples.push(performance.now() - started);
    });
    const rawRate = perSecond(ACTIVITIES, performance.now() - rawStart);
    const [naiveUps] = (await pool.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${schema}.level_ups`)).rows;
    if (naiveUps.n !== expectedLevelUps) throw new Error(`naive: ${naiveUps.n} level-ups, expected ${expectedLevelUps}`);

    log(
      `  ${ACTIVITIES.toLocaleString('en')} activities of ${MEMBERS} members, ${CONCURRENCY} at once, ${expectedLevelUps.toLocaleString('en')} level-ups: ` +
        `ours ${oursRate.toFixed(0)}/s (p50 ${percentile(oursSamples, 50).toFixed(2)} ms, p99 ${percentile(oursSamples, 99).toFixed(2)} ms), ` +
        `naive transaction ${rawRate.toFixed(0)}/s (p50 ${percentile(rawSamples, 50).toFixed(2)} ms, p99 ${percentile(rawSamples, 99).toFixed(2)} ms); XP, levels and level-ups checked on both`,
    );
    return [
      {
        scenario: 'awards',
        line: 'awards: activity completed → XP → level check (rpc.gamification.record-activity, in-process)',
        unit: 'activities/s',
        better: 'higher',
        ours: oursRate,
        raw: rawRate,
        aim: { on: 'none' },
        details: { activities: ACTIVITIES, members: MEMBERS, concurrency: CONCURRENCY, levelUps: expectedLevelUps },
      },
      {
        scenario: 'awards',
        line: 'award p99',
        unit: 'ms',
        better: 'lower',
        ours: percentile(oursSamples, 99),
        raw: percentile(rawSamples, 99),
        aim: { on: 'none' },
        details: { oursP50Ms: percentile(oursSamples, 50), rawP50Ms: percentile(rawSamples, 50) },
      },
    ];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await rpc.close();
    await service?.close();
    await bus.close();
    await pool.end();
  }
}
