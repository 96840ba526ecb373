import { InProcessClient, RpcClient } from '@botplatform/bus';
import { TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { Bot, session, type Composer } from 'grammy';
import { randomUUID } from 'node:crypto';
import type { BotContext, GatewaySession } from '../../bot/bot-context.js';
import { UsersClient } from '../../users/users.client.js';
import { MemberCache, createBotPipeline, createErrorBoundary, type BotPipelineDependencies } from '../bot-pipeline.js';
import { CapturingLogger } from './capturing.logger.js';
import { MembersStandIn } from './members.stand-in.js';

/** A grammY bot running the pipeline against the sandbox, as the gateway's host would run it. */
export interface HostedTestBot {
  readonly botId: string;
  readonly name: string;
  readonly bot: Bot<BotContext>;
  readonly telegram: SandboxBot;
  /** The user's private chat with this bot. */
  chat(user: SandboxUser): SandboxChat;
  stop(): Promise<void>;
}

export interface HostOptions {
  /** Display name (the tenant's name the greeting mentions). */
  readonly name?: string;
  /** Telegram id of the owner: they become the OWNER member when they first write. */
  readonly ownerTelegramUserId?: number;
  readonly incomingRateLimit?: BotPipelineDependencies['incomingRateLimit'];
  /** Extra features installed after the pipeline (a handler that throws, say). */
  readonly extra?: Composer<BotContext>;
}

let botCounter = 0;

/**
 * The pipeline's test bench: the Telegram sandbox, the members stand-in behind the real RPC path
 * (Nest microservice on the in-process transport, `UsersClient` on an `InProcessClient`), and bots
 * started with `bot.start()` the way the host sets them up (session, tenant, correlation id, pipeline,
 * error boundary).
 */
export class BotPipelineHarness {
  readonly logger = new CapturingLogger();
  readonly memberCache = new MemberCache();
  private readonly bots: HostedTestBot[] = [];

  private constructor(
    readonly sandbox: TelegramSandbox,
    readonly users: MembersStandIn,
    readonly client: UsersClient,
    private readonly rpc: RpcClient,
  ) {}

  static async start(): Promise<BotPipelineHarness> {
    const sandbox = new TelegramSandbox({ rateLimits: false });
    await sandbox.start();
    const users = await MembersStandIn.start();
    const rpc = new RpcClient(new InProcessClient(users.broker));
    return new BotPipelineHarness(sandbox, users, new UsersClient(rpc), rpc);
  }

  /** Registers a bot in the sandbox and the stand-in, and starts it. */
  async host(options: HostOptions = {}): Promise<HostedTestBot> {
    const n = ++botCounter;
    const botId = randomUUID();
    const name = options.name ?? `Pipeline Bot ${n}`;
    const telegram = this.sandbox.createBot({ username: `pipeline${n}_${botId.slice(0, 6)}_bot`, firstName: name });
    if (options.ownerTelegramUserId !== undefined) this.users.registerBot(botId, options.ownerTelegramUserId);
    const deps: BotPipelineDependencies = {
      users: this.client,
      logger: this.logger,
      memberCache: this.memberCache,
      ...(options.incomingRateLimit !== undefined ? { incomingRateLimit: options.incomingRateLimit } : {}),
    };
    const bot = new Bot<BotContext>(telegram.token, { client: { apiRoot: this.sandbox.apiRoot } });
    bot.use(session({ initial: (): GatewaySession => ({}) }));
    bot.use(async (ctx, next) => {
      ctx.tenant = { botId, name, tokenVersion: 1 };
      ctx.correlationId = randomUUID();
      await next();
    });
    bot.use(createBotPipeline(deps));
    if (options.extra) bot.use(options.extra);
    bot.catch(createErrorBoundary(deps));
    await new Promise<void>((resolve, reject) => {
      bot.start({ timeout: 30, onStart: () => resolve() }).catch(reject);
    });
    const hosted: HostedTestBot = {
      botId,
      name,
      bot,
      telegram,
      chat: (user) => this.sandbox.chat(user, telegram),
      stop: async () => {
        if (bot.isRunning()) await bot.stop();
      },
    };
    this.bots.push(hosted);
    return hosted;
  }

  /** A sandbox user; `languageCode` is what their Telegram client reports. */
  user(firstName: string, languageCode = 'en', extra: { username?: string; lastName?: string } = {}): SandboxUser {
    return this.sandbox.createUser({ firstName, languageCode, ...extra });
  }

  async close(): Promise<void> {
    for (const hosted of this.bots.splice(0)) await hosted.stop();
    await this.rpc.close();
    await this.users.close();
    await this.sandbox.stop();
  }
}
