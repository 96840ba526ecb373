import type { MikroORM } from '@mikro-orm/postgresql';
import { createTestDatabase, waitFor, type TestDatabase } from '@botplatform/testing';
import pg from 'pg';
import { createServiceOrm, eventStoreMigrations, runSql } from './index.js';

/** Settles with `work`, or rejects naming `what` once `ms` passed: a leaked pool makes `work` wait forever. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

describe('createServiceOrm', () => {
  let database: TestDatabase;
  let orm: MikroORM;
  let admin: pg.Client;

  /** Terminates one backend of this file's own database (never another test's connections). */
  const terminate = async (pid: number) => {
    const { rows } = await admin.query<{ done: boolean }>('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid = $1 AND datname = $2', [
      pid,
      database.name,
    ]);
    expect(rows).toEqual([{ done: true }]);
  };

  const backendPid = async (em: MikroORM['em']) => Number((await runSql<{ pid: number }>(em, 'SELECT pg_backend_pid() AS pid'))[0].pid);

  beforeAll(async () => {
    database = await createTestDatabase('bp_service_orm');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'svc', migrations: eventStoreMigrations, poolSize: 3, acquireTimeoutMs: 1_000 });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    // Before the fix the leaked clients are never released, so the pool's end would wait forever.
    await within(5_000, 'closing the ORM', orm?.close(true) ?? Promise.resolve()).catch(() => undefined);
    await database?.drop();
  });

  it('gets its connections back when the server terminates them inside transactions', async () => {
    // The storm: pool max 3, 13 terminations a transaction each. Half die before their next
    // statement, half between their last statement and the COMMIT: either way the ROLLBACK fails too.
    for (let round = 1; round <= 13; round++) {
      const transaction = orm.em.fork().transactional(async (em) => {
        await terminate(await backendPid(em));
        if (round % 2 === 1) await runSql(em, 'SELECT 1');
      });
      await expect(within(5_000, `transaction ${round} of the storm`, transaction)).rejects.toThrow(
        /terminating connection|Connection terminated|ECONNRESET|not queryable/,
      );
    }

    for (let round = 1; round <= 10; round++) {
      const answer = orm.em.fork().transactional(async (em) => (await runSql<{ n: number }>(em, 'SELECT $1::int AS n', [round]))[0].n);
      await expect(within(5_000, `transaction ${round} after the storm`, answer)).resolves.toBe(round);
    }
    const pool = await orm.em.getConnection().getNativeClient();
    expect(pool.totalCount).toBeLessThanOrEqual(3);
    expect(pool.waitingCount).toBe(0);
  });

  it('fails a query that waits too long for a connection instead of queueing it forever', async () => {
    let releaseHolders!: () => void;
    const holdersMayFinish = new Promise<void>((resolve) => (releaseHolders = resolve));
    let holding = 0;
    const holders = Array.from({ length: 3 }, () =>
      orm.em.fork().transactional(async (em) => {
        await runSql(em, 'SELECT 1');
        holding++;
        await holdersMayFinish;
      }),
    );
    try {
      await waitFor('three transactions holding the whole pool', () => holding === 3, { timeoutMs: 5_000 });
      const waiting = orm.em.fork().execute('SELECT 1');
      await expect(within(5_000, 'a query on a full pool', waiting)).rejects.toThrow(/timeout exceeded when trying to connect/);
    } finally {
      releaseHolders();
      await Promise.all(holders);
    }
  });

  it('bounds statements and idle transactions by default (30 s, 10 s), on every pooled session', async () => {
    const [settings] = await runSql<{ statement: string; idle: string }>(
      orm.em,
      `SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle`,
    );
    expect(settings).toEqual({ statement: '30s', idle: '10s' });
  });

  it('ends a statement past its timeout and a session left idle in a transaction past its timeout', async () => {
    const bounded = await createServiceOrm({
      clientUrl: database.url,
      schema: 'svc',
      migrations: eventStoreMigrations,
      poolSize: 2,
      statementTimeoutMs: 200,
      idleInTransactionTimeoutMs: 300,
    });
    try {
      await expect(runSql(bounded.em, 'SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
      const forgotten = bounded.em.fork().transactional(async (em) => {
        await runSql(em, 'SELECT pg_current_xact_id()');
        await new Promise((resolve) => setTimeout(resolve, 1_000)); // idle inside the transaction
        await runSql(em, 'SELECT 1');
      });
      await expect(within(5_000, 'the forgotten transaction', forgotten)).rejects.toThrow();
      // The pool recovers: the ended session is replaced.
      expect(await runSql(bounded.em, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await bounded.close(true);
    }
  });
});
