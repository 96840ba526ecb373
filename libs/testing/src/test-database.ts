import pg from 'pg';
import { testServers } from './servers.js';
import { uniqueName } from './unique-name.js';

/** A throwaway database on the shared PostgreSQL server, dropped (with its connections) by `drop()`. */
export interface TestDatabase {
  readonly name: string;
  /** Connection URL of the new database. */
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates a database of its own for one test file, so files never see each other's schemas. */
export async function createTestDatabase(prefix = 'bp_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(testServers.postgresUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServers.postgresUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${testServers.postgresUrl}: ${(error as Error).message}`);
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
