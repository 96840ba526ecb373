import { RpcCallError } from '@botplatform/bus';
import type { BotCredentialsJson, GetBotCredentialsReplyJson, GetBotCredentialsRequestJson } from '@botplatform/contracts';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Api } from 'grammy';
import type { HostedBotInfo } from '../bot/bot-context.js';
import { HostedBot, describeBot, describeError, type GatewayMode, type HostedBotHooks, type HostedBotOptions, type ServableBot } from './hosted-bot.js';
import { takeWebhookUpdate, type WebhookOutcome } from './webhook-intake.js';

export type { BotBehaviour, GatewayMode, WebhookSettings } from './hosted-bot.js';
export type { WebhookOutcome } from './webhook-intake.js';

/** Where the host learns which bots to run: `rpc.users.get-bot-credentials` in production. */
export interface BotCredentialsSource {
  getBotCredentials(request: GetBotCredentialsRequestJson): Promise<GetBotCredentialsReplyJson>;
}

/** The host's options: those of each hosted bot (see `HostedBotOptions`), and the host's own. */
export interface BotHostOptions extends HostedBotOptions {
  readonly credentials: BotCredentialsSource;
  /** Full reconciliation with the registry every so often (default 60 s; 0 turns the timer off). */
  readonly reconcileIntervalMs?: number;
  /** How long a webhook request waits for its update before answering 200 anyway (default 10 s). */
  readonly webhookAnswerTimeoutMs?: number;
  /** Bots started at once during a reconciliation (default 8). */
  readonly startConcurrency?: number;
  readonly logger?: LoggerService;
}

/** What a reconciliation or refresh did to one bot. */
export type BotChange = 'started' | 'restarted' | 'stopped' | 'unchanged' | 'failed' | 'stale';

export interface ReconcileReport {
  /** False when the registry could not be asked; nothing changed then. */
  readonly fetched: boolean;
  readonly changes: ReadonlyMap<string, BotChange>;
}

/** A bot the registry knows but the host could not start, with the reason (never the token). */
export interface FailedBot {
  readonly botId: string;
  readonly reason: string;
}

/** How long a settled update stays in the journal: Telegram redelivers an unconfirmed one for 24 h at most. */
const JOURNAL_RETENTION_MS = 48 * 3_600_000;

/** Pauses before asking the registry again after a round that could not. */
const RECONCILE_RETRY_MS = [1_000, 2_000, 5_000, 10_000];

/** Reply codes of `get-bot-credentials` that mean "this bot is not to be served". */
const NOT_SERVED_CODES = new Set(['USERS.BOT_NOT_FOUND', 'USERS.BOT_INACTIVE']);

/**
 * Hosts every active bot of the registry in one process. Each bot is a `HostedBot` (its grammY `Bot`,
 * middleware, dispatcher, poller or webhook); this class decides which bots run. Every update is
 * recorded in the journal before Telegram is told it arrived and is handled from there
 * (`UpdateDispatcher`: in order per chat, retried while a dependency is away, once per `update_id`).
 * `reconcile()` converges the running bots on the registry (start new ones, stop removed or deactivated
 * ones, restart on a newer token version); `refresh(botId)` does the same for one bot when an event says
 * it changed. Both are idempotent, and a bot that fails to start is logged and tried again on the next
 * reconciliation without holding up the others. Webhook requests go through `takeWebhookUpdate`.
 *
 * Tokens are never logged: bots appear in logs by id and name.
 */
export class BotHost {
  private readonly bots = new Map<string, HostedBot>();
  private readonly failures = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Per bot, the sequence number of the newest registry answer applied; older answers are ignored. */
  private readonly appliedAnswer = new Map<string, number>();
  private answerSequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Rounds in a row that could not ask the registry. */
  private failedRounds = 0;
  private currentRound: Promise<unknown> = Promise.resolve();
  private pendingRound: Promise<ReconcileReport> | undefined;
  private firstRound: Promise<ReconcileReport> | undefined;
  private closed = false;
  private readonly logger: LoggerService;

  constructor(private readonly options: BotHostOptions) {
    if (options.mode === 'webhook' && !options.webhook) throw new Error('BotHost: webhook mode needs webhook settings');
    this.logger = options.logger ?? new Logger('BotHost');
  }

  get mode(): GatewayMode {
    return this.options.mode;
  }

  /** Starts hosting: a first reconciliation now, then one every `reconcileIntervalMs`. */
  start(): Promise<ReconcileReport> {
    if (this.closed) throw new Error('BotHost: already stopped');
    if (this.firstRound) return this.firstRound;
    const interval = this.options.reconcileIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.reconcile(), interval);
      this.timer.unref();
    }
    // Settled updates are kept while Telegram could still hand them again (24 h), then dropped.
    this.pruneTimer = setInterval(() => {
      this.options.journal
        .prune(new Date(Date.now() - JOURNAL_RETENTION_MS))
        .catch((error: unknown) => this.logger.warn(`could not prune the update journal: ${describeError(error)}`));
    }, 3_600_000);
    this.pruneTimer.unref();
    this.firstRound = this.reconcile();
    return this.firstRound;
  }

  /** Resolves once the first reconciliation after `start()` is done (whether or not every bot started). */
  async ready(): Promise<void> {
    if (!this.firstRound) throw new Error('BotHost: start() was not called');
    await this.firstRound;
  }

  /**
   * Fetches every active bot's credentials and converges on them. A call while a round runs is queued
   * (at most one waits), so a caller always gets a round that asked the registry after its call.
   */
  reconcile(): Promise<ReconcileReport> {
    if (this.pendingRound) return this.pendingRound;
    const round = this.currentRound.then(() => {
      this.pendingRound = undefined;
      return this.reconcileRound();
    });
    this.pendingRound = round;
    this.currentRound = round.catch(() => undefined);
    return round;
  }

  /**
   * A round that could not ask the registry is tried again soon (1 s, 2 s, 5 s, then every 10 s), not
   * only at the next periodic round: a gateway started while the users service or the broker is away
   * would otherwise host no bot for up to a minute.
   */
  private retryReconcileSoon(): void {
    if (this.closed || this.retryTimer) return;
    const delay = RECONCILE_RETRY_MS[Math.min(this.failedRounds++, RECONCILE_RETRY_MS.length - 1)];
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.reconcile();
    }, delay);
    this.retryTimer.unref();
  }

  /**
   * Converges one bot on the registry (after `users.bot.*` events): starts, stops or restarts it.
   * Idempotent. Throws only when the registry could not be asked, so the caller may retry.
   */
  async refresh(botId: string): Promise<BotChange> {
    const sequence = ++this.answerSequence;
    let credentials: BotCredentialsJson | undefined;
    try {
      const reply = await this.options.credentials.getBotCredentials({ botId });
      credentials = reply.bots?.find((bot) => bot.botId === botId);
    } catch (error) {
      if (!(error instanceof RpcCallError && NOT_SERVED_CODES.has(error.code))) throw error;
    }
    return this.exclusive(botId, () => this.converge(botId, this.servable(credentials), sequence));
  }

  /** Stops every bot and the reconciliation timer; waits for running updates (bounded). */
  async stopAll(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.timer = undefined;
    await this.currentRound;
    await Promise.allSettled([...this.locks.values()]);
    await Promise.all(
      [...this.bots.keys()].map((botId) =>
        this.exclusive(botId, async () => {
          const hosted = this.bots.get(botId);
          if (hosted) await hosted.stop({ deleteWebhook: false });
        }),
      ),
    );
  }

  /** The grammY Api of a hosted bot's current token, or undefined when the bot is not hosted. */
  apiFor(botId: string): Api | undefined {
    const hosted = this.bots.get(botId);
    return hosted && !hosted.stopping ? hosted.bot.api : undefined;
  }

  /** The bots being served now. */
  hosted(): HostedBotInfo[] {
    return [...this.bots.values()].filter((hosted) => !hosted.crashed && !hosted.stopping).map((hosted) => hosted.info);
  }

  /** Active bots that could not be started on the last attempt. */
  failed(): FailedBot[] {
    return [...this.failures].map(([botId, reason]) => ({ botId, reason }));
  }

  /** One webhook request for `botId`, answered as `takeWebhookUpdate` says (see there). */
  handleWebhook(botId: string, secretToken: string | undefined, body: unknown): Promise<WebhookOutcome> {
    return takeWebhookUpdate(this.bots.get(botId), secretToken, body, {
      journal: this.options.journal,
      answerTimeoutMs: this.options.webhookAnswerTimeoutMs ?? 10_000,
      logger: this.logger,
    });
  }

  private async reconcileRound(): Promise<ReconcileReport> {
    if (this.closed) return { fetched: false, changes: new Map() };
    const sequence = ++this.answerSequence;
    let reply: GetBotCredentialsReplyJson;
    try {
      reply = await this.options.credentials.getBotCredentials({});
    } catch (error) {
      this.logger.warn(`reconcile: could not fetch the bots' credentials, hosting stays as it is (${describeError(error)})`);
      this.retryReconcileSoon();
      return { fetched: false, changes: new Map() };
    }
    this.failedRounds = 0;
    const desired = new Map<string, ServableBot>();
    for (const credentials of reply.bots ?? []) {
      const bot = this.servable(credentials);
      if (bot) desired.set(bot.botId, bot);
    }
    const botIds = [...new Set([...desired.keys(), ...this.bots.keys(), ...this.failures.keys()])];
    const changes = new Map<string, BotChange>();
    await forEachLimited(botIds, this.options.startConcurrency ?? 8, async (botId) => {
      changes.set(botId, await this.exclusive(botId, () => this.converge(botId, desired.get(botId), sequence)));
    });
    const changed = [...changes].filter(([, change]) => change !== 'unchanged');
    if (changed.length) this.logger.log(`reconcile: ${changed.map(([botId, change]) => `${botId} ${change}`).join(', ')}; ${this.hosted().length} hosted`);
    return { fetched: true, changes };
  }

  /** Brings one bot to the desired state. Always runs under the bot's lock. */
  private async converge(botId: string, desired: ServableBot | undefined, sequence: number): Promise<BotChange> {
    if (this.closed) return 'unchanged';
    // An answer fetched before one already applied may predate a change (deactivated, rotated): skip it.
    if (sequence < (this.appliedAnswer.get(botId) ?? 0)) return 'stale';
    this.appliedAnswer.set(botId, sequence);
    const current = this.bots.get(botId);
    if (!desired) {
      this.failures.delete(botId);
      if (!current) return 'unchanged';
      await current.stop({ deleteWebhook: true });
      return 'stopped';
    }
    if (current && !current.crashed && desired.tokenVersion <= current.info.tokenVersion) {
      if (desired.name !== current.info.name) current.info = { ...current.info, name: desired.name };
      return 'unchanged';
    }
    if (current) await current.stop({ deleteWebhook: false });
    try {
      await HostedBot.start(desired, this.options, this.hostedBotHooks, this.logger);
    } catch (error) {
      const reason = describeError(error);
      this.failures.set(botId, reason);
      this.logger.error(`${describeBot(desired)} could not start, retried on the next reconciliation: ${reason}`);
      return 'failed';
    }
    this.failures.delete(botId);
    return current ? 'restarted' : 'started';
  }

  /** How hosted bots enter and leave the routing map, and report polling that gave up. */
  private readonly hostedBotHooks: HostedBotHooks = {
    routable: (hosted) => {
      this.bots.set(hosted.info.botId, hosted);
    },
    unroutable: (hosted) => {
      if (this.bots.get(hosted.info.botId) === hosted) this.bots.delete(hosted.info.botId);
    },
    pollingCrashed: (hosted, error) => {
      this.failures.set(hosted.info.botId, describeError(error));
      this.logger.error(`${describeBot(hosted.info)}: polling stopped, restarted by the next reconciliation (${describeError(error)})`);
    },
  };

  /** Runs `work` after every earlier piece of work on the same bot. */
  private exclusive<T>(botId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(botId) ?? Promise.resolve();
    const next = previous.then(work);
    const tail = next.catch(() => undefined);
    this.locks.set(botId, tail);
    void tail.then(() => {
      if (this.locks.get(botId) === tail) this.locks.delete(botId);
    });
    return next;
  }

  /** Active, well-formed credentials, or undefined (absent, inactive, or unusable: logged). */
  private servable(credentials: BotCredentialsJson | undefined): ServableBot | undefined {
    if (credentials?.active !== true) return undefined;
    const { botId, token } = credentials;
    if (!botId || !token) {
      this.logger.warn(`registry answered a bot without ${botId ? 'token' : 'id'}${botId ? ` (${botId})` : ''}; skipped`);
      return undefined;
    }
    // proto3 JSON leaves out zero values, so an absent version is 0.
    return { botId, token, name: credentials.name ?? '', tokenVersion: credentials.tokenVersion ?? 0 };
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
