import { runSql } from '@botplatform/event-store';
import { TimerWorker, type TimerHandler } from '../index.js';
import { openReplica, writeEffect } from './timer-test-kit.js';

/**
 * A service replica in a process of its own, for the kill -9 test (run built: `node dist/testing/…`).
 * Its worker fires timers of `TIMER_KIND`: each handler writes its effect, says "in handler <timer id>
 * <backend pid>" on stdout and then never returns, so the process is killed with the transaction open.
 */
const { DATABASE_URL, SCHEMA, TIMER_KIND, LEASE_MS } = process.env;
if (!DATABASE_URL || !SCHEMA || !TIMER_KIND) throw new Error('DATABASE_URL, SCHEMA and TIMER_KIND are required');

const orm = await openReplica(DATABASE_URL, SCHEMA);
const hang: TimerHandler = {
  kind: TIMER_KIND,
  handle: async (timer, { em }) => {
    await writeEffect(em, timer, 'killed process');
    const [{ pid }] = await runSql<{ pid: number }>(em, 'SELECT pg_backend_pid() AS pid');
    process.stdout.write(`in handler ${timer.id} ${pid}\n`);
    await new Promise(() => undefined);
  },
};
new TimerWorker({ orm, handlers: [hang] as TimerHandler<never>[], workerId: 'killed', leaseMs: Number(LEASE_MS ?? 1_000), pollIntervalMs: 50 }).start();
process.stdout.write('started\n');
