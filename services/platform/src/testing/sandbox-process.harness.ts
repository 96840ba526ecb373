import type { RateLimitRules } from '@botplatform/telegram-sandbox';
import { type ChildProcess, fork } from 'node:child_process';

/** What the parent asks the sandbox's process (`sandbox-process.child.ts`). */
export type SandboxProcessRequest =
  | { readonly kind: 'start'; readonly rateLimits: Partial<RateLimitRules> }
  | { readonly kind: 'createBot'; readonly username: string }
  | { readonly kind: 'startedUsers'; readonly botId: number; readonly count: number; readonly language: string; readonly firstName: string }
  | { readonly kind: 'grantBotStars'; readonly botId: number; readonly stars: number }
  | { readonly kind: 'botStarBalanceTenths'; readonly botId: number }
  | { readonly kind: 'paidBroadcastMessages'; readonly botId: number }
  | { readonly kind: 'sendCount' }
  | { readonly kind: 'sends'; readonly from: number }
  | { readonly kind: 'stop' };

export type SandboxProcessReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The sends the sandbox answered, column by column (one IPC message for a hundred thousand). */
export interface SandboxSendLog {
  /** Wall-clock milliseconds (`performance.timeOrigin + performance.now()`). */
  readonly at: number[];
  readonly method: string[];
  /** 'ok', or the error ('429: Too Many Requests: retry after 1'…). */
  readonly status: string[];
}

/** A bot of the sandbox in the other process. */
export interface RemoteSandboxBot {
  readonly id: number;
  readonly token: string;
  readonly username: string;
}

/**
 * The Telegram sandbox in a child process of its own (its HTTP server, its limits, its Stars ledger): the
 * process under measurement then pays for its own side of each Bot API call only, as against Telegram.
 * Everything is asked over the IPC channel; the child exits when this one does.
 */
export class SandboxProcess {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private url = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: SandboxProcessReply) => this.settle(reply));
    child.on('exit', (code) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`the sandbox process exited (${code})`));
      this.waiting.clear();
    });
  }

  static async start(rateLimits: Partial<RateLimitRules> = {}): Promise<SandboxProcess> {
    const sandbox = new SandboxProcess(fork(new URL('./sandbox-process.child.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    sandbox.url = (await sandbox.ask<{ apiRoot: string }>({ kind: 'start', rateLimits })).apiRoot;
    return sandbox;
  }

  /** What grammY needs: `new Api(token, { apiRoot })`. */
  get apiRoot(): string {
    return this.url;
  }

  createBot(username: string): Promise<RemoteSandboxBot> {
    return this.ask({ kind: 'createBot', username });
  }

  /** `count` new users who sent /start to the bot; their ids. */
  startedUsers(bot: RemoteSandboxBot, count: number, language: string, firstName = 'Member'): Promise<number[]> {
    return this.ask({ kind: 'startedUsers', botId: bot.id, count, language, firstName });
  }

  grantBotStars(bot: RemoteSandboxBot, stars: number): Promise<void> {
    return this.ask({ kind: 'grantBotStars', botId: bot.id, stars });
  }

  botStarBalanceTenths(bot: RemoteSandboxBot): Promise<number> {
    return this.ask({ kind: 'botStarBalanceTenths', botId: bot.id });
  }

  paidBroadcastMessages(bot: RemoteSandboxBot): Promise<number> {
    return this.ask({ kind: 'paidBroadcastMessages', botId: bot.id });
  }

  /** Sends (and edits) the sandbox answered so far. */
  sendCount(): Promise<number> {
    return this.ask({ kind: 'sendCount' });
  }

  /** The sends answered from the `from`th on. */
  sends(from = 0): Promise<SandboxSendLog> {
    return this.ask({ kind: 'sends', from });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.ask({ kind: 'stop' }).catch(() => undefined);
    this.child.disconnect();
    await exited;
  }

  private ask<T>(request: SandboxProcessRequest): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, request });
    });
  }

  private settle(reply: SandboxProcessReply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(`sandbox process: ${reply.error}`));
  }
}
