import { inSpan, withLogContext } from '@botplatform/bus';
import { autoRetry } from '@grammyjs/auto-retry';
import type { LoggerService } from '@nestjs/common';
import { Bot, session, type Api, type BotError, type Middleware, type StorageAdapter } from 'grammy';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { BotContext, GatewaySession, HostedBotInfo } from '../bot/bot-context.js';
import type { IncomingUpdateJournal } from '../intake/incoming-update.journal.js';
import { markedBeforeVisibleCalls, withAnswerMark } from '../intake/answer-mark.js';
import { UpdateDispatcher } from '../intake/update-dispatcher.js';
import { UpdatePoller } from '../intake/update-poller.js';
import { webhookSecretToken } from './webhook-secret.js';
import { ALLOWED_UPDATES } from '../intake/allowed-updates.js';

/**
 * Runs a function in the async context this module was loaded in, i.e. none. A bot's polling loop
 * outlives whatever started it; started from a consumer's transaction (an event made us refresh the
 * bot), it would otherwise carry that transaction in async-local storage into every update it handles,
 * and MikroORM would run the update's queries on a transaction committed long before.
 */
const outsideCallersContext = AsyncLocalStorage.snapshot();

/** How updates reach the gateway: long polling per bot, or Telegram's webhooks. */
export type GatewayMode = 'polling' | 'webhook';

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

/** What one hosted bot is built from: the part of the host's options about a single bot. */
export interface HostedBotOptions {
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
  /** Long-polling `timeout` of getUpdates in seconds (default 30). */
  readonly pollingTimeoutSeconds?: number;
  /** Bound on starting one bot (getMe, commands, webhook set-up), default 15 s. */
  readonly startTimeoutMs?: number;
  /** Bound on waiting for a stopping bot's running updates before its calls are aborted (default 10 s). */
  readonly stopGraceMs?: number;
  /** Told of every Bot API request as sent (each retry too): method, HTTP status or `error`, duration (metrics). */
  readonly onApiCall?: (method: string, status: number | 'error', seconds: number) => void;
}

/** Active, well-formed credentials of a bot the registry wants served. */
export interface ServableBot extends HostedBotInfo {
  readonly token: string;
}

/** How a hosted bot tells its host where to route webhook requests, and that its polling gave up. */
export interface HostedBotHooks {
  /** The bot takes updates from now on (before setWebhook: Telegram may post before the call returns). */
  routable(hosted: HostedBot): void;
  /** The bot takes no more updates (stopping, or its start failed). */
  unroutable(hosted: HostedBot): void;
  /** Polling gave up (401 revoked token, 409 another poller) while the bot was not stopping. */
  pollingCrashed(hosted: HostedBot, error: unknown): void;
}

/**
 * One bot's lifetime in the host: a grammY `Bot` with auto-retry and its calls bound to the bot's
 * lifetime, the tenant and a correlation id (log context, trace span) on the context, a session in the
 * gateway's tables, then the pipeline; its dispatcher, and its poller or webhook. Built by `start`,
 * ended by `stop`; which bots run is the host's business (`BotHost`).
 */
export class HostedBot {
  /** Aborted when the bot stops: cancels its pending API calls and auto-retry waits. */
  readonly lifetime = new AbortController();
  readonly bot: Bot<BotContext>;
  /** Handles the bot's recorded updates, in order per chat. */
  readonly dispatcher: UpdateDispatcher;
  poller?: UpdatePoller;
  /** Polling gave up (401 revoked token, 409 another poller): restarted by the next reconciliation. */
  crashed = false;
  stopping = false;
  webhookSecret?: string;
  /** Start-up calls are bounded so one unreachable bot cannot hold its lock (and the round) forever. */
  private callSignal: AbortSignal;

  private constructor(
    public info: HostedBotInfo,
    token: string,
    private readonly options: HostedBotOptions,
    private readonly hooks: HostedBotHooks,
    private readonly logger: LoggerService,
  ) {
    this.callSignal = AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(options.startTimeoutMs ?? 15_000)]);
    const bot = new Bot<BotContext>(token, { client: { apiRoot: options.apiRoot } });
    this.bot = bot;
    this.dispatcher = new UpdateDispatcher({
      botId: info.botId,
      label: describeBot(info),
      journal: options.journal,
      // Outside the caller's async context: see `outsideCallersContext`.
      handle: (update, mark) => outsideCallersContext(() => withAnswerMark(mark, () => bot.handleUpdate(update))),
      answerFailure: async (error, mark) => {
        await withAnswerMark(mark, () => bot.errorHandler(error as BotError<BotContext>));
      },
      concurrentChats: options.concurrentChats,
      retryDelaysMs: options.retryDelaysMs,
      logger,
    });
    this.installApiTransformers();
  }

  /** Starts one bot; throws (having undone everything) when it could not be started. */
  static async start(credentials: ServableBot, options: HostedBotOptions, hooks: HostedBotHooks, logger: LoggerService): Promise<HostedBot> {
    const info: HostedBotInfo = { botId: credentials.botId, name: credentials.name, tokenVersion: credentials.tokenVersion };
    const hosted = new HostedBot(info, credentials.token, options, hooks, logger);
    await hosted.serve();
    return hosted;
  }

  private installApiTransformers(): void {
    const { bot, options } = this;
    // First, so it is the innermost: each request as sent, a 429 retried by auto-retry counted each time.
    if (options.onApiCall) bot.api.config.use(countedApiCalls(options.onApiCall));
    if (options.mode === 'polling') bot.api.config.use(this.pollingFailureLog());
    // Inside the retries: an update is marked as being answered before its first visible call, and the
    // mark taken back while a refused call (a 429) waits to be tried again.
    bot.api.config.use(markedBeforeVisibleCalls());
    bot.api.config.use(autoRetry({ maxRetryAttempts: 5, maxDelaySeconds: 60 }));
    // Installed last, so it wraps the others: every call of this bot, ctx.api included, ends with its lifetime.
    bot.api.config.use(async (call, method, payload, signal) => {
      const own = this.callSignal;
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
  }

  private async serve(): Promise<void> {
    const { bot, info, options, dispatcher, lifetime } = this;
    try {
      await bot.init(asApiSignal(this.callSignal));
      bot.use((ctx, next) => {
        ctx.tenant = this.info;
        ctx.correlationId = randomUUID();
        // Everything the update leads to (log lines, requests, the events they append) carries its
        // correlation id and continues its trace.
        const fields = { service: 'gateway', correlationId: ctx.correlationId, botId: this.info.botId, updateId: ctx.update.update_id };
        return withLogContext(fields, () =>
          inSpan('telegram update', { attributes: { 'telegram.update_id': ctx.update.update_id, 'bot.id': this.info.botId } }, () => next()),
        );
      });
      bot.use(session<GatewaySession, BotContext>({ initial: () => ({}), storage: options.sessions(info.botId), getSessionKey: chatKey }));
      bot.use(options.behaviour.pipelineFor(info));
      bot.catch(options.behaviour.errorHandlerFor(info));
      await options.behaviour.registerCommands(bot.api, info).catch((error: unknown) => {
        if (lifetime.signal.aborted || this.callSignal.aborted) throw error;
        this.logger.warn(`${describeBot(info)}: could not register its commands (${describeError(error)})`);
      });
      // What a process that died left in the journal comes first, before anything new of the bot.
      await dispatcher.recover();
      if (options.mode === 'polling') {
        await bot.api.deleteWebhook();
        this.callSignal = lifetime.signal;
        const poller = new UpdatePoller({
          botId: info.botId,
          label: describeBot(info),
          api: bot.api,
          journal: options.journal,
          dispatcher,
          timeoutSeconds: options.pollingTimeoutSeconds ?? 30,
          logger: this.logger,
        });
        this.poller = poller;
        this.hooks.routable(this);
        void outsideCallersContext(() => poller.start()).catch((error: unknown) => this.onPollingCrash(error));
      } else {
        const webhook = options.webhook!;
        this.webhookSecret = webhookSecretToken(webhook.secretKey, info.botId, info.tokenVersion);
        // Routed before setWebhook: Telegram may deliver the first update before the call returns.
        this.hooks.routable(this);
        await bot.api.setWebhook(`${webhook.publicUrl.replace(/\/+$/, '')}/telegram/${info.botId}`, {
          secret_token: this.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
        this.callSignal = lifetime.signal;
      }
    } catch (error) {
      this.hooks.unroutable(this);
      await this.poller?.stop();
      await dispatcher.stop(0);
      lifetime.abort();
      throw error;
    }
    this.logger.log(`${describeBot(info)} is served (${options.mode}, @${bot.botInfo.username})`);
  }

  /** Stops polling, waits for running updates (bounded), then aborts the bot's calls. */
  async stop({ deleteWebhook }: { deleteWebhook: boolean }): Promise<void> {
    this.stopping = true;
    this.hooks.unroutable(this);
    const grace = this.options.stopGraceMs ?? 10_000;
    await this.poller?.stop();
    // Updates not handled by then stay pending in the journal: the bot's next start handles them.
    if (!(await this.dispatcher.stop(grace))) this.logger.warn(`${describeBot(this.info)}: updates still running after ${grace} ms, their calls are aborted`);
    // A deactivated bot's webhook is removed, so Telegram stops posting to a route that answers 404.
    if (deleteWebhook && this.webhookSecret && !this.crashed) {
      await this.bot.api
        .deleteWebhook()
        .catch((error: unknown) => this.logger.warn(`${describeBot(this.info)}: could not delete its webhook (${describeError(error)})`));
    }
    this.lifetime.abort();
    this.logger.log(`${describeBot(this.info)} stopped`);
  }

  private onPollingCrash(error: unknown): void {
    if (this.stopping) return;
    this.crashed = true;
    this.hooks.pollingCrashed(this, error);
  }

  private pollingFailureLog(): Parameters<Api['config']['use']>[0] {
    return async (call, method, payload, signal) => {
      try {
        const result = await call(method, payload, signal);
        if (!result.ok && method === 'getUpdates')
          this.logger.warn(`${describeBot(this.info)}: getUpdates failed (${result.error_code}: ${result.description})`);
        return result;
      } catch (error) {
        if (method === 'getUpdates' && !signal?.aborted) this.logger.warn(`${describeBot(this.info)}: getUpdates failed (${describeError(error)})`);
        throw error;
      }
    };
  }
}

function countedApiCalls(onApiCall: NonNullable<HostedBotOptions['onApiCall']>): Parameters<Api['config']['use']>[0] {
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

/**
 * Sessions are per chat. A pre-checkout query and a subscription change carry no chat, but both come
 * from the member's private chat with the bot, whose id is the member's: a routed feature then sees the
 * same session there as in the chat.
 */
export function chatKey(ctx: Omit<BotContext, 'session'>): string | undefined {
  const privateSender = ctx.update.pre_checkout_query?.from ?? ctx.update.subscription?.user;
  return (ctx.chat?.id ?? privateSender?.id)?.toString();
}

export function describeBot(bot: HostedBotInfo): string {
  return `bot ${bot.botId} (${bot.name || 'unnamed'})`;
}

/** grammY keeps tokens out of its error messages (sensitiveLogs off), so the message is safe to log. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
