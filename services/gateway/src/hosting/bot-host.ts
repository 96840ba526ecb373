import { RpcCallError } from '@botplatform/bus';
import type { BotCredentialsJson, GetBotCredentialsReplyJson, GetBotCredentialsRequestJson } from '@botplatform/contracts';
import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Logger, type LoggerService } from '@nestjs/common';
import { Bot, BotError, session, type Api, type Context, type Middleware, type StorageAdapter } from 'grammy';
import type { Update } from 'grammy/types';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { BotContext, GatewaySession, HostedBotInfo } from '../bot/bot-context.js';
import { secretTokenMatches, webhookSecretToken } from './webhook-secret.js';

/**
 * Runs a function in the async context this module was loaded in, i.e. none. A bot's polling loop
 * outlives whatever started it; started from a consumer's transaction (an event made us refresh the
 * bot), it would otherwise carry that transaction in async-local storage into every update it handles,
 * and MikroORM would run the update's queries on a transaction committed long before.
 */
const outsideCallersContext = AsyncLocalStorage.snapshot();

/** How updates reach the gateway: long polling per bot (grammY runner), or Telegram's webhooks. */
export type GatewayMode = 'polling' | 'webhook';

/** Where the host learns which bots to run: `rpc.users.get-bot-credentials` in production. */
export interface BotCredentialsSource {
  getBotCredentials(request: GetBotCredentialsRequestJson): Promise<GetBotCredentialsReplyJson>;
}

/** What every hosted bot runs after the host's own middleware (tenant, correlation id, session). */
export interface BotBehaviour {
  /** The features of one bot: i18n, identity, refusals, commands... */
  pipelineFor(bot: HostedBotInfo): Middleware<BotContext>;
  /** The bot's `bot.catch`: the one place an update's error ends up. */
  errorHandlerFor(bot: HostedBotInfo): (error: BotError<BotContext>) => unknown;
  /** Publishes the bot's command list (`setMyCommands`); a failure is logged, the bot is served anyway. */
  registerCommands(api: Api, bot: HostedBotInfo): Promise<void>;
}

export interface WebhookSettings {
  /** Public base URL Telegram posts to; each bot gets `<publicUrl>/telegram/<botId>`. */
  readonly publicUrl: string;
  /** Key of the HMAC that derives each bot's `secret_token` (at least 32 characters). */
  readonly secretKey: string;
}

export interface BotHostOptions {
  readonly credentials: BotCredentialsSource;
  /** The session storage of one bot (bound to its id). */
  readonly sessions: (botId: string) => StorageAdapter<GatewaySession>;
  readonly behaviour: BotBehaviour;
  /** Bot API server, e.g. https://api.telegram.org or the sandbox's `apiRoot`. */
  readonly apiRoot: string;
  readonly mode: GatewayMode;
  /** Required in webhook mode. */
  readonly webhook?: WebhookSettings;
  /** Full reconciliation with the registry every so often (default 60 s; 0 turns the timer off). */
  readonly reconcileIntervalMs?: number;
  /** How long a webhook request waits for its update before answering 200 anyway (default 10 s). */
  readonly webhookAnswerTimeoutMs?: number;
  /** Long-polling `timeout` of getUpdates in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
  /** Bound on starting one bot (getMe, commands, webhook set-up), default 15 s. */
  readonly startTimeoutMs?: number;
  /** Bound on waiting for a stopping bot's running updates before its calls are aborted (default 10 s). */
  readonly stopGraceMs?: number;
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

/** How the host answered one webhook request; the controller turns it into an HTTP status. */
export type WebhookOutcome = 'processed' | 'still-processing' | 'ignored-malformed' | 'unauthorized' | 'unknown-bot';

/** A bot the registry knows but the host could not start, with the reason (never the token). */
export interface FailedBot {
  readonly botId: string;
  readonly reason: string;
}

/** Reply codes of `get-bot-credentials` that mean "this bot is not to be served". */
const NOT_SERVED_CODES = new Set(['USERS.BOT_NOT_FOUND', 'USERS.BOT_INACTIVE']);

interface HostedBot {
  info: HostedBotInfo;
  readonly bot: Bot<BotContext>;
  /** Aborted when the bot stops: cancels its pending API calls and auto-retry waits. */
  readonly lifetime: AbortController;
  runner?: RunnerHandle;
  /** The runner gave up (401 revoked token, 409 another poller): restarted by the next reconciliation. */
  crashed: boolean;
  stopping: boolean;
  webhookSecret?: string;
  readonly inFlight: Set<Promise<void>>;
}

/**
 * Hosts every active bot of the registry in one process. Each bot is a grammY `Bot` with auto-retry,
 * updates sequentialized per chat, the tenant and a correlation id on the context, a session in the
 * gateway's tables, then the pipeline. `reconcile()` converges the running bots on the registry (start
 * new ones, stop removed or deactivated ones, restart on a newer token version); `refresh(botId)` does
 * the same for one bot when an event says it changed. Both are idempotent, and a bot that fails to
 * start is logged and tried again on the next reconciliation without holding up the others.
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
    this.timer = undefined;
    await this.currentRound;
    await Promise.allSettled([...this.locks.values()]);
    await Promise.all(
      [...this.bots.keys()].map((botId) =>
        this.exclusive(botId, async () => {
          const hosted = this.bots.get(botId);
          if (hosted) await this.stopBot(hosted, { deleteWebhook: false });
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

  /**
   * One webhook request: `unknown-bot` when the bot is not hosted here in webhook mode, `unauthorized`
   * when the secret header is wrong or missing (nothing is processed), `ignored-malformed` for a body
   * that is not an update (logged once; answering 200 keeps Telegram from redelivering it forever).
   * Otherwise the update is handled, and the answer waits for it up to `webhookAnswerTimeoutMs`.
   */
  async handleWebhook(botId: string, secretToken: string | undefined, body: unknown): Promise<WebhookOutcome> {
    const hosted = this.bots.get(botId);
    if (!hosted?.webhookSecret || hosted.stopping) return 'unknown-bot';
    if (!secretTokenMatches(hosted.webhookSecret, secretToken)) return 'unauthorized';
    const update = parseUpdate(body);
    if (typeof update === 'string') {
      this.logger.warn(`${describeBot(hosted.info)}: ignored a malformed webhook update (${update})`);
      return 'ignored-malformed';
    }
    const work = this.process(hosted, update);
    hosted.inFlight.add(work);
    void work.finally(() => hosted.inFlight.delete(work));
    const done = await settlesWithin(work, this.options.webhookAnswerTimeoutMs ?? 10_000);
    return done ? 'processed' : 'still-processing';
  }

  private async reconcileRound(): Promise<ReconcileReport> {
    if (this.closed) return { fetched: false, changes: new Map() };
    const sequence = ++this.answerSequence;
    let reply: GetBotCredentialsReplyJson;
    try {
      reply = await this.options.credentials.getBotCredentials({});
    } catch (error) {
      this.logger.warn(`reconcile: could not fetch the bots' credentials, hosting stays as it is (${describeError(error)})`);
      return { fetched: false, changes: new Map() };
    }
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
      await this.stopBot(current, { deleteWebhook: true });
      return 'stopped';
    }
    if (current && !current.crashed && desired.tokenVersion <= current.info.tokenVersion) {
      if (desired.name !== current.info.name) current.info = { ...current.info, name: desired.name };
      return 'unchanged';
    }
    if (current) await this.stopBot(current, { deleteWebhook: false });
    try {
      await this.startBot(desired);
    } catch (error) {
      const reason = describeError(error);
      this.failures.set(botId, reason);
      this.logger.error(`${describeBot(desired)} could not start, retried on the next reconciliation: ${reason}`);
      return 'failed';
    }
    this.failures.delete(botId);
    return current ? 'restarted' : 'started';
  }

  private async startBot(credentials: ServableBot): Promise<void> {
    const info: HostedBotInfo = { botId: credentials.botId, name: credentials.name, tokenVersion: credentials.tokenVersion };
    const lifetime = new AbortController();
    // Start-up calls are bounded so one unreachable bot cannot hold its lock (and the round) forever.
    let callSignal = AbortSignal.any([lifetime.signal, AbortSignal.timeout(this.options.startTimeoutMs ?? 15_000)]);
    const bot = new Bot<BotContext>(credentials.token, { client: { apiRoot: this.options.apiRoot } });
    const hosted: HostedBot = { info, bot, lifetime, crashed: false, stopping: false, inFlight: new Set() };
    if (this.options.mode === 'polling') bot.api.config.use(this.pollingFailureLog(hosted));
    bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
    // Installed last, so it wraps the others: every call of this bot, ctx.api included, ends with its lifetime.
    bot.api.config.use(async (call, method, payload, signal) => {
      const own = callSignal;
      if (!signal) return call(method, payload, asApiSignal(own));
      // The runner's signals come from a polyfill that AbortSignal.any cannot follow: link them by hand.
      const linked = new AbortController();
      const abort = () => linked.abort();
      if (signal.aborted || own.aborted) abort();
      signal.addEventListener('abort', abort);
      own.addEventListener('abort', abort);
      try {
        return await call(method, payload, asApiSignal(linked.signal));
      } finally {
        signal.removeEventListener('abort', abort);
        own.removeEventListener('abort', abort);
      }
    });
    try {
      await bot.init(asApiSignal(callSignal));
      // First, so a stopping bot can wait for every update it took, queued behind another one or running:
      // the runner's stop() does not wait for them, and aborting their calls would lose a half-done update.
      bot.use(async (_ctx, next) => {
        const work = next();
        hosted.inFlight.add(work);
        try {
          await work;
        } finally {
          hosted.inFlight.delete(work);
        }
      });
      bot.use(sequentialize(chatOrSender));
      bot.use((ctx, next) => {
        ctx.tenant = hosted.info;
        ctx.correlationId = randomUUID();
        return next();
      });
      bot.use(session<GatewaySession, BotContext>({ initial: () => ({}), storage: this.options.sessions(info.botId), getSessionKey: chatKey }));
      bot.use(this.options.behaviour.pipelineFor(info));
      bot.catch(this.options.behaviour.errorHandlerFor(info));
      await this.options.behaviour.registerCommands(bot.api, info).catch((error: unknown) => {
        if (lifetime.signal.aborted || callSignal.aborted) throw error;
        this.logger.warn(`${describeBot(info)}: could not register its commands (${describeError(error)})`);
      });
      if (this.options.mode === 'polling') {
        await bot.api.deleteWebhook();
        callSignal = lifetime.signal;
        hosted.runner = outsideCallersContext(() =>
          run(bot, { runner: { fetch: { timeout: this.options.pollingTimeoutSeconds ?? 30 }, silent: true } }),
        );
        this.bots.set(info.botId, hosted);
        void hosted.runner.task()?.catch((error: unknown) => this.onRunnerCrash(hosted, error));
      } else {
        const webhook = this.options.webhook!;
        hosted.webhookSecret = webhookSecretToken(webhook.secretKey, info.botId, info.tokenVersion);
        // Routed before setWebhook: Telegram may deliver the first update before the call returns.
        this.bots.set(info.botId, hosted);
        await bot.api.setWebhook(`${webhook.publicUrl.replace(/\/+$/, '')}/telegram/${info.botId}`, { secret_token: hosted.webhookSecret });
        callSignal = lifetime.signal;
      }
    } catch (error) {
      if (this.bots.get(info.botId) === hosted) this.bots.delete(info.botId);
      hosted.runner?.stop().catch(() => undefined);
      lifetime.abort();
      throw error;
    }
    this.logger.log(`${describeBot(info)} is served (${this.options.mode}, @${bot.botInfo.username})`);
  }

  private async stopBot(hosted: HostedBot, { deleteWebhook }: { deleteWebhook: boolean }): Promise<void> {
    hosted.stopping = true;
    if (this.bots.get(hosted.info.botId) === hosted) this.bots.delete(hosted.info.botId);
    const grace = this.options.stopGraceMs ?? 10_000;
    const draining = Promise.allSettled([hosted.runner?.stop(), ...hosted.inFlight]);
    if (!(await settlesWithin(draining, grace))) this.logger.warn(`${describeBot(hosted.info)}: updates still running after ${grace} ms, their calls are aborted`);
    // A deactivated bot's webhook is removed, so Telegram stops posting to a route that answers 404.
    if (deleteWebhook && hosted.webhookSecret && !hosted.crashed) {
      await hosted.bot.api.deleteWebhook().catch((error: unknown) => this.logger.warn(`${describeBot(hosted.info)}: could not delete its webhook (${describeError(error)})`));
    }
    hosted.lifetime.abort();
    this.logger.log(`${describeBot(hosted.info)} stopped`);
  }

  private onRunnerCrash(hosted: HostedBot, error: unknown): void {
    if (hosted.stopping) return;
    hosted.crashed = true;
    this.failures.set(hosted.info.botId, describeError(error));
    this.logger.error(`${describeBot(hosted.info)}: polling stopped, restarted by the next reconciliation (${describeError(error)})`);
  }

  private pollingFailureLog(hosted: HostedBot): Parameters<Api['config']['use']>[0] {
    return async (call, method, payload, signal) => {
      try {
        const result = await call(method, payload, signal);
        if (!result.ok && method === 'getUpdates') this.logger.warn(`${describeBot(hosted.info)}: getUpdates failed (${result.error_code}: ${result.description})`);
        return result;
      } catch (error) {
        if (method === 'getUpdates' && !signal?.aborted) this.logger.warn(`${describeBot(hosted.info)}: getUpdates failed (${describeError(error)})`);
        throw error;
      }
    };
  }

  private async process(hosted: HostedBot, update: Update): Promise<void> {
    try {
      await hosted.bot.handleUpdate(update);
    } catch (error) {
      try {
        if (error instanceof BotError) await hosted.bot.errorHandler(error as BotError<BotContext>);
        else throw error;
      } catch (unhandled) {
        this.logger.error(`${describeBot(hosted.info)}: update ${update.update_id} failed (${describeError(unhandled)})`);
      }
    }
  }

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
    if (!credentials || credentials.active !== true) return undefined;
    const { botId, token } = credentials;
    if (!botId || !token) {
      this.logger.warn(`registry answered a bot without ${botId ? 'token' : 'id'}${botId ? ` (${botId})` : ''}; skipped`);
      return undefined;
    }
    // proto3 JSON leaves out zero values, so an absent version is 0.
    return { botId, token, name: credentials.name ?? '', tokenVersion: credentials.tokenVersion ?? 0 };
  }
}

interface ServableBot extends HostedBotInfo {
  readonly token: string;
}

/** grammY types signals with the `abort-controller` shim; at run time they are Node's own. */
function asApiSignal(signal: AbortSignal): Parameters<Bot['init']>[0] {
  return signal as unknown as Parameters<Bot['init']>[0];
}

/** Updates of one chat (or, without a chat, of one sender) run one after another. */
function chatOrSender(ctx: Context): string | undefined {
  return ctx.chat?.id.toString() ?? ctx.from?.id.toString();
}

function chatKey(ctx: Omit<BotContext, 'session'>): string | undefined {
  return ctx.chat?.id.toString();
}

/** The update in a webhook body, or why it is not one. */
function parseUpdate(body: unknown): Update | string {
  let value = body;
  if (Buffer.isBuffer(value)) value = value.toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return 'body is not JSON';
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body is not a JSON object';
  if (!Number.isSafeInteger((value as { update_id?: unknown }).update_id)) return 'no integer update_id';
  return value as Update;
}

function describeBot(bot: HostedBotInfo): string {
  return `bot ${bot.botId} (${bot.name || 'unnamed'})`;
}

/** grammY keeps tokens out of its error messages (sensitiveLogs off), so the message is safe to log. */
function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when `promise` settled within `ms`; the timer never outlives the call. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
