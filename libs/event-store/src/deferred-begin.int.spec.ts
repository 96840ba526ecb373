import { createTestDatabase, type TestDatabase } from '@botplatform/testing';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { deferBegin, forgetHeldBegin } from './deferred-begin.js';
import { createServiceOrm, eventStoreMigrations, runSql, sqlLiteral } from './index.js';

describe('deferBegin', () => {
  let database: TestDatabase;
  let client: pg.Client;
  /** What went out on the connection, statement by statement as sent. */
  let sent: string[];
  /** Round trips: simple queries and extended-protocol Syncs written to the connection. */
  let roundTrips: number;
  /** Statement texts parsed on the connection (extended protocol), in order. */
  let parsed: string[];

  const rows = async () => (await client.query<{ note: string }>('SELECT note FROM deferred_begin_notes ORDER BY note')).rows.map((row) => row.note);

  beforeAll(async () => {
    database = await createTestDatabase('bp_deferred_begin');
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('CREATE TABLE deferred_begin_notes (note text PRIMARY KEY)');
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
      sent.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
      return query(config, ...rest);
    };
    deferBegin(client);
    const connection = (client as unknown as { connection: Record<'query' | 'sync' | 'parse', (...args: unknown[]) => unknown> }).connection;
    for (const message of ['query', 'sync'] as const) {
      const write = connection[message].bind(connection);
      connection[message] = (...args: unknown[]) => {
        roundTrips++;
        return write(...args);
      };
    }
    const parse = connection.parse.bind(connection);
    connection.parse = (query: unknown) => {
      parsed.push((query as { text: string }).text);
      return parse(query);
    };
  });

  beforeEach(async () => {
    sent = [];
    parsed = [];
    roundTrips = 0;
    await client.query('TRUNCATE deferred_begin_notes');
    sent = [];
    parsed = [];
    roundTrips = 0;
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('sends BEGIN with a first statement that has no parameters, as one query answered with its result', async () => {
    await client.query('begin', []);
    const result = await client.query(`INSERT INTO deferred_begin_notes VALUES ('one') RETURNING note`, []);
    expect(result.rows).toEqual([{ note: 'one' }]);
    expect(sent).toEqual([`BEGIN; INSERT INTO deferred_begin_notes VALUES ('one') RETURNING note`]);
    // Inside a transaction: a rollback takes the row back.
    await client.query('rollback', []);
    expect(await rows()).toEqual([]);
  });

  it('sends BEGIN with a first statement that has parameters in one exchange, answered with its result', async () => {
    await client.query('begin', []);
    const result = await client.query('INSERT INTO deferred_begin_notes VALUES ($1) RETURNING note', ['two']);
    expect(result.rows).toEqual([{ note: 'two' }]);
    expect(result.command).toBe('INSERT');
    expect(parsed).toEqual(['BEGIN', 'INSERT INTO deferred_begin_notes VALUES ($1) RETURNING note']);
    expect(roundTrips).toBe(1);
    // The second statement of the transaction goes on its own, inside it; a rollback takes both back.
    await client.query('INSERT INTO deferred_begin_notes VALUES ($1)', ['two and a half']);
    expect(roundTrips).toBe(2);
    await client.query('rollback', []);
    expect(sent).toEqual(['INSERT INTO deferred_begin_notes VALUES ($1) RETURNING note', 'INSERT INTO deferred_begin_notes VALUES ($1)', 'rollback']);
    expect(await rows()).toEqual([]);
  });

  it('commits a transaction whose parameterised first statement carried its BEGIN', async () => {
    await client.query('begin', []);
    await client.query('INSERT INTO deferred_begin_notes VALUES ($1)', ['kept']);
    // Another connection does not see it before the commit: it is inside a transaction.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      expect((await other.query('SELECT count(*)::int AS n FROM deferred_begin_notes')).rows[0].n).toBe(0);
      await client.query('commit', []);
      expect((await other.query('SELECT count(*)::int AS n FROM deferred_begin_notes')).rows[0].n).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('fails a parameterised first statement inside the transaction, which a real ROLLBACK then ends', async () => {
    await client.query('begin', []);
    await expect(client.query('INSERT INTO deferred_begin_notes VALUES ($1::int / 0)', [1])).rejects.toThrow(/division by zero/);
    // The transaction is open and aborted, as after a separate BEGIN: anything but ROLLBACK is refused.
    await expect(client.query('SELECT $1::int', [1])).rejects.toThrow(/current transaction is aborted/);
    await client.query('rollback', []);
    await client.query('INSERT INTO deferred_begin_notes VALUES ($1)', ['after']);
    expect(await rows()).toEqual(['after']);
  });

  it('fails a first statement whose values cannot be sent, and the connection goes on', async () => {
    await client.query('begin', []);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(client.query('INSERT INTO deferred_begin_notes VALUES ($1)', [circular])).rejects.toThrow();
    await client.query('rollback', []);
    await client.query('INSERT INTO deferred_begin_notes VALUES ($1)', ['still usable']);
    expect(await rows()).toEqual(['still usable']);
  });

  it('sends nothing for a transaction that ends before any statement', async () => {
    await client.query('begin', []);
    await client.query('commit', []);
    await client.query('begin', []);
    await client.query('rollback', []);
    expect(sent).toEqual([]);
    // The next statement runs on its own, committed at once.
    await client.query(`INSERT INTO deferred_begin_notes VALUES ('three')`);
    expect(sent).toEqual([`INSERT INTO deferred_begin_notes VALUES ('three')`]);
    expect(await rows()).toEqual(['three']);
  });

  it('fails a first statement inside the transaction, which a real ROLLBACK then ends', async () => {
    await client.query('begin', []);
    await expect(client.query('SELECT * FROM no_such_table', [])).rejects.toThrow(/no_such_table/);
    await client.query('rollback', []);
    expect(sent).toEqual(['BEGIN; SELECT * FROM no_such_table', 'rollback']);
    // The connection is usable and outside any transaction.
    await client.query(`INSERT INTO deferred_begin_notes VALUES ('four')`);
    expect(await rows()).toEqual(['four']);
  });

  it('forgets a held BEGIN when told (the pool does on release), so the next borrower starts clean', async () => {
    await client.query('begin', []);
    forgetHeldBegin(client);
    await client.query(`INSERT INTO deferred_begin_notes VALUES ('five')`);
    expect(sent).toEqual([`INSERT INTO deferred_begin_notes VALUES ('five')`]);
    expect(await rows()).toEqual(['five']);
  });
});

describe('a service ORM with deferred BEGIN', () => {
  let database: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase('bp_deferred_begin_orm');
    orm = await createServiceOrm({ clientUrl: database.url, schema: 'svc', migrations: eventStoreMigrations, poolSize: 2 });
    await runSql(orm.em.fork(), 'CREATE TABLE svc.notes (note text PRIMARY KEY)');
  });

  afterAll(async () => {
    await orm?.close(true);
    await database?.drop();
  });

  const notes = async () => (await runSql<{ note: string }>(orm.em.fork(), 'SELECT note FROM svc.notes ORDER BY note')).map((row) => row.note);

  it('commits a transaction whose first statement went with its BEGIN, and rolls one back', async () => {
    await orm.em.fork().transactional(async (em) => {
      await runSql(em, `INSERT INTO svc.notes VALUES (${sqlLiteral("it's committed")})`);
      await runSql(em, 'INSERT INTO svc.notes VALUES ($1)', ['and so is this']);
    });
    await expect(
      orm.em.fork().transactional(async (em) => {
        await runSql(em, `INSERT INTO svc.notes VALUES (${sqlLiteral('rolled back')})`);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await notes()).toEqual(['and so is this', "it's committed"]);
  });

  it('keeps two statements of one transaction in one transaction id', async () => {
    const ids = await orm.em.fork().transactional(async (em) => {
      const [first] = await runSql<{ id: string }>(em, `SELECT pg_current_xact_id()::text AS id`);
      const [second] = await runSql<{ id: string }>(em, 'SELECT pg_current_xact_id()::text AS id WHERE $1::int = 1', [1]);
      return [first.id, second.id];
    });
    expect(ids[0]).toBe(ids[1]);
    const parameterisedFirst = await orm.em.fork().transactional(async (em) => {
      const [first] = await runSql<{ id: string }>(em, 'SELECT pg_current_xact_id()::text AS id WHERE $1::int = 1', [1]);
      const [second] = await runSql<{ id: string }>(em, `SELECT pg_current_xact_id()::text AS id`);
      return [first.id, second.id];
    });
    expect(parameterisedFirst[0]).toBe(parameterisedFirst[1]);
  });
});
