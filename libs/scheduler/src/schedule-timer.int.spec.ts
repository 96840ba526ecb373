import { CommandHandler, PostgresEventStore, type Decider } from '@botplatform/event-store';
import { createTestDatabase, sleep, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  cancelTimer,
  InvalidTimerError,
  InvalidTimerWorkerError,
  scheduleTimer,
  scheduleTimers,
  timerProjection,
  TimerWorker,
  type TimerHandler,
} from './index.js';
import { databaseNow, effectHandler, effectRows, openReplica, timerRows, writeEffect } from './testing/timer-test-kit.js';

const SCHEMA = 'svc';

describe('scheduling a timer', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  const workers: TimerWorker[] = [];

  const startWorker = (handlers: TimerHandler[], options: { pollIntervalMs?: number } = {}) => {
    const worker = new TimerWorker({ orm, handlers: handlers as TimerHandler<never>[], pollIntervalMs: options.pollIntervalMs ?? 100 });
    workers.push(worker);
    worker.start();
    return worker;
  };

  beforeAll(async () => {
    database = await createTestDatabase('bp_sched_schedule');
    orm = await openReplica(database.url, SCHEMA);
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  it('writes nothing when the transaction that schedules it rolls back', async () => {
    const dueAt = await databaseNow(orm.em);
    await expect(
      orm.em.fork().transactional(async (em) => {
        await scheduleTimer(em, { kind: 'rollback', key: 'a', dueAt });
        expect(await timerRows(em, `kind = 'rollback'`)).toHaveLength(1);
        throw new Error('the command failed after scheduling');
      }),
    ).rejects.toThrow('the command failed after scheduling');

    expect(await timerRows(orm.em, `kind = 'rollback'`)).toEqual([]);
    startWorker([effectHandler('rollback', 'w')]);
    await sleep(400);
    expect(await effectRows(orm.em, `kind = 'rollback'`)).toEqual([]);
  });

  it('fires a committed timer once, at its due time and not before, woken by the due time rather than the poll', async () => {
    const seen: { dueAt: Date; firedAt: number }[] = [];
    // A poll far longer than the wait: only the wake at the due time can fire it on time.
    startWorker(
      [
        {
          kind: 'on-time',
          handle: async (timer, { em }) => {
            seen.push({ dueAt: timer.dueAt, firedAt: Date.now() });
            await writeEffect(em, timer, 'w');
          },
        },
      ],
      { pollIntervalMs: 10_000 },
    );
    await sleep(100);
    const dueAt = new Date((await databaseNow(orm.em)).getTime() + 800);
    await orm.em.fork().transactional((em) => scheduleTimer(em, { kind: 'on-time', key: 'k', dueAt, payload: { n: 1 } }));
    // The worker learns of it at its next round: nudge it as a service scheduling in-process would.
    workers[0].wake();

    await waitFor('the timer to fire', async () => (await effectRows(orm.em, `kind = 'on-time'`)).length === 1, { timeoutMs: 5_000 });
    const [timer] = await timerRows(orm.em, `kind = 'on-time'`);
    expect(timer.fired_at!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(seen).toHaveLength(1);
    expect(seen[0].dueAt).toEqual(dueAt);
    expect(seen[0].firedAt).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(seen[0].firedAt - dueAt.getTime()).toBeLessThan(1_000);

    await sleep(500);
    expect(await effectRows(orm.em, `kind = 'on-time'`)).toHaveLength(1);
    expect(workers[0].stats()).toMatchObject({ fired: 1, retried: 0, parked: 0 });
  });

  it('keeps one timer when the same kind and key is scheduled twice, and fires it once', async () => {
    const now = await databaseNow(orm.em);
    const first = await orm.em.fork().transactional((em) => scheduleTimer(em, { kind: 'twice', key: 'k', dueAt: now, payload: { first: true } }));
    const second = await orm.em.fork().transactional((em) => scheduleTimer(em, { kind: 'twice', key: 'k', dueAt: now, payload: { first: false } }));
    const inOneCall = await scheduleTimers(orm.em.fork(), [
      { kind: 'twice', key: 'k', dueAt: now },
      { kind: 'twice', key: 'k', dueAt: now },
    ]);
    expect([first, second, inOneCall]).toEqual([true, false, 0]);
    expect(await timerRows(orm.em, `kind = 'twice'`)).toEqual([expect.objectContaining({ payload: { first: true } })]);

    startWorker([effectHandler('twice', 'w')]);
    await waitFor('the timer to fire', async () => (await effectRows(orm.em, `kind = 'twice'`)).length > 0);
    // Scheduled again after it fired (a redelivered event): still nothing new.
    expect(await scheduleTimer(orm.em.fork(), { kind: 'twice', key: 'k', dueAt: now })).toBe(false);
    await sleep(400);
    expect(await effectRows(orm.em, `kind = 'twice'`)).toHaveLength(1);
  });

  it('moves a pending timer with replace, and re-arms a fired one', async () => {
    const now = await databaseNow(orm.em);
    const later = new Date(now.getTime() + 3_600_000);
    await scheduleTimer(orm.em.fork(), { kind: 'moved', key: 'k', dueAt: now, payload: { v: 1 } });
    expect(await scheduleTimer(orm.em.fork(), { kind: 'moved', key: 'k', dueAt: later, payload: { v: 2 } }, { ifExists: 'replace' })).toBe(true);
    startWorker([effectHandler('moved', 'w')]);
    await sleep(400);
    expect(await effectRows(orm.em, `kind = 'moved'`)).toEqual([]);
    expect(await timerRows(orm.em, `kind = 'moved'`)).toEqual([expect.objectContaining({ due_at: later, payload: { v: 2 }, fired_at: null })]);

    await scheduleTimer(orm.em.fork(), { kind: 'moved', key: 'k', dueAt: now }, { ifExists: 'replace' });
    await waitFor('the moved-back timer to fire', async () => (await effectRows(orm.em, `kind = 'moved'`)).length === 1);
    await scheduleTimer(orm.em.fork(), { kind: 'moved', key: 'k', dueAt: now }, { ifExists: 'replace' });
    await waitFor('the re-armed timer to fire again', async () => (await effectRows(orm.em, `kind = 'moved'`)).length === 2);
  });

  it('lets a handler re-arm its own timer with replace, for a periodic check', async () => {
    startWorker([
      {
        kind: 'periodic',
        handle: async (timer, { em }) => {
          await writeEffect(em, timer, 'w');
          const round = (timer.payload as { round: number }).round;
          if (round < 3)
            await scheduleTimer(
              em,
              { kind: 'periodic', key: timer.key, dueAt: new Date(timer.dueAt.getTime() + 200), payload: { round: round + 1 } },
              { ifExists: 'replace' },
            );
        },
      },
    ]);
    const first = await databaseNow(orm.em);
    await scheduleTimer(orm.em.fork(), { kind: 'periodic', key: 'health-check', dueAt: first, payload: { round: 1 } });

    await waitFor('three rounds', async () => (await effectRows(orm.em, `kind = 'periodic'`)).length === 3, { timeoutMs: 5_000 });
    const effects = await effectRows(orm.em, `kind = 'periodic'`);
    // Round n is due 200 ms after round n-1 was due, and never fires before.
    for (const [n, effect] of effects.entries()) expect(effect.written_at.getTime()).toBeGreaterThanOrEqual(first.getTime() + 200 * n);
    await sleep(400);
    expect(await effectRows(orm.em, `kind = 'periodic'`)).toHaveLength(3);
    expect(await timerRows(orm.em, `kind = 'periodic'`)).toEqual([
      expect.objectContaining({ due_at: new Date(first.getTime() + 400), payload: { round: 3 }, fired_at: expect.any(Date) }),
    ]);
  });

  it('never fires a cancelled timer, and cancelling a fired one changes nothing', async () => {
    const now = await databaseNow(orm.em);
    await scheduleTimer(orm.em.fork(), { kind: 'cancelled', key: 'a', dueAt: new Date(now.getTime() + 300) });
    await scheduleTimer(orm.em.fork(), { kind: 'cancelled', key: 'b', dueAt: now });
    expect(await orm.em.fork().transactional((em) => cancelTimer(em, 'cancelled', 'a'))).toBe(true);
    startWorker([effectHandler('cancelled', 'w')]);
    await waitFor('b to fire', async () => (await effectRows(orm.em, `kind = 'cancelled'`)).length === 1);
    expect(await cancelTimer(orm.em.fork(), 'cancelled', 'b')).toBe(false);
    await sleep(600);
    expect((await effectRows(orm.em, `kind = 'cancelled'`)).map((e) => e.key)).toEqual(['b']);
    expect((await timerRows(orm.em, `kind = 'cancelled'`)).map((t) => t.key)).toEqual(['b']);
  });

  it('schedules in the append transaction through timerProjection: a lost append leaves no timer', async () => {
    type Event = { type: 'Started'; data: { id: string; endsAt: string } };
    const decider: Decider<null, { id: string; endsAt: string }, Event> = {
      initialState: () => null,
      decide: (command) => [{ type: 'Started', data: command }],
      evolve: (state) => state,
    };
    const store = new PostgresEventStore(orm.em, { schema: SCHEMA });
    const expiry = timerProjection<Event>('expiry-timers', (event) =>
      event.type === 'Started'
        ? {
            schedule: {
              kind: 'projected',
              key: event.data.id,
              dueAt: new Date(event.data.endsAt),
              payload: { streamId: event.metadata.streamId },
            },
          }
        : undefined,
    );
    const handler = new CommandHandler(store, decider, { projections: [expiry] });
    const context = { botId: 'bot-1', correlationId: 'c-1', causationId: null, actor: { kind: 'system' as const, id: 'test' }, occurredAt: new Date() };
    const endsAt = (await databaseNow(orm.em)).toISOString();

    await handler.handle('sub-1', { id: 'sub-1', endsAt }, context);
    // The same append again at a version that moved on: the projection's insert rolls back with it.
    await expect(
      store.transaction(async (em) => {
        await store.append('sub-2', 'no_stream', [{ type: 'Started', data: { id: 'sub-2', endsAt } }], context, { em });
        await expiry.apply((await store.readStream('sub-2', { em })).events, em);
        await store.append('sub-2', 'no_stream', [{ type: 'Started', data: { id: 'sub-2', endsAt } }], context, { em });
      }),
    ).rejects.toMatchObject({ code: 'EVENT_STORE.WRONG_EXPECTED_VERSION' });

    expect(await timerRows(orm.em, `kind = 'projected'`)).toEqual([expect.objectContaining({ key: 'sub-1', payload: { streamId: 'sub-1' } })]);
    startWorker([effectHandler('projected', 'w')]);
    await waitFor('the projected timer to fire', async () => (await effectRows(orm.em, `kind = 'projected'`)).length === 1);
  });

  it('deletes fired timers of its kinds once their retention passed, after which the same key schedules anew', async () => {
    const now = await databaseNow(orm.em);
    await scheduleTimer(orm.em.fork(), { kind: 'retained', key: 'k', dueAt: now });
    await scheduleTimer(orm.em.fork(), { kind: 'other-kind', key: 'k', dueAt: now });
    const keeping = startWorker([effectHandler('retained', 'w'), effectHandler('other-kind', 'w')]);
    await waitFor('both to fire', async () => (await effectRows(orm.em, `kind IN ('retained', 'other-kind')`)).length === 2);
    await keeping.stop();
    // Fired and kept (default retention): a redelivered event schedules nothing.
    expect(await scheduleTimer(orm.em.fork(), { kind: 'retained', key: 'k', dueAt: now })).toBe(false);

    const pruning = new TimerWorker({ orm, handlers: [effectHandler('retained', 'w')] as TimerHandler<never>[], retainFiredMs: 1, pollIntervalMs: 100 });
    workers.push(pruning);
    pruning.start();
    await waitFor('the fired timer to be deleted', async () => (await timerRows(orm.em, `kind = 'retained'`)).length === 0);
    expect(await timerRows(orm.em, `kind = 'other-kind'`)).toHaveLength(1);
    expect(await scheduleTimer(orm.em.fork(), { kind: 'retained', key: 'k', dueAt: new Date(now.getTime() + 3_600_000) })).toBe(true);
  });

  it('refuses a bad timer with a typed error and writes nothing', async () => {
    const em = orm.em.fork();
    const now = new Date();
    const bad = [
      { kind: '', key: 'k', dueAt: now },
      { kind: 'bad', key: '', dueAt: now },
      { kind: 'bad', key: 'x'.repeat(501), dueAt: now },
      { kind: 'bad', key: 'k', dueAt: new Date('nonsense') },
      { kind: 'bad', key: 'k', dueAt: '2026-01-01' as unknown as Date },
      { kind: 'bad', key: 'k', dueAt: now, payload: { n: 1n } },
    ];
    for (const timer of bad) {
      await expect(scheduleTimer(em, timer)).rejects.toMatchObject({ code: 'SCHEDULER.INVALID_TIMER' });
    }
    await expect(scheduleTimers(em, [{ kind: 'bad', key: 'ok', dueAt: now }, bad[1]])).rejects.toBeInstanceOf(InvalidTimerError);
    expect(await timerRows(orm.em, `kind IN ('', 'bad')`)).toEqual([]);

    expect(() => new TimerWorker({ orm, handlers: [effectHandler('a', 'w'), effectHandler('a', 'w')] as TimerHandler<never>[] })).toThrow(
      InvalidTimerWorkerError,
    );
    expect(() => new TimerWorker({ orm, handlers: [] })).toThrow(expect.objectContaining({ code: 'SCHEDULER.INVALID_WORKER' }));
    expect(() => new TimerWorker({ orm, handlers: [effectHandler('a', 'w')] as TimerHandler<never>[], batchSize: 0 })).toThrow(InvalidTimerWorkerError);
  });
});
