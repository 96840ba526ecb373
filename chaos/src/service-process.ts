import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SERVICE_NAMES = ['users', 'notifications', 'gateway', 'subscriptions', 'payments', 'gamification'] as const;
/** The services a `/start` goes through: the starts scenario kills these in turn. */
export const FIRST_CONTACT_SERVICES = ['users', 'notifications', 'gateway'] as const satisfies readonly ServiceName[];
/** The services a purchase goes through: the purchases scenario kills these in turn. */
export const PURCHASE_SERVICES = ['payments', 'subscriptions', 'gateway'] as const satisfies readonly ServiceName[];
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** An exit the suite did not cause: the service crashed on its own. */
export interface UnexpectedExit {
  readonly service: ServiceName;
  readonly at: number;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly logTail: string;
}

/**
 * One built service (`node <options> services/<name>/dist/main.js`, the Node options as
 * `scripts/start-project.mjs` passes them in production) as a child process, restartable on the same
 * port and database. Its output is appended to one log file across restarts. An exit the suite did not
 * ask for is reported to `onUnexpectedExit`, which plays the supervisor (Kubernetes restarts a pod).
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private readonly expectedExits = new WeakSet<ChildProcess>();
  private starts = 0;

  constructor(
    readonly name: ServiceName,
    private readonly repoRoot: string,
    private readonly env: Record<string, string>,
    readonly httpPort: number,
    readonly logPath: string,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get healthUrl(): string {
    return `http://127.0.0.1:${this.httpPort}/health`;
  }

  start(): void {
    if (this.child) return;
    const log = openSync(this.logPath, 'a');
    writeSync(log, `\n===== chaos: start #${++this.starts} of ${this.name} at ${new Date().toISOString()} =====\n`);
    const serviceRoot = join(this.repoRoot, 'services', this.name);
    const nodeOptions = [...nodeOptionsOf(join(this.repoRoot, 'package.json')), ...nodeOptionsOf(join(serviceRoot, 'package.json'))];
    const child = spawn(process.execPath, [...nodeOptions, join(serviceRoot, 'dist', 'main.js')], {
      cwd: this.repoRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.expectedExits.has(child)) return;
      void this.logTail().then((logTail) => this.onUnexpectedExit({ service: this.name, at: Date.now(), code, signal, logTail }));
    });
  }

  /** kill -9: no shutdown hook runs, in-flight work is cut off where it stands. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  /** Stops it for good at the end of a run: SIGTERM, then SIGKILL after a grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.terminate('SIGTERM');
    clearTimeout(timer);
  }

  /** `/health` answers 200 (every check up). */
  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(this.healthUrl, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Resident set size in MB from /proc (Linux), undefined while the process is down. */
  async rssMb(): Promise<number | undefined> {
    if (!this.child?.pid) return undefined;
    try {
      const status = await readFile(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
    } catch {
      return undefined;
    }
  }

  async logTail(lines = 30): Promise<string> {
    const text = await readFile(this.logPath, 'utf8').catch(() => '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExits.add(child);
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** `botplatform.nodeOptions` of a package.json: the repository's apply to every service, then a service's own. */
function nodeOptionsOf(packageFile: string): string[] {
  if (!existsSync(packageFile)) return [];
  const manifest = JSON.parse(readFileSync(packageFile, 'utf8')) as { botplatform?: { nodeOptions?: string[] } };
  return manifest.botplatform?.nodeOptions ?? [];
}
