import { runSql } from '@botplatform/event-store';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import { scheduleTimers, TimerWorker, type TimerHandler } from './index.js';
import { databaseNow, effectHandler, effectRows, openReplica } from './testing/timer-test-kit.js';

const SCHEMA = 'svc';
const TIMERS = 2_000;

describe('two replicas of a service on one database', () => {
  let database: TestDatabase;
  let replicaA: MikroORM;
  let replicaB: MikroORM;
  const workers: TimerWorker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('bp_sched_replicas');
    replicaA = await openReplica(database.url, SCHEMA);
    replicaB = await openReplica(database.url, SCHEMA);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await replicaA?.close(true);
    await replicaB?.close(true);
    await database?.drop();
  });

  it.each([
    { timersPerTransaction: 1, kind: 'expire' },
    { timersPerTransaction: 20, kind: 'expire-grouped' },
  ])(
    `fire each of ${TIMERS} timers due at once exactly once between them, both doing some ($timersPerTransaction per transaction)`,
    async ({ timersPerTransaction, kind }) => {
      const workerOf = (orm: MikroORM, name: string) =>
        new TimerWorker({
          orm,
          workerId: name,
          handlers: [effectHandler(kind, name)] as TimerHandler<never>[],
          batchSize: 25 * timersPerTransaction,
          concurrency: 3,
          timersPerTransaction,
          pollIntervalMs: 50,
        });
      const a = workerOf(replicaA, `a-${kind}`);
      const b = workerOf(replicaB, `b-${kind}`);
      workers.push(a, b);
      a.start();
      b.start();

      const now = await databaseNow(replicaA.em);
      const timers = Array.from({ length: TIMERS }, (_, i) => ({ kind, key: `subscription-${i}`, dueAt: now, payload: { i } }));
      await replicaA.em.fork().transactional((em) => scheduleTimers(em, timers));

      await waitFor('every timer to fire', async () => (a.stats().fired + b.stats().fired === TIMERS ? true : undefined), {
        timeoutMs: 25_000,
        intervalMs: 100,
      });

      const effects = await effectRows(replicaA.em, 'kind = $1', [kind]);
      expect(effects).toHaveLength(TIMERS);
      expect(new Set(effects.map((e) => e.key)).size).toBe(TIMERS);
      const [unfired] = await runSql<{ n: string }>(replicaA.em, `SELECT count(*) AS n FROM ${SCHEMA}.scheduled_timers WHERE fired_at IS NULL AND kind = $1`, [
        kind,
      ]);
      expect(Number(unfired.n)).toBe(0);

      const byWriter = (name: string) => effects.filter((e) => e.written_by === name).length;
      expect(byWriter(`a-${kind}`)).toBe(a.stats().fired);
      expect(byWriter(`b-${kind}`)).toBe(b.stats().fired);
      expect(byWriter(`a-${kind}`)).toBeGreaterThan(0);
      expect(byWriter(`b-${kind}`)).toBeGreaterThan(0);
      expect(await a.backlog()).toEqual({ due: 0, scheduled: 0, parked: 0, oldestDueLagMs: null });
    },
  );
});
