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
  });

  beforeEach(async () => {
    sent = [];
    await client.query('TRUNCATE deferred_begin_notes');
    sent = [];
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

  it('sends a real BEGIN before a first statement with parameters, and the transaction holds', async () => {
    await client.query('begin', []);
    await client.query('INSERT INTO deferred_begin_notes VALUES ($1)', ['two']);
    await client.query('rollback', []);
    expect(sent.slice(0, 3)).toEqual(['BEGIN', 'INSERT INTO deferred_begin_notes VALUES ($1)', 'rollback']);
    expect(await rows()).toEqual([]);
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
  });
});
