import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** The PostgreSQL server the services' databases are made on (its `postgres` database, to administer). */
export const ADMIN_DATABASE_URL = process.env.CHAOS_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ServiceDatabase {
  readonly name: string;
  readonly url: string;
}

/** A fresh database for one service in one run. */
export async function createDatabase(prefix: string): Promise<ServiceDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await withClient(ADMIN_DATABASE_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

export async function dropDatabase(database: ServiceDatabase): Promise<void> {
  await withClient(ADMIN_DATABASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`));
}

/** One read-only query in a service's database, on a connection of its own that is closed at once. */
export function queryDatabase<Row extends pg.QueryResultRow>(database: ServiceDatabase, sql: string, params: unknown[] = []): Promise<Row[]> {
  return withClient(database.url, async (client) => (await client.query<Row>(sql, params)).rows);
}

/** Commits plus rollbacks so far per database, as the statistics collector last saw them. */
export async function transactionCounts(databases: readonly ServiceDatabase[]): Promise<Map<string, number>> {
  const rows = await withClient(ADMIN_DATABASE_URL, async (client) => {
    // A fresh snapshot: otherwise a transaction would keep seeing the counters it read first.
    await client.query('SELECT pg_stat_clear_snapshot()');
    return (
      await client.query<{ datname: string; xacts: string }>(
        'SELECT datname, (xact_commit + xact_rollback)::text AS xacts FROM pg_stat_database WHERE datname = ANY($1)',
        [databases.map((d) => d.name)],
      )
    ).rows;
  });
  return new Map(rows.map((row) => [row.datname, Number(row.xacts)]));
}

/** `pg_terminate_backend` of every connection to the given databases; returns how many were cut. */
export async function terminateConnections(databases: readonly ServiceDatabase[]): Promise<number> {
  return withClient(ADMIN_DATABASE_URL, async (client) => {
    const { rows } = await client.query<{ terminated: boolean }>(
      'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()',
      [databases.map((d) => d.name)],
    );
    return rows.filter((row) => row.terminated).length;
  });
}

/** Fails fast, naming the server, instead of every scenario failing on it. */
export async function checkPostgres(): Promise<string> {
  return withClient(ADMIN_DATABASE_URL, async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
}
