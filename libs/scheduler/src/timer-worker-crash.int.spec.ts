import { runSql } from '@botplatform/event-store';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { scheduleTimer, scheduleTimers, TimerWorker, type TimerHandler } from './index.js';
import { databaseNow, effectHandler, effectRows, openReplica, timerRows, writeEffect } from './testing/timer-test-kit.js';

const SCHEMA = 'svc';
/** The replica the kill -9 test kills, built (`npm run build` first, as CI does). */
const HANGING_WORKER = fileURLToPath(new URL('../dist/testing/hanging-worker-process.harness.js', import.meta.url));

describe('a worker that dies or stops', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const orms: MikroORM[] = [];
  const workers: TimerWorker[] = [];

  const replica = async () => {
    const orm = await openReplica(database.url, SCHEMA);
    orms.push(orm);
    return orm;
  };
  const worker = (orm: MikroORM, handlers: TimerHandler[], options: Partial<ConstructorParameters<typeof TimerWorker>[0]> = {}) => {
    const w = new TimerWorker({ orm, handlers: handlers as TimerHandler<never>[], pollIntervalMs: 100, ...options });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_sched_crash');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    for (const orm of orms) await orm.close(true);
    await admin?.end();
    await database?.drop();
  });

  it('leaves a timer whose worker died mid-handler to another worker once the lease passes, and it fires once', async () => {
    const replicaA = await replica();
    const replicaB = await replica();
    let handlerPid: number | undefined;
    let letTheDeadHandlerReturn!: () => void;
    const deadHandlerMayReturn = new Promise<void>((resolve) => (letTheDeadHandlerReturn = resolve));
    const a = worker(
      replicaA,
      [
        {
          kind: 'crash',
          handle: async (timer, { em }) => {
            await writeEffect(em, timer, 'a');
            handlerPid = (await runSql<{ pid: number }>(em, 'SELECT pg_backend_pid() AS pid'))[0].pid;
            await deadHandlerMayReturn;
          },
        },
      ],
      { workerId: 'a', leaseMs: 1_500, handlerTimeoutMs: 60_000 },
    );
    await scheduleTimer(replicaA.em.fork(), { kind: 'crash', key: 'k', dueAt: await databaseNow(replicaA.em) });
    a.start();
    const pid = await waitFor('worker A inside the handler', () => handlerPid);
    const [claimed] = await timerRows(replicaA.em, `kind = 'crash'`);
    expect(claimed).toMatchObject({ locked_by: 'a/1', fired_at: null });

    // A's process dies: PostgreSQL sees its connection close and rolls its transaction back; its loop,
    // stuck in the handler, never polls again.
    const { rows } = await admin.query('SELECT pg_terminate_backend($1) AS done', [pid]);
    expect(rows).toEqual([{ done: true }]);
    const b = worker(replicaB, [effectHandler('crash', 'b')], { workerId: 'b' });
    b.start();

    await waitFor('worker B to fire the timer', async () => (await effectRows(replicaB.em, `kind = 'crash'`)).length > 0, { timeoutMs: 10_000 });
    const [fired] = await timerRows(replicaB.em, `kind = 'crash'`);
    expect(fired.fired_at!.getTime()).toBeGreaterThanOrEqual(claimed.locked_until!.getTime());
    expect(fired.attempts).toBe(0);

    // Even if the "dead" handler comes back, its transaction is gone: nothing of it commits.
    letTheDeadHandlerReturn();
    await sleep(300);
    expect((await effectRows(replicaB.em, `kind = 'crash'`)).map((e) => e.written_by)).toEqual(['b']);
    expect(await timerRows(replicaB.em, `kind = 'crash'`)).toEqual([expect.objectContaining({ fired_at: fired.fired_at, attempts: 0 })]);
    expect(b.stats().fired).toBe(1);
    expect(a.stats().fired).toBe(0);
  });

  it('leaves a timer whose worker process was killed with SIGKILL mid-handler to another worker, and it fires once', async () => {
    const orm = await replica();
    await scheduleTimer(orm.em.fork(), { kind: 'sigkill', key: 'k', dueAt: await databaseNow(orm.em) });
    const child = spawn(process.execPath, [HANGING_WORKER], {
      env: { ...process.env, DATABASE_URL: database.url, SCHEMA, TIMER_KIND: 'sigkill', LEASE_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await lineFrom(child, /^in handler /);
      const [, , timerId, pid] = line.split(' ');
      const [claimed] = await timerRows(orm.em, `kind = 'sigkill'`);
      expect(claimed).toMatchObject({ id: timerId, locked_by: 'killed/1', fired_at: null });

      child.kill('SIGKILL');
      await waitFor('the killed process to exit', () => child.exitCode !== null || child.signalCode !== null);
      // PostgreSQL ends the backend when the socket closes; its transaction is rolled back.
      await waitFor('its backend to end', async () => (await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [Number(pid)])).rowCount === 0);
      expect(await effectRows(orm.em, `kind = 'sigkill'`)).toEqual([]);

      const survivor = worker(orm, [effectHandler('sigkill', 'survivor')]);
      survivor.start();
      await waitFor('the survivor to fire the timer', async () => (await effectRows(orm.em, `kind = 'sigkill'`)).length > 0, { timeoutMs: 10_000 });
      const [fired] = await timerRows(orm.em, `kind = 'sigkill'`);
      expect(fired.fired_at!.getTime()).toBeGreaterThanOrEqual(claimed.locked_until!.getTime());
      await sleep(300);
      expect((await effectRows(orm.em, `kind = 'sigkill'`)).map((e) => e.written_by)).toEqual(['survivor']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('waits for a row lock held a moment by another session (a claim round passing over it) instead of leaving the timer to its lease', async () => {
    const orm = await replica();
    const now = await databaseNow(orm.em);
    await scheduleTimers(orm.em.fork(), [
      { kind: 'passed-over', key: 'first', dueAt: new Date(now.getTime() - 1) },
      { kind: 'passed-over', key: 'second', dueAt: now },
    ]);
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    let lockReleased: Promise<unknown> | undefined;
    const w = worker(
      orm,
      [
        {
          kind: 'passed-over',
          handle: async (timer, { em }) => {
            if (timer.key === 'first') {
              // Claimed together with "first"; locked elsewhere right when the worker turns to it.
              await locker.query('BEGIN');
              await locker.query(`SELECT 1 FROM ${SCHEMA}.scheduled_timers WHERE key = 'second' FOR UPDATE`);
              lockReleased = sleep(300).then(() => locker.query('COMMIT'));
            }
            await writeEffect(em, timer, 'w');
          },
        },
      ],
      { concurrency: 1, batchSize: 2, leaseMs: 600_000 },
    );
    try {
      w.start();
      await waitFor('both timers to fire', async () => (await effectRows(orm.em, `kind = 'passed-over'`)).length === 2, { timeoutMs: 5_000 });
      expect(w.stats()).toMatchObject({ claimed: 2, fired: 2, skipped: 0 });
    } finally {
      await lockReleased;
      await locker.end();
    }
  });

  it('fires the timers that came due while no worker ran as soon as one starts', async () => {
    const orm = await replica();
    const now = await databaseNow(orm.em);
    await scheduleTimers(
      orm.em.fork(),
      [-86_400_000, -60_000, -1].map((ago, i) => ({ kind: 'overdue', key: `k${i}`, dueAt: new Date(now.getTime() + ago) })),
    );
    await sleep(200);
    expect(await effectRows(orm.em, `kind = 'overdue'`)).toEqual([]);

    const w = worker(orm, [effectHandler('overdue', 'w')]);
    w.start();
    await waitFor('the overdue timers to fire', async () => (await effectRows(orm.em, `kind = 'overdue'`)).length === 3);
    expect((await effectRows(orm.em, `kind = 'overdue'`)).map((e) => e.key).sort()).toEqual(['k0', 'k1', 'k2']);
    expect(w.stats().maxLagMs).toBeGreaterThanOrEqual(86_400_000);
  });

  it('on a clean stop finishes the handlers running and hands the rest of its claim back at once', async () => {
    const first = await replica();
    const slow = (name: string): TimerHandler => ({
      kind: 'restart',
      handle: async (timer, { em }) => {
        await sleep(100);
        await writeEffect(em, timer, name);
      },
    });
    const now = await databaseNow(first.em);
    await scheduleTimers(
      first.em.fork(),
      Array.from({ length: 10 }, (_, i) => ({ kind: 'restart', key: `k${i}`, dueAt: now })),
    );
    // A lease far longer than the test: only the hand-back lets the next worker take the rest now.
    const before = worker(first, [slow('before')], { batchSize: 10, concurrency: 1, leaseMs: 600_000 });
    before.start();
    await waitFor('three timers fired', async () => (await effectRows(first.em, `kind = 'restart'`)).length >= 3);
    await before.stop();
    const firedBefore = (await effectRows(first.em, `kind = 'restart'`)).length;
    expect(firedBefore).toBeLessThan(10);
    expect(await timerRows(first.em, `kind = 'restart' AND fired_at IS NULL AND locked_by IS NOT NULL`)).toEqual([]);

    const after = worker(await replica(), [slow('after')], { concurrency: 4 });
    after.start();
    await waitFor('the rest to fire after the restart', async () => (await effectRows(first.em, `kind = 'restart'`)).length === 10, { timeoutMs: 5_000 });
    const effects = await effectRows(first.em, `kind = 'restart'`);
    expect(new Set(effects.map((e) => e.key)).size).toBe(10);
    expect(effects.filter((e) => e.written_by === 'after')).toHaveLength(10 - firedBefore);
  });
});

/** The first stdout line of `child` matching `pattern`; fails with its stderr when it exits first. */
function lineFrom(child: ChildProcess, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = stdout.split('\n').find((line) => pattern.test(line));
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the worker process exited (${code ?? signal}) first; stderr:\n${stderr}`));
    });
  });
}
