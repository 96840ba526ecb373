import { RpcCallError, inSpan, withLogContext } from '@botplatform/bus';
import type { BotCredentialsJson, GetBotCredentialsReplyJson, GetBotCredentialsRequestJson } from '@botplatform/contracts';
import { autoRetry } from '@grammyjs/auto-retry';
import { Logger, type LoggerService } from '@nestjs/common';
import { Bot, BotError, session, type Api, type Middleware, type StorageAdapter } from 'grammy';
import type { Update } from 'grammy/types';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { BotContext, GatewaySession, HostedBotInfo } from '../bot/bot-context.js';
import type { IncomingUpdateJournal } from '../intake/incoming-update.journal.js';
import { UpdateDispatcher } from '../intake/update-dispatcher.js';
import { UpdatePoller } from '../intake/update-poller.js';
import { secretTokenMatches, webhookSecretToken } from './webhook-secret.js';

/**
 * Runs a function in the async context this module was loaded in, i.e. none. A bot's polling loop
 * outlives whatever started it; started from a consumer's transaction (an event made us refresh the
 * bot), it would otherwise carry that transaction in async-local storage into every update it handles,
 * and MikroORM would run the update's queries on a transaction committed long before.
 */
const outsideCallersContext = AsyncLocalStorage.snapshot();

/** How updates reach the gateway: long polling per bot, or Telegram's webhooks. */
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
  /** Where every incoming update is recorded before Telegram is told it arrived, and handled from. */
  readonly journal: IncomingUpdateJournal;
  /** Chats of one bot handled at once (default 64). */
  readonly concurrentChats?: number;
  /** Pauses before retrying an update whose dependency is away (default 0.5 s up to 10 s). */
  readonly retryDelaysMs?: readonly number[];
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
  /** Told of every Bot API request as sent (each retry too): method, HTTP status or `error`, duration (metrics). */
  readonly onApiCall?: (method: string, status: number | 'error', seconds: number) => void;
}

/** What a reconciliation or refresh did to one bot. */
export type BotChange = 'started' | 'restarted' | 'stopped' | 'unchanged' | 'failed' | 'stale';

export interface ReconcileReport {
  /** False when the registry could not be asked; nothing changed then. */
  readonly fetched: boolean;
  readonly changes: ReadonlyMap<string, BotChange>;
}

/**
 * How the host answered one webhook request; the controller turns it into an HTTP status. `unrecorded`:
 * the update could not be written down, so Telegram must send it again (a 5xx makes it).
 */
export type WebhookOutcome = 'processed' | 'still-processing' | 'duplicate' | 'ignored-malformed' | 'unauthorized' | 'unknown-bot' | 'unrecorded';

/** A bot the registry knows but the host could not start, with the reason (never the token). */
export interface FailedBot {
  readonly botId: string;
  readonly reason: string;
}

/** How long a settled update stays in the journal: Telegram redelivers an unconfirmed one for 24 h at most. */
const JOURNAL_RETENTION_MS = 48 * 3_600_000;

/** Reply codes of `get-bot-credentials` that mean "this bot is not to be served". */
const NOT_SERVED_CODES = new Set(['USERS.BOT_NOT_FOUND', 'USERS.BOT_INACTIVE']);

interface HostedBot {
  info: HostedBotInfo;
  readonly bot: Bot<BotContext>;
  /** Aborted when the bot stops: cancels its pending API calls and auto-retry waits. */
  readonly lifetime: AbortController;
  /** Handles the bot's recorded updates, in order per chat. */
  readonly dispatcher: UpdateDispatcher;
  poller?: UpdatePoller;
  /** Polling gave up (401 revoked token, 409 another poller): restarted by the next reconciliation. */
  crashed: boolean;
  stopping: boolean;
  webhookSecret?: string;
}

/**
 * Hosts every active bot of the registry in one process. Each bot is a grammY `Bot` with auto-retry,
 * the tenant and a correlation id on the context, a session in the gateway's tables, then the pipeline.
 * Every update is recorded in the journal before Telegram is told it arrived and is handled from there
 * (`UpdateDispatcher`: in order per chat, retried while a dependency is away, once per `update_id`). `reconcile()` converges the running bots on the registry (start
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
  private pruneTimer: NodeJS.Timeout | undefined;
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
    let fresh: Update[];
    try {
      fresh = await this.options.journal.record(botId, [update]);
    } catch (error) {
      this.logger.warn(
        `${describeBot(hosted.info)}: could not record webhook update ${update.update_id}, Telegram will send it again (${describeError(error)})`,
      );
      return 'unrecorded';
    }
    if (fresh.length === 0) return 'duplicate';
    const [handled] = hosted.dispatcher.accept(fresh);
    const done = await settlesWithin(handled, this.options.webhookAnswerTimeoutMs ?? 10_000);
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
    const dispatcher = new UpdateDispatcher({
      botId: info.botId,
      label: describeBot(info),
      journal: this.options.journal,
      // Outside the caller's async context: see `outsideCallersContext`.
      handle: (update) => outsideCallersContext(() => bot.handleUpdate(update)),
      answerFailure: async (error) => {
        await bot.errorHandler(error as BotError<BotContext>);
      },
      concurrentChats: this.options.concurrentChats,
      retryDelaysMs: this.options.retryDelaysMs,
      logger: this.logger,
    });
    const hosted: HostedBot = { info, bot, lifetime, dispatcher, crashed: false, stopping: false };
    // First, so it is the innermost: each request as sent, a 429 retried by auto-retry counted each time.
    const { onApiCall } = this.options;
    if (onApiCall) bot.api.config.use(countedApiCalls(onApiCall));
    if (this.options.mode === 'polling') bot.api.config.use(this.pollingFailureLog(hosted));
    bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
    // Installed last, so it wraps the others: every call of this bot, ctx.api included, ends with its lifetime.
    bot.api.config.use(async (call, method, payload, signal) => {
      const own = callSignal;
      if (!signal) return call(method, payload, asApiSignal(own));
      // grammY types a call's signal as the abort-controller shim, which AbortSignal.any cannot take: link them by hand.
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
      bot.use((ctx, next) => {
        ctx.tenant = hosted.info;
        ctx.correlationId = randomUUID();
        // Everything the update leads to (log lines, requests, the events they append) carries its
        // correlation id and continues its trace.
        const fields = { service: 'gateway', correlationId: ctx.correlationId, botId: hosted.info.botId, updateId: ctx.update.update_id };
        return withLogContext(fields, () =>
          inSpan('telegram update', { attributes: { 'telegram.update_id': ctx.update.update_id, 'bot.id': hosted.info.botId } }, () => next()),
        );
      });
      bot.use(session<GatewaySession, BotContext>({ initial: () => ({}), storage: this.options.sessions(info.botId), getSessionKey: chatKey }));
      bot.use(this.options.behaviour.pipelineFor(info));
      bot.catch(this.options.behaviour.errorHandlerFor(info));
      await this.options.behaviour.registerCommands(bot.api, info).catch((error: unknown) => {
        if (lifetime.signal.aborted || callSignal.aborted) throw error;
        this.logger.warn(`${describeBot(info)}: could not register its commands (${describeError(error)})`);
      });
      // What a process that died left in the journal comes first, before anything new of the bot.
      await dispatcher.recover();
      if (this.options.mode === 'polling') {
        await bot.api.deleteWebhook();
        callSignal = lifetime.signal;
        const poller = new UpdatePoller({
          botId: info.botId,
          label: describeBot(info),
          api: bot.api,
          journal: this.options.journal,
          dispatcher,
          timeoutSeconds: this.options.pollingTimeoutSeconds ?? 30,
          logger: this.logger,
        });
        hosted.poller = poller;
        this.bots.set(info.botId, hosted);
        void outsideCallersContext(() => poller.start()).catch((error: unknown) => this.onPollingCrash(hosted, error));
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
      await hosted.poller?.stop();
      await dispatcher.stop(0);
      lifetime.abort();
      throw error;
    }
    this.logger.log(`${describeBot(info)} is served (${this.options.mode}, @${bot.botInfo.username})`);
  }

  private async stopBot(hosted: HostedBot, { deleteWebhook }: { deleteWebhook: boolean }): Promise<void> {
    hosted.stopping = true;
    if (this.bots.get(hosted.info.botId) === hosted) this.bots.delete(hosted.info.botId);
    const grace = this.options.stopGraceMs ?? 10_000;
    await hosted.poller?.stop();
    // Updates not handled by then stay pending in the journal: the bot's next start handles them.
    if (!(await hosted.dispatcher.stop(grace)))
      this.logger.warn(`${describeBot(hosted.info)}: updates still running after ${grace} ms, their calls are aborted`);
    // A deactivated bot's webhook is removed, so Telegram stops posting to a route that answers 404.
    if (deleteWebhook && hosted.webhookSecret && !hosted.crashed) {
      await hosted.bot.api
        .deleteWebhook()
        .catch((error: unknown) => this.logger.warn(`${describeBot(hosted.info)}: could not delete its webhook (${describeError(error)})`));
    }
    hosted.lifetime.abort();
    this.logger.log(`${describeBot(hosted.info)} stopped`);
  }

  private onPollingCrash(hosted: HostedBot, error: unknown): void {
    if (hosted.stopping) return;
    hosted.crashed = true;
    this.failures.set(hosted.info.botId, describeError(error));
    this.logger.error(`${describeBot(hosted.info)}: polling stopped, restarted by the next reconciliation (${describeError(error)})`);
  }

  private pollingFailureLog(hosted: HostedBot): Parameters<Api['config']['use']>[0] {
    return async (call, method, payload, signal) => {
      try {
        const result = await call(method, payload, signal);
        if (!result.ok && method === 'getUpdates')
          this.logger.warn(`${describeBot(hosted.info)}: getUpdates failed (${result.error_code}: ${result.description})`);
        return result;
      } catch (error) {
        if (method === 'getUpdates' && !signal?.aborted) this.logger.warn(`${describeBot(hosted.info)}: getUpdates failed (${describeError(error)})`);
        throw error;
      }
    };
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

interface ServableBot extends HostedBotInfo {
  readonly token: string;
}

function countedApiCalls(onApiCall: NonNullable<BotHostOptions['onApiCall']>): Parameters<Api['config']['use']>[0] {
  return async (call, method, payload, signal) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1_000;
    try {
      const result = await call(method, payload, signal);
      onApiCall(method, result.ok ? 200 : result.error_code, seconds());
      return result;
    } catch (error) {
      onApiCall(method, 'error', seconds());
      throw error;
    }
  };
}

/** grammY types signals with the `abort-controller` shim; at run time they are Node's own. */
function asApiSignal(signal: AbortSignal): Parameters<Bot['init']>[0] {
  return signal as unknown as Parameters<Bot['init']>[0];
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
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      expired,
    ]);
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
