import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './free-port.js';

/**
 * A private nats-server (JetStream on, its own store directory) for tests that stop or restart the
 * broker: they must never touch the shared one. `restart()` keeps the port and the store, as a real
 * broker restart would.
 */
export class NatsServerProcess {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number, private readonly storeDir: string) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<NatsServerProcess> {
    const server = new NatsServerProcess(await freePort(), await mkdtemp(join(tmpdir(), 'bp-nats-')));
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
    await rm(this.storeDir, { recursive: true, force: true });
  }

  private async boot(): Promise<void> {
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    this.child = spawn(binary, ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], {
      stdio: 'ignore',
    });
    const failed = new Promise<never>((_, reject) =>
      this.child!.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`))),
    );
    await Promise.race([waitForPort(this.port), failed]);
  }
}
