import { InProcessBroker, RpcHandler, busMigrations, type EventBus, type RpcClient } from '@botplatform/bus';
import { RPC, type RecordBotBlockedReplyJson, type RecordBotBlockedRequestJson } from '@botplatform/contracts';
import { eventStoreMigrations, runSql } from '@botplatform/event-store';
import {
  type BroadcastAudience,
  type BroadcastButton,
  type BroadcastSettings,
  BroadcastSender,
  type BroadcastSizing,
  BroadcastUseCases,
  createNotificationsService,
} from '@botplatform/notifications';
import {
  OutboundDelivery,
  type TelegramSendLimits,
  TelegramThrottle,
  UsersClient,
  gatewayPublicEvents,
  outboundEntities,
  outboundMigrations,
} from '@botplatform/gateway';
import { createRpcClient, startService, type RpcTransport, type RunningService, type ServiceDefinition } from '@botplatform/service-kit';
import { type RateLimitRules, TelegramSandbox, type SandboxBot, type SandboxChat, type SandboxUser } from '@botplatform/telegram-sandbox';
import { waitFor } from '@botplatform/testing';
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { Api } from 'grammy';
import { randomUUID } from 'node:crypto';
import { type RemoteSandboxBot, SandboxProcess } from './sandbox-process.harness.js';

@Controller()
class UsersStandIn {
  @RpcHandler(RPC.users.recordBotBlocked)
  recordBotBlocked(@Payload() _request: RecordBotBlockedRequestJson): RecordBotBlockedReplyJson {
    return { changed: true };
  }
}

@Module({ controllers: [UsersStandIn] })
class StandInModule {}

export interface BroadcastRigOptions {
  readonly databaseUrl: string;
  readonly bus: EventBus;
  /** The sandbox's send limits over Telegram's (30/s per bot, 1000/s paid, 1/s per chat). */
  readonly sandboxLimits?: Partial<RateLimitRules>;
  /** The gateway throttle's limits over Telegram's. */
  readonly throttleLimits?: Partial<TelegramSendLimits>;
  readonly broadcast?: Partial<BroadcastSettings>;
  /** Chats the gateway's outbound worker serves at once (default: the worker's). */
  readonly concurrentChats?: number;
  /**
   * The sandbox in a child process of its own (`SandboxProcess`), as Telegram is not in ours: what the
   * bench measures. The rig's `sandbox`, `bot`, `admin` and `chats` are then not there; `telegram` is.
   */
  readonly sandboxProcess?: boolean;
}

/** What the rig reads back from the sandbox, wherever it runs. */
export interface BroadcastRigTelegram {
  grantBotStars(stars: number): Promise<void>;
  /** The bot's Stars, in tenths (exact). */
  botStarBalanceTenths(): Promise<number>;
  /** Messages the bot sent with `allow_paid_broadcast` (each charged 0.1 Star). */
  paidBroadcastMessages(): Promise<number>;
  /** Sends (and edits) the sandbox answered so far. */
  sendCount(): Promise<number>;
  /** The sends answered from the `from`th on, in order. */
  sends(from?: number): Promise<SandboxSend[]>;
}

/** One send the sandbox answered, as its log saw it. */
export interface SandboxSend {
  /** Wall-clock milliseconds at the sandbox (`performance.timeOrigin + performance.now()`). */
  readonly at: number;
  readonly method: string;
  readonly ok: boolean;
  readonly status: string;
}

/** See `BroadcastRig.trace`. */
export interface BroadcastTrace {
  readonly sender: BroadcastSizing | undefined;
  /** The gateway's deliveries waiting (every bot's), and its worker's messages claimed and not yet recorded. */
  readonly gateway: { queued: number; sending: number; inFlight: number };
  /** Events each service's relay has not yet published to the bus. */
  readonly unpublished: { notifications: number; gateway: number };
}

export interface StartedBroadcast {
  readonly id: string;
  readonly preview: Awaited<ReturnType<BroadcastUseCases['preview']>>;
  readonly confirmed: Awaited<ReturnType<BroadcastUseCases['confirm']>>;
}

/**
 * Broadcasts as they leave in production, on one database and bus: the notifications service (its
 * sender), the gateway's outbound path (consumer, worker, throttle) with a users stand-in for the 403s,
 * and the Telegram sandbox with its limits on, as Telegram. Members are sandbox users who started the bot,
 * written into the audience projection directly; the admin is a sandbox user too (Russian), whose chat
 * holds the progress message. Every send the sandbox answers is counted from its log (`sends`).
 */
export class BroadcastRig {
  readonly chats = new Map<number, SandboxChat>();
  private constructor(
    /** Every send (and edit) the sandbox answered, in order (in-process sandbox only; else see `telegram.sends`). */
    readonly sends: SandboxSend[],
    private readonly local: { sandbox: TelegramSandbox; bot: SandboxBot; admin: SandboxUser } | undefined,
    private readonly remote: { sandbox: SandboxProcess; bot: RemoteSandboxBot } | undefined,
    readonly telegram: BroadcastRigTelegram,
    readonly api: Api,
    readonly adminId: number,
    readonly botId: string,
    private readonly outbound: OutboundDelivery,
    private readonly rpc: RpcClient,
    readonly gateway: RunningService,
    readonly notifications: RunningService,
  ) {}

  static async start(options: BroadcastRigOptions): Promise<BroadcastRig> {
    const botId = randomUUID();
    const sends: SandboxSend[] = [];
    const username = `bcast${botId.slice(0, 8)}_bot`;
    let local: { sandbox: TelegramSandbox; bot: SandboxBot; admin: SandboxUser } | undefined;
    let remote: { sandbox: SandboxProcess; bot: RemoteSandboxBot } | undefined;
    let telegram: BroadcastRigTelegram;
    let adminId: number;
    if (options.sandboxProcess) {
      const sandbox = await SandboxProcess.start(options.sandboxLimits ?? {});
      const bot = await sandbox.createBot(username);
      remote = { sandbox, bot };
      [adminId] = await sandbox.startedUsers(bot, 1, 'ru', 'Admin');
      telegram = {
        grantBotStars: (stars) => sandbox.grantBotStars(bot, stars),
        botStarBalanceTenths: () => sandbox.botStarBalanceTenths(bot),
        paidBroadcastMessages: () => sandbox.paidBroadcastMessages(bot),
        sendCount: () => sandbox.sendCount(),
        sends: async (from = 0) => {
          const log = await sandbox.sends(from);
          return log.at.map((at, i) => ({ at, method: log.method[i], ok: log.status[i] === 'ok', status: log.status[i] }));
        },
      };
    } else {
      const sandbox = new TelegramSandbox({
        rateLimits: options.sandboxLimits ?? {},
        // Its call history keeps the last 2,000 calls: sends are counted from its log instead.
        log: (line) => {
          const match = / (send\w+|editMessageText) -> (.*)$/.exec(line);
          if (match) sends.push({ at: performance.timeOrigin + performance.now(), method: match[1], ok: match[2] === 'ok', status: match[2] });
        },
      });
      await sandbox.start();
      const bot = sandbox.createBot({ username });
      const admin = sandbox.createUser({ firstName: 'Admin', languageCode: 'ru' });
      sandbox.chat(admin, bot).sendCommand('start');
      local = { sandbox, bot, admin };
      adminId = admin.id;
      telegram = {
        grantBotStars: async (stars) => sandbox.grantBotStars(bot, stars),
        botStarBalanceTenths: async () => sandbox.botStarBalanceTenths(bot),
        paidBroadcastMessages: async () => sandbox.paidBroadcastMessages(bot),
        sendCount: async () => sends.length,
        sends: async (from = 0) => sends.slice(from),
      };
    }
    const token = local?.bot.token ?? remote!.bot.token;
    const api = new Api(token, { apiRoot: local?.sandbox.apiRoot ?? remote!.sandbox.apiRoot });
    const transport: RpcTransport = { kind: 'in-process', broker: new InProcessBroker() };
    const rpc = createRpcClient(transport);
    const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
    const outbound = new OutboundDelivery({
      throttle: new TelegramThrottle({ limits: options.throttleLimits ?? {} }),
      ...(options.concurrentChats ? { concurrentChats: options.concurrentChats } : {}),
      pollIntervalMs: 50,
      logger: quiet,
    });
    const gatewayDefinition: ServiceDefinition = {
      name: 'gateway',
      schema: 'gateway',
      migrations: [...eventStoreMigrations, ...busMigrations, ...outboundMigrations],
      entities: outboundEntities,
      module: () => ({ module: StandInModule }),
      toPublic: gatewayPublicEvents,
      consumers: ({ orm, store }) => [
        outbound.consumer({ orm, store, telegram: { apiFor: (id) => (id === botId ? api : undefined) }, users: new UsersClient(rpc) }),
      ],
    };
    const started = { databaseUrl: options.databaseUrl, bus: options.bus, rpc: transport, httpPort: 0, logger: false as const };
    const gateway = await startService(gatewayDefinition, started);
    const notifications = await startService(createNotificationsService({ broadcast: options.broadcast ?? {} }), started);
    const rig = new BroadcastRig(sends, local, remote, telegram, api, adminId, botId, outbound, rpc, gateway, notifications);
    await rig.sql(
      `INSERT INTO notifications.notification_recipients (bot_id, telegram_user_id, user_id, first_name, language_code, registered_at, role)
       VALUES ($1, $2, gen_random_uuid(), 'Admin', 'ru', now(), 'owner')`,
      [botId, adminId],
    );
    return rig;
  }

  /** The sandbox, when it runs in this process. */
  get sandbox(): TelegramSandbox {
    return this.inProcess().sandbox;
  }

  get bot(): SandboxBot {
    return this.inProcess().bot;
  }

  /** The admin (Russian), whose chat holds the progress message. */
  get admin(): SandboxUser {
    return this.inProcess().admin;
  }

  private inProcess(): { sandbox: TelegramSandbox; bot: SandboxBot; admin: SandboxUser } {
    if (!this.local) throw new Error('the sandbox runs in its own process: read it through rig.telegram');
    return this.local;
  }

  get broadcasts(): BroadcastUseCases {
    return this.notifications.app.get(BroadcastUseCases, { strict: false });
  }

  /**
   * One look at where a broadcast's messages are: the sender's last sizing (its requested and pending), the
   * gateway's queue and the worker's in-flight, and the events each relay has not yet published (what a
   * trace of a slow or stalled broadcast needs). Each count is its own short statement.
   */
  async trace(id: string): Promise<BroadcastTrace> {
    const sender = this.notifications.app.get(BroadcastSender, { strict: false }).sizing(id);
    // Only what is small is counted (what waits, by the partial indexes): a count of every recipient or
    // delivery each second weighed on the very database it measures.
    const [gateway] = await this.sql<{ queued: number; sending: number }>(
      `SELECT count(*) FILTER (WHERE status = 'queued')::integer AS queued, count(*) FILTER (WHERE status = 'sending')::integer AS sending
         FROM gateway.gateway_outbound_deliveries WHERE status IN ('queued', 'sending')`,
    );
    const backlog = async (schema: string) =>
      (
        await this.sql<{ unpublished: number }>(
          `SELECT count(*)::integer AS unpublished FROM ${schema}.event_store_events e
            WHERE e.global_position > coalesce((SELECT max(global_position) FROM ${schema}.event_store_checkpoints WHERE name LIKE 'relay:%'), 0)`,
        )
      )[0].unpublished;
    return {
      sender,
      gateway: { ...gateway, inFlight: this.outbound.inFlight },
      unpublished: { notifications: await backlog('notifications'), gateway: await backlog('gateway') },
    };
  }

  get actor() {
    return { botId: this.botId, telegramUserId: this.adminId };
  }

  sql<T extends object>(query: string, params: unknown[] = []): Promise<T[]> {
    return runSql<T>(this.gateway.dependencies.orm.em.fork(), query, params);
  }

  /** `count` new members who started the bot, speaking `language`, in the audience projection. */
  async addMembers(count: number, language = 'en'): Promise<number[]> {
    let ids: number[] = [];
    if (this.remote) {
      // In chunks: one IPC message each way per chunk, and the other process's loop free in between.
      for (let made = 0; made < count; made += 10_000)
        ids.push(...(await this.remote.sandbox.startedUsers(this.remote.bot, Math.min(10_000, count - made), language)));
    } else {
      const { sandbox, bot } = this.inProcess();
      ids = [];
      for (let i = 0; i < count; i++) {
        const user = sandbox.createUser({ firstName: `Member ${this.chats.size}`, languageCode: language });
        const chat = sandbox.chat(user, bot);
        chat.sendCommand('start');
        this.chats.set(user.id, chat);
        ids.push(user.id);
      }
    }
    // One autocommitted statement per 10,000 members: short, never one long transaction on the shared database.
    for (let from = 0; from < ids.length; from += 10_000) {
      await this.sql(
        `INSERT INTO notifications.notification_recipients (bot_id, telegram_user_id, user_id, first_name, language_code, registered_at, role)
         SELECT $1, id, gen_random_uuid(), 'Member', $3, now() - interval '10 days', 'user' FROM unnest($2::bigint[]) AS m(id)`,
        [this.botId, ids.slice(from, from + 10_000), language],
      );
    }
    return ids;
  }

  /** The bot's opt-in to paid broadcasts (the users service's `paid_broadcasts` setting, as the projection keeps it). */
  async setPaidBroadcasts(on: boolean): Promise<void> {
    await this.sql(
      `INSERT INTO notifications.notification_bots (bot_id, paid_broadcasts) VALUES ($1, $2) ON CONFLICT (bot_id) DO UPDATE SET paid_broadcasts = $2`,
      [this.botId, on],
    );
  }

  /**
   * Drafts (HTML), targets and confirms a broadcast (English members unless `audience` says otherwise); with
   * `progress`, a message in the admin's chat becomes its progress message.
   */
  async broadcast(
    text: string,
    options: { audience?: BroadcastAudience; photo?: string; buttons?: BroadcastButton[]; progress?: boolean } = {},
  ): Promise<StartedBroadcast & { progressMessageId?: number }> {
    const id = await this.broadcasts.draft(this.actor, {
      text,
      parseMode: 'HTML',
      buttons: options.buttons ?? [],
      ...(options.photo ? { photo: options.photo } : {}),
    });
    const preview = await this.broadcasts.chooseAudience(this.actor, id, options.audience ?? { kind: 'language', language: 'en' });
    const progressMessageId = options.progress ? (await this.api.sendMessage(this.adminId, '📣')).message_id : undefined;
    const confirmed = await this.broadcasts.confirm(
      this.actor,
      id,
      new Date(),
      progressMessageId ? { chatId: this.adminId, messageId: progressMessageId } : undefined,
    );
    return { id, preview, confirmed, ...(progressMessageId ? { progressMessageId } : {}) };
  }

  async status(id: string): Promise<string | undefined> {
    return (await this.sql<{ status: string }>('SELECT status FROM notifications.notification_broadcasts WHERE broadcast_id = $1', [id]))[0]?.status;
  }

  finished(id: string, timeoutMs: number): Promise<true> {
    return waitFor(`broadcast ${id} to finish`, async () => ((await this.status(id)) === 'finished' ? true : undefined), { timeoutMs, intervalMs: 100 });
  }

  /** The sends the sandbox answered between two marks of `sends`, by outcome. */
  outcomes(from: number, to = this.sends.length): { ok: number; refused429: number; other: number } {
    const slice = this.sends.slice(from, to);
    return {
      ok: slice.filter((s) => s.ok).length,
      refused429: slice.filter((s) => s.status.startsWith('429')).length,
      other: slice.filter((s) => !s.ok && !s.status.startsWith('429')).length,
    };
  }

  async close(): Promise<void> {
    await this.rpc.close();
    await this.outbound.close();
    await this.notifications.close();
    await this.gateway.close();
    await (this.local?.sandbox ?? this.remote?.sandbox)?.stop();
  }
}
