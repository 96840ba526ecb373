import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ParkTimerError, scheduleTimer, scheduleTimers, TimerWorker, type TimerHandler, type TimerOutcome } from './index.js';
import { databaseNow, effectRows, openReplica, timerRows, writeEffect } from './testing/timer-test-kit.js';

const SCHEMA = 'svc';

describe('a failing timer handler', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  const workers: TimerWorker[] = [];
  const settled: { kind: string; outcome: TimerOutcome }[] = [];

  const start = (handler: TimerHandler, options: Partial<ConstructorParameters<typeof TimerWorker>[0]> = {}) => {
    const worker = new TimerWorker({
      orm,
      handlers: [handler] as TimerHandler<never>[],
      pollIntervalMs: 50,
      observer: { timerSettled: (kind, outcome) => settled.push({ kind, outcome }) },
      ...options,
    });
    workers.push(worker);
    worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_sched_retries');
    orm = await openReplica(database.url, SCHEMA);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await orm?.close(true);
    await database?.drop();
  });

  it('is retried after each backoff, its partial effects rolled back, until an attempt succeeds', async () => {
    const attempts: { attempt: number; at: number }[] = [];
    const worker = start({
      kind: 'flaky',
      backoffMs: [300, 600],
      handle: async (timer, { em }) => {
        attempts.push({ attempt: timer.attempt, at: Date.now() });
        // Written before the failure: rolled back with the attempt.
        await writeEffect(em, timer, `attempt ${timer.attempt}`);
        if (timer.attempt < 3) throw new Error(`flaky failure ${timer.attempt}`);
      },
    });
    await scheduleTimer(orm.em.fork(), { kind: 'flaky', key: 'k', dueAt: await databaseNow(orm.em) });

    await waitFor('the third attempt to succeed', async () => (await effectRows(orm.em, `kind = 'flaky'`)).length > 0, { timeoutMs: 5_000 });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(300);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(600);
    expect((await effectRows(orm.em, `kind = 'flaky'`)).map((e) => e.written_by)).toEqual(['attempt 3']);
    expect(await timerRows(orm.em, `kind = 'flaky'`)).toEqual([
      expect.objectContaining({ attempts: 2, last_error: 'flaky failure 2', fired_at: expect.any(Date), parked_at: null }),
    ]);
    expect(settled.filter((s) => s.kind === 'flaky').map((s) => s.outcome)).toEqual(['retry', 'retry', 'fired']);
    expect(worker.stats()).toMatchObject({ fired: 1, retried: 2, parked: 0 });
  });

  it('in a group of several per transaction, costs only the failing timer an attempt, and every effect happens once', async () => {
    const calls = new Map<string, number>();
    const worker = start(
      {
        kind: 'grouped',
        handle: async (timer, { em }) => {
          calls.set(timer.key, (calls.get(timer.key) ?? 0) + 1);
          await writeEffect(em, timer, 'w');
          if (timer.key === 'k3' && timer.attempt === 1) throw new Error('k3 fails once');
        },
      },
      { timersPerTransaction: 10, backoffMs: [100] },
    );
    const now = await databaseNow(orm.em);
    await scheduleTimers(
      orm.em.fork(),
      Array.from({ length: 6 }, (_, i) => ({ kind: 'grouped', key: `k${i}`, dueAt: now })),
    );

    await waitFor('all six to fire', async () => (await effectRows(orm.em, `kind = 'grouped'`)).length === 6, { timeoutMs: 5_000 });
    await sleep(300);
    expect((await effectRows(orm.em, `kind = 'grouped'`)).map((e) => e.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    const rows = await timerRows(orm.em, `kind = 'grouped'`);
    expect(rows.every((r) => r.fired_at !== null)).toBe(true);
    expect(rows.filter((r) => r.attempts > 0)).toEqual([expect.objectContaining({ key: 'k3', attempts: 1, last_error: 'k3 fails once' })]);
    // The group ran once and was rolled back; the replay one by one ran k3 to its failure, then its retry.
    expect(calls.get('k3')).toBe(3);
    expect(worker.stats()).toMatchObject({ fired: 6, retried: 1, parked: 0 });
  });

  it('is parked with its last error after the last attempt, kept, and never tried again', async () => {
    let calls = 0;
    const worker = start(
      {
        kind: 'broken',
        handle: async () => {
          calls++;
          throw new Error(`broken ${calls}`);
        },
      },
      { maxAttempts: 3, backoffMs: [50] },
    );
    await scheduleTimer(orm.em.fork(), { kind: 'broken', key: 'k', dueAt: await databaseNow(orm.em), payload: { keep: 'me' } });

    await waitFor('the timer to be parked', async () => (await timerRows(orm.em, `kind = 'broken' AND parked_at IS NOT NULL`)).length === 1, {
      timeoutMs: 5_000,
    });
    expect(await timerRows(orm.em, `kind = 'broken'`)).toEqual([
      expect.objectContaining({ attempts: 3, last_error: 'broken 3', fired_at: null, parked_at: expect.any(Date), payload: { keep: 'me' } }),
    ]);
    await sleep(300);
    expect(calls).toBe(3);
    expect(worker.stats()).toMatchObject({ fired: 0, retried: 2, parked: 1 });
    expect(await worker.backlog()).toEqual({ due: 0, scheduled: 0, parked: 1, oldestDueLagMs: null });
  });

  it('is parked at once when it throws ParkTimerError', async () => {
    start({
      kind: 'hopeless',
      handle: async () => {
        throw new ParkTimerError('the subscription no longer exists');
      },
    });
    await scheduleTimer(orm.em.fork(), { kind: 'hopeless', key: 'k', dueAt: await databaseNow(orm.em) });
    await waitFor('the timer to be parked', async () => (await timerRows(orm.em, `kind = 'hopeless' AND parked_at IS NOT NULL`)).length === 1);
    expect(await timerRows(orm.em, `kind = 'hopeless'`)).toEqual([expect.objectContaining({ attempts: 1, last_error: 'the subscription no longer exists' })]);
  });

  it('fails a handler that runs past its timeout, and what it writes afterwards never commits', async () => {
    let lateWrite: Promise<unknown> | undefined;
    start(
      {
        kind: 'slow',
        handle: async (timer, { em }) => {
          await sleep(500);
          lateWrite = writeEffect(em, timer, 'too late').catch((error: unknown) => error);
          await lateWrite;
        },
      },
      { handlerTimeoutMs: 150, maxAttempts: 1 },
    );
    await scheduleTimer(orm.em.fork(), { kind: 'slow', key: 'k', dueAt: await databaseNow(orm.em) });

    await waitFor('the timer to be parked', async () => (await timerRows(orm.em, `kind = 'slow' AND parked_at IS NOT NULL`)).length === 1);
    expect(await timerRows(orm.em, `kind = 'slow'`)).toEqual([
      expect.objectContaining({ attempts: 1, last_error: 'the slow handler did not finish within 150 ms', fired_at: null }),
    ]);
    await waitFor('the late write to settle', () => lateWrite);
    expect(await lateWrite).toBeInstanceOf(Error);
    expect(await effectRows(orm.em, `kind = 'slow'`)).toEqual([]);
  });
});
