import { randomBytes } from 'node:crypto';
import type { Update, WebhookInfo } from 'grammy/types';
import { BotApiDispatcher } from './bot-api/bot-api.dispatcher.js';
import { SandboxUsageError } from './errors/sandbox-usage.error.js';
import { SandboxHttpServer } from './http/sandbox-http.server.js';
import type { ChargeRecord, RenewalRecord, SubscriptionRecord } from './payments/payment.service.js';
import { SandboxCore } from './sandbox-core.js';
import type { CreateBotInput, CreateGroupInput, CreateUserInput, GroupBotStatus, SandboxBot, SandboxGroup, SandboxUser, TimeStep } from './sandbox-entities.js';
import { resolveSandboxOptions, type TelegramSandboxOptions } from './sandbox-options.js';
import type { ApiCallRecord, BotRecord, GroupRecord, UserRecord } from './state/sandbox-records.js';
import { SandboxStateFile } from './state/sandbox-state-file.js';
import { botUser, chatMember, groupChat, userObject } from './state/wire-objects.js';
import { SandboxChat } from './users/sandbox-chat.js';
import { WebChatRoutes } from './web/web-chat.routes.js';

/** A payment as a test sees it. */
export interface SandboxPayment {
  chargeId: string;
  botId: number;
  userId: number;
  payload: string;
  currency: string;
  amount: number;
  /** Simulated unix time of the charge. */
  date: number;
  refunded: boolean;
  isSubscription: boolean;
}

/** A Stars subscription as a test sees it. */
export interface SandboxSubscription {
  botId: number;
  userId: number;
  payload: string;
  /** Unix time the paid period ends. */
  expiresAt: number;
  canceledBy?: 'bot' | 'user';
  ended: boolean;
  chargeIds: string[];
}

const TOKEN_PATTERN = /^\d{1,15}:[A-Za-z0-9_-]{1,64}$/;
const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{3,31}$/;
/** Generated bot ids start above this, in the range real bot ids use. */
const GENERATED_BOT_ID_FLOOR = 7_000_000_000;

/**
 * A local Telegram Bot API server with simulated users, groups and payments.
 *
 * ```ts
 * const sandbox = new TelegramSandbox({ rateLimits: false });
 * await sandbox.start();
 * const shop = sandbox.createBot({ username: 'shop_bot' });
 * const bot = new Bot(shop.token, { client: { apiRoot: sandbox.apiRoot } });
 * const alice = sandbox.createUser({ firstName: 'Alice' });
 * sandbox.chat(alice).sendCommand('start');
 * await sandbox.chat(alice).waitForMessage((m) => m.text === 'Welcome!');
 * ```
 */
export class TelegramSandbox {
  private readonly core: SandboxCore;
  private readonly dispatcher: BotApiDispatcher;
  private readonly webChat: WebChatRoutes;
  private readonly server: SandboxHttpServer;
  private readonly chats = new Map<string, SandboxChat>();
  private readonly stateFile: SandboxStateFile | undefined;
  private listeningPort: number | undefined;

  constructor(options: TelegramSandboxOptions = {}) {
    this.core = new SandboxCore(resolveSandboxOptions(options));
    this.dispatcher = new BotApiDispatcher(this.core);
    this.webChat = new WebChatRoutes(this.core, {
      advanceTime: async (days) => this.advanceTime({ days }),
      createBot: (input) => this.createBot(input),
    });
    if (options.persistTo) {
      this.stateFile = new SandboxStateFile(options.persistTo, () => this.core.snapshot());
      const saved = this.stateFile.read();
      if (saved) this.core.restore(saved);
      this.core.store.subscribe(() => this.stateFile?.markChanged());
    }
    this.server = new SandboxHttpServer(this.dispatcher, this.webChat, this.core.store, this.core.files, () => this.stateFile?.markChanged());
  }

  /** Starts listening on 127.0.0.1 (port 0, the default, picks a free port). */
  async start(options: { port?: number } = {}): Promise<void> {
    if (this.listeningPort !== undefined) throw new SandboxUsageError('SANDBOX.ALREADY_STARTED', 'The sandbox is already running');
    this.listeningPort = await this.server.listen(options.port ?? 0);
  }

  /** Stops the server, answers pending long polls, stops webhook delivery and pending payments. */
  async stop(): Promise<void> {
    for (const bot of this.core.store.bots.values()) bot.updates.releasePoll();
    this.core.webhooks.stopAll();
    this.core.payments.stop();
    this.webChat.closeStreams();
    await this.server.close();
    await this.stateFile?.flush();
    this.listeningPort = undefined;
  }

  get port(): number {
    if (this.listeningPort === undefined) throw new SandboxUsageError('SANDBOX.NOT_STARTED', 'Call start() first');
    return this.listeningPort;
  }

  /** What grammY needs: `new Bot(token, { client: { apiRoot: sandbox.apiRoot } })`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The web chat page. */
  get webUrl(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Names of the Bot API methods the sandbox implements. */
  get supportedMethods(): string[] {
    return this.dispatcher.methodNames();
  }

  /**
   * Without a token, one is generated with an id past every existing bot's, so bots created with
   * and without tokens never collide. A taken username, token or id fails with SANDBOX.BOT_EXISTS.
   */
  createBot(input: CreateBotInput): SandboxBot {
    const username = input.username.replace(/^@/, '');
    if (!USERNAME_PATTERN.test(username)) {
      throw new SandboxUsageError('SANDBOX.INVALID_INPUT', `"${username}" is not a valid username: 4-32 letters, digits or _, starting with a letter`);
    }
    const token = input.token ?? `${this.nextBotId()}:AA${randomBytes(24).toString('base64url').slice(0, 33)}`;
    if (!TOKEN_PATTERN.test(token)) {
      throw new SandboxUsageError('SANDBOX.INVALID_INPUT', `"${token}" is not a bot token (<digits>:<secret>)`);
    }
    this.stateFile?.markChanged();
    const bot = this.core.store.addBot({
      token,
      username,
      firstName: input.firstName ?? username,
      canJoinGroups: input.canJoinGroups,
      canReadAllGroupMessages: input.canReadAllGroupMessages,
    });
    return toSandboxBot(bot);
  }

  /** Every bot, in the order they were created. */
  bots(): SandboxBot[] {
    return [...this.core.store.bots.values()].map(toSandboxBot);
  }

  /** Every user, in the order they were created. */
  users(): SandboxUser[] {
    return [...this.core.store.users.values()].map(toSandboxUser);
  }

  createUser(input: CreateUserInput): SandboxUser {
    this.stateFile?.markChanged();
    if (!input.firstName.trim()) throw new SandboxUsageError('SANDBOX.INVALID_INPUT', 'A user needs a first name');
    return toSandboxUser(this.core.store.addUser({ ...input, username: input.username?.replace(/^@/, '') }));
  }

  createGroup(input: CreateGroupInput): SandboxGroup {
    this.stateFile?.markChanged();
    const group = this.core.store.addGroup({ title: input.title, type: input.type ?? 'supergroup', username: input.username });
    for (const [index, member] of (input.members ?? []).entries()) {
      group.members.set(this.core.store.requireUser(member.id).id, index === 0 ? 'creator' : 'member');
    }
    for (const entry of input.bots ?? []) {
      const { bot, status } = 'bot' in entry ? entry : { bot: entry, status: 'member' as const };
      this.addBotToGroup(group, bot, status);
    }
    return toSandboxGroup(group);
  }

  /** Adds a user (silently) or a bot (which receives my_chat_member) to a group. */
  addToGroup(group: SandboxGroup, member: SandboxUser | SandboxBot, status: GroupBotStatus = 'member'): void {
    const record = this.core.store.requireGroup(group.id);
    this.stateFile?.markChanged();
    if ('token' in member) this.addBotToGroup(record, member, status);
    else record.members.set(this.core.store.requireUser(member.id).id, record.members.size === 0 ? 'creator' : 'member');
  }

  /**
   * The chat between a user and a bot (the only bot may be omitted), or a group's chat; the same
   * handle is returned for the same arguments.
   */
  chat(target: SandboxUser | SandboxGroup, bot?: SandboxBot | string): SandboxChat {
    const botRecord = this.findBot(bot);
    const isGroup = target.id < 0;
    if (!isGroup && !botRecord) {
      const bots = [...this.core.store.bots.values()];
      if (bots.length !== 1) {
        throw new SandboxUsageError('SANDBOX.BOT_AMBIGUOUS', `There are ${bots.length} bots; say which one: sandbox.chat(user, bot)`);
      }
      return this.chat(target, toSandboxBot(bots[0]));
    }
    const key = `${target.id}|${botRecord?.id ?? '*'}`;
    let chat = this.chats.get(key);
    if (!chat) {
      const conversation = isGroup
        ? this.core.store.groupConversation(this.core.store.requireGroup(target.id))
        : this.core.store.privateConversation(botRecord!.id, this.core.store.requireUser(target.id).id);
      chat = new SandboxChat(this.core, conversation, botRecord ? toSandboxBot(botRecord) : undefined);
      this.chats.set(key, chat);
    }
    return chat;
  }

  /** Simulated time (message dates, subscription periods). */
  now(): Date {
    return new Date(this.core.clock.nowMs());
  }

  /**
   * Makes time pass: moves the simulated clock and charges every Stars subscription that comes
   * due (a `successful_payment` with `is_recurring`), unless it was cancelled.
   */
  async advanceTime(step: TimeStep): Promise<RenewalRecord[]> {
    const ms = (((step.days ?? 0) * 24 + (step.hours ?? 0)) * 60 + (step.minutes ?? 0)) * 60_000 + (step.seconds ?? 0) * 1000;
    this.core.clock.advance(ms);
    this.stateFile?.markChanged();
    return this.core.payments.renewDueSubscriptions();
  }

  /** Every charge so far (optionally of one bot), oldest first. */
  payments(bot?: SandboxBot): SandboxPayment[] {
    return this.core.payments
      .charges()
      .filter((charge) => !bot || charge.botId === bot.id)
      .map(toSandboxPayment);
  }

  subscriptions(bot?: SandboxBot): SandboxSubscription[] {
    return this.core.payments
      .subscriptions()
      .filter((subscription) => !bot || subscription.botId === bot.id)
      .map(toSandboxSubscription);
  }

  /** Stars a user still has (undefined: unlimited). */
  starBalanceOf(user: SandboxUser): number | undefined {
    return this.core.store.requireUser(user.id).starBalance;
  }

  /** Credits a bot with Stars (as if earned elsewhere), e.g. to pay for paid broadcasts. */
  grantBotStars(bot: SandboxBot, stars: number): void {
    this.stateFile?.markChanged();
    this.core.payments.grantStars(this.core.store.requireBot(bot.id).id, stars);
  }

  /**
   * A bot's Stars in tenths (exact): what its users paid, less refunds, less 0.1 Star per message it sent
   * with `allow_paid_broadcast` (`getMyStarBalance` gives the same as whole Stars and nanostars).
   */
  botStarBalanceTenths(bot: SandboxBot): number {
    return this.core.payments.balanceTenths(this.core.store.requireBot(bot.id).id);
  }

  /** Messages a bot sent with `allow_paid_broadcast` (each charged 0.1 Star). */
  paidBroadcastMessages(bot: SandboxBot): number {
    return this.core.payments.paidBroadcastCount(this.core.store.requireBot(bot.id).id);
  }

  /** Bot API calls the bot made (the last 2000), optionally of one method. */
  apiCalls(bot: SandboxBot, method?: string): ApiCallRecord[] {
    const calls = this.core.store.requireBot(bot.id).apiCalls;
    return structuredClone(method ? calls.filter((call) => call.method.toLowerCase() === method.toLowerCase()) : calls);
  }

  /** Updates waiting for the bot (not yet fetched or delivered). */
  pendingUpdates(bot: SandboxBot): Update[] {
    return structuredClone([...this.core.store.requireBot(bot.id).updates.pendingUpdates]);
  }

  webhookInfo(bot: SandboxBot): WebhookInfo {
    return this.core.webhooks.info(this.core.store.requireBot(bot.id));
  }

  private nextBotId(): number {
    return Math.max(GENERATED_BOT_ID_FLOOR, ...this.core.store.bots.keys()) + 1;
  }

  private findBot(bot: SandboxBot | string | undefined): BotRecord | undefined {
    if (bot === undefined) return undefined;
    const record = typeof bot === 'string' ? (this.core.store.findBotByToken(bot) ?? this.core.store.findBotByUsername(bot)) : this.core.store.bots.get(bot.id);
    if (!record) throw new SandboxUsageError('SANDBOX.BOT_NOT_FOUND', `No bot ${typeof bot === 'string' ? bot : bot.username}`);
    return record;
  }

  private addBotToGroup(group: GroupRecord, bot: SandboxBot, status: GroupBotStatus): void {
    const record = this.core.store.requireBot(bot.id);
    const previous = group.bots.get(record.id);
    if (previous === status) return;
    group.bots.set(record.id, status);
    const creatorId = [...group.members.entries()].find(([, memberStatus]) => memberStatus === 'creator')?.[0];
    const actor = creatorId === undefined ? undefined : this.core.store.users.get(creatorId);
    if (!actor) return;
    record.updates.push({
      my_chat_member: {
        chat: groupChat(group),
        from: userObject(actor),
        date: this.core.clock.unixTime(),
        old_chat_member: chatMember(botUser(record), previous ?? 'left'),
        new_chat_member: chatMember(botUser(record), status),
      },
    });
  }
}

function toSandboxBot(bot: BotRecord): SandboxBot {
  return Object.freeze({ id: bot.id, token: bot.token, username: bot.username, firstName: bot.firstName, user: botUser(bot) });
}

function toSandboxUser(user: UserRecord): SandboxUser {
  return Object.freeze({
    id: user.id,
    firstName: user.firstName,
    ...(user.lastName ? { lastName: user.lastName } : {}),
    ...(user.username ? { username: user.username } : {}),
    ...(user.languageCode ? { languageCode: user.languageCode } : {}),
    user: userObject(user),
  });
}

function toSandboxGroup(group: GroupRecord): SandboxGroup {
  return Object.freeze({ id: group.id, title: group.title, type: group.type, chat: groupChat(group) });
}

function toSandboxPayment(charge: ChargeRecord): SandboxPayment {
  return {
    chargeId: charge.chargeId,
    botId: charge.botId,
    userId: charge.userId,
    payload: charge.invoice.payload,
    currency: charge.currency,
    amount: charge.amount,
    date: charge.date,
    refunded: charge.refunded,
    isSubscription: charge.subscriptionId !== undefined,
  };
}

function toSandboxSubscription(subscription: SubscriptionRecord): SandboxSubscription {
  return {
    botId: subscription.botId,
    userId: subscription.userId,
    payload: subscription.invoice.payload,
    expiresAt: subscription.expiresAt,
    ...(subscription.canceledBy ? { canceledBy: subscription.canceledBy } : {}),
    ended: subscription.ended,
    chargeIds: [...subscription.chargeIds],
  };
}
