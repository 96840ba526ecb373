import { createServiceOrm, eventStoreMigrations, runSql } from '@botplatform/event-store';
import { schedulerMigrations, scheduleTimers, TimerWorker, type TimerHandler } from '@botplatform/scheduler';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import type { BenchLine } from './report.js';
import { perSecond, sleep, waitUntil } from './timing.js';

const SCHEMA = 'schedule_bench';
const RAW_SCHEMA = 'schedule_raw';
/** `BENCH_SCHEDULE_SUBSCRIPTIONS` overrides it (a quick run, or a bigger one). */
const SUBSCRIPTIONS = Number(process.env.BENCH_SCHEDULE_SUBSCRIPTIONS ?? 100_000);
const REPLICAS = 2;
const POOL_SIZE = 8;
/** Handlers at once per replica: half the pool, the rest left to the claims and the service's requests. */
const CONCURRENCY = 4;
/** Timers fired per transaction: 100,000 due at once is the case `timersPerTransaction` is for. */
const TIMERS_PER_TRANSACTION = 50;
const BATCH_SIZE = CONCURRENCY * TIMERS_PER_TRANSACTION;
/** How far ahead the expiries are set: the workers are started and idle by then, as in a running service. */
const LEAD_MS = 3_000;
const INSERT_CHUNK = 10_000;

/**
 * The schedule: 100,000 subscriptions expiring at the same instant (the worst case of "in the same
 * minute"), expired by two replicas' `TimerWorker`s, 50 timers per transaction: each transaction marks
 * its timers fired and sets each subscription's `expired_at` (a service would append its
 * `SubscriptionExpired` there). Raw:
 * the same rows in a table of the same shape expired by one `UPDATE … WHERE ends_at <= now()` at the
 * same instant. N is the time from the due instant to the last subscription expired.
 */
export async function runScheduleBench(databaseUrl: string, log: (line: string) => void): Promise<BenchLine[]> {
  const replicas: MikroORM[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const workers: TimerWorker[] = [];
  try {
    for (let r = 0; r < REPLICAS; r++) {
      replicas.push(
        await createServiceOrm({ clientUrl: databaseUrl, schema: SCHEMA, migrations: [...eventStoreMigrations, ...schedulerMigrations], poolSize: POOL_SIZE }),
      );
    }
    await createSubscriptionTables(pool);

    const dueAt = new Date((await databaseNow(pool)).getTime() + LEAD_MS);
    const ids = Array.from({ length: SUBSCRIPTIONS }, () => randomUUID());
    await insertSubscriptions(pool, ids, dueAt);
    const scheduleStart = performance.now();
    for (let from = 0; from < ids.length; from += INSERT_CHUNK) {
      const chunk = ids.slice(from, from + INSERT_CHUNK).map((id) => ({ kind: 'subscription.expire', key: id, dueAt, payload: { subscriptionId: id } }));
      await replicas[0].em.fork().transactional((em) => scheduleTimers(em, chunk));
    }
    const scheduledPerSecond = perSecond(SUBSCRIPTIONS, performance.now() - scheduleStart);

    const expire: TimerHandler<{ subscriptionId: string }> = {
      kind: 'subscription.expire',
      handle: async (timer, { em }) => {
        await runSql(em, `UPDATE ${SCHEMA}.subscriptions SET expired_at = clock_timestamp() WHERE id = $1 AND expired_at IS NULL`, [
          timer.payload.subscriptionId,
        ]);
      },
    };
    for (const orm of replicas) {
      const worker = new TimerWorker({
        orm,
        handlers: [expire] as TimerHandler<never>[],
        concurrency: CONCURRENCY,
        batchSize: BATCH_SIZE,
        timersPerTransaction: TIMERS_PER_TRANSACTION,
      });
      workers.push(worker);
      worker.start();
    }
    await waitUntil(
      () => `the schedule to expire ${SUBSCRIPTIONS} subscriptions (${workers.reduce((n, w) => n + w.stats().fired, 0)} so far)`,
      () => workers.reduce((n, w) => n + w.stats().fired, 0) >= SUBSCRIPTIONS,
      { timeoutMs: 600_000, intervalMs: 100 },
    );
    const ours = await lateness(pool, SCHEMA);
    if (ours.expired !== SUBSCRIPTIONS) throw new Error(`the schedule expired ${ours.expired} of ${SUBSCRIPTIONS} subscriptions`);
    const firedBy = workers.map((w) => w.stats().fired);
    await Promise.all(workers.map((w) => w.stop()));

    // Raw, on the same instant's rows of the twin table: wait for its due time, then one statement.
    const rawDueAt = new Date((await databaseNow(pool)).getTime() + 500);
    await pool.query(`UPDATE ${RAW_SCHEMA}.subscriptions SET ends_at = $1`, [rawDueAt]);
    await pool.query(`VACUUM ANALYZE ${RAW_SCHEMA}.subscriptions`);
    await sleep(Math.max(0, rawDueAt.getTime() - (await databaseNow(pool)).getTime()) + 1);
    await pool.query(`UPDATE ${RAW_SCHEMA}.subscriptions SET expired_at = clock_timestamp() WHERE ends_at <= now() AND expired_at IS NULL`);
    const raw = await lateness(pool, RAW_SCHEMA);
    if (raw.expired !== SUBSCRIPTIONS) throw new Error(`the raw UPDATE expired ${raw.expired} of ${SUBSCRIPTIONS} subscriptions`);

    const count = SUBSCRIPTIONS.toLocaleString('en');
    log(
      `  ${count} expiries due at once: ours all expired ${(ours.maxMs / 1_000).toFixed(1)} s after their time (p50 ${(ours.p50Ms / 1_000).toFixed(1)} s), ` +
        `${perSecond(SUBSCRIPTIONS, ours.spanMs).toFixed(0)}/s over ${REPLICAS} replicas (${firedBy.join(' + ')}, ${TIMERS_PER_TRANSACTION} per transaction); raw UPDATE ${(raw.maxMs / 1_000).toFixed(2)} s; ` +
        `timers scheduled at ${scheduledPerSecond.toFixed(0)}/s`,
    );
    const details = {
      subscriptions: SUBSCRIPTIONS,
      replicas: REPLICAS,
      concurrencyPerReplica: CONCURRENCY,
      timersPerTransaction: TIMERS_PER_TRANSACTION,
      oursP50LatenessMs: ours.p50Ms,
      oursP99LatenessMs: ours.p99Ms,
      timersScheduledPerSecond: scheduledPerSecond,
      ...Object.fromEntries(firedBy.map((n, r) => [`firedByReplica${r + 1}`, n])),
    };
    return [
      {
        scenario: 'schedule',
        line: `schedule: ${count} expiries due at once, seconds until the last expired`,
        unit: 's',
        better: 'lower',
        ours: ours.maxMs / 1_000,
        raw: raw.maxMs / 1_000,
        details,
      },
      {
        scenario: 'schedule',
        line: `schedule: ${count} expiries due at once, expiries per second`,
        unit: 'expiries/s',
        better: 'higher',
        ours: perSecond(SUBSCRIPTIONS, ours.spanMs),
        raw: perSecond(SUBSCRIPTIONS, raw.spanMs),
      },
    ];
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    for (const orm of replicas) await orm.close(true);
    await pool.end();
  }
}

async function createSubscriptionTables(pool: pg.Pool): Promise<void> {
  for (const schema of [SCHEMA, RAW_SCHEMA]) {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await pool.query(`CREATE TABLE ${schema}.subscriptions (id uuid PRIMARY KEY, ends_at timestamptz NOT NULL, expired_at timestamptz)`);
    // What a subscriptions read model would keep for the raw query; the schedule side does not use it.
    await pool.query(`CREATE INDEX ON ${schema}.subscriptions (ends_at) WHERE expired_at IS NULL`);
  }
}

async function insertSubscriptions(pool: pg.Pool, ids: readonly string[], endsAt: Date): Promise<void> {
  for (const schema of [SCHEMA, RAW_SCHEMA]) {
    for (let from = 0; from < ids.length; from += INSERT_CHUNK) {
      await pool.query(`INSERT INTO ${schema}.subscriptions (id, ends_at) SELECT unnest($1::uuid[]), $2`, [ids.slice(from, from + INSERT_CHUNK), endsAt]);
    }
  }
}

/** Lateness of the expiries (expired_at − ends_at) and the span from the due instant to the last one. */
async function lateness(pool: pg.Pool, schema: string): Promise<{ expired: number; p50Ms: number; p99Ms: number; maxMs: number; spanMs: number }> {
  const { rows } = await pool.query<{ expired: string; p50: number; p99: number; max: number }>(
    `SELECT count(*) AS expired,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lateness) AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY lateness) AS p99,
       max(lateness) AS max
     FROM (SELECT extract(epoch FROM expired_at - ends_at) * 1000 AS lateness FROM ${schema}.subscriptions WHERE expired_at IS NOT NULL) l`,
  );
  const { expired, p50, p99, max } = rows[0];
  return { expired: Number(expired), p50Ms: Number(p50), p99Ms: Number(p99), maxMs: Number(max), spanMs: Math.max(1, Number(max)) };
}

async function databaseNow(pool: pg.Pool): Promise<Date> {
  const { rows } = await pool.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return rows[0].now;
}
