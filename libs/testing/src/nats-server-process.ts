import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './free-port.js';

export interface NatsServerOptions {
  /** Configuration text (e.g. an `authorization` block); the port, JetStream and store come from flags. */
  readonly config?: string;
  /** Environment of the server, for the variables the configuration reads (passwords). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A private nats-server (JetStream on, its own store directory) for tests that stop or restart the
 * broker, or that need their own users and permissions: they must never touch the shared one.
 * `restart()` keeps the port, the store and the configuration, as a real broker restart would.
 */
export class NatsServerProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly options: NatsServerOptions,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
    const server = new NatsServerProcess(await freePort(), await mkdtemp(join(tmpdir(), 'bp-nats-')), options);
    if (options.config !== undefined) await writeFile(server.configFile, options.config);
    await server.boot();
    return server;
  }

  /** Kills the broker abruptly (SIGKILL), like a crash. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  /** Stops the broker and deletes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private get configFile(): string {
    return join(this.dir, 'nats-server.conf');
  }

  private async boot(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    const config = this.options.config === undefined ? [] : ['-c', this.configFile];
    const args = [...config, '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', join(this.dir, 'store')];
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.options.env } });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
    // A configuration the server refuses (a missing password variable...) ends it at once: say why.
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`${binary} exited (${code}): ${stderr.trim()}`)));
    });
    failed.catch(() => undefined);
    await Promise.race([waitForPort(this.port), failed]);
  }
}
