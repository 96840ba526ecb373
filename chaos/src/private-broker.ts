import { freePort, waitForPort } from '@botplatform/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The suite's own nats-server (JetStream, its own store directory, a free port). Like the test kit's
 * NatsServerProcess, plus an optional config file (accounts and permissions, once the services log in)
 * and an outage that can last: `stop()` now, `start()` later, on the same port and store.
 */
export class PrivateBroker {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    private readonly configFile: string | undefined,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the suite's broker; the one way the suite gets one, so a config file applies everywhere. */
  static async launch(options: { configFile?: string } = {}): Promise<PrivateBroker> {
    const broker = new PrivateBroker(await freePort(), await mkdtemp(join(tmpdir(), 'bp-chaos-nats-')), options.configFile);
    try {
      await broker.start();
    } catch (error) {
      await broker.dispose();
      throw error;
    }
    return broker;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const binary = process.env.NATS_SERVER_BIN ?? 'nats-server';
    // Flags after -c override the file's listen address and store, so a shared config fits every run.
    const args = [...(this.configFile ? ['-c', this.configFile] : []), '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    const child = spawn(binary, args, { stdio: 'ignore' });
    this.child = child;
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
      child.once('exit', (code) => reject(new Error(`${binary} exited at start with code ${code}`)));
    });
    try {
      await Promise.race([waitForPort(this.port), failed]);
    } catch (error) {
      this.child = undefined;
      throw error;
    }
  }

  /** Kills the broker abruptly (SIGKILL), like a crash. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the broker and deletes its store. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.storeDir, { recursive: true, force: true });
  }
}
