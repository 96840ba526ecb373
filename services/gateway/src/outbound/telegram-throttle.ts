import type { LoggerService } from '@nestjs/common';
import { GrammyError } from 'grammy';
import { TokenBucket, type RateRule } from '../rate-limit/token-bucket.js';

/** Telegram's send limits (../shared/TELEGRAM.md): per bot token, per chat, and per group on top. */
export interface TelegramSendLimits {
  /** Across all chats of one bot token: about 30 messages per second. */
  readonly perBot: RateRule;
  /** Across all chats of one bot token, for sends with `allow_paid_broadcast`: about 1000 per second. */
  readonly perBotPaid: RateRule;
  /** Any one chat, private or group: about 1 message per second. */
  readonly perChat: RateRule;
  /** A group or supergroup (chat id < 0), besides `perChat`: 20 messages per minute. */
  readonly perGroup: RateRule;
}

/** Telegram's published figures; the defaults of every `TelegramThrottle`. */
export const TELEGRAM_SEND_LIMITS: TelegramSendLimits = {
  perBot: { limit: 30, windowMs: 1_000 },
  // A quarter second saved up, not Telegram's whole second: when a backlog makes the throttle the pacer,
  // sends leave at the limit with an empty bucket, and calls that reach Telegram closer together than
  // they left (a busy event loop, the network) met a full-second burst there with nothing to spare (8
  // 429s in a 100,000 paid broadcast). A smaller burst leaves Telegram's bucket ¾ s of such jitter.
  perBotPaid: { limit: 1_000, windowMs: 1_000, burst: 250 },
  perChat: { limit: 1, windowMs: 1_000, burst: 1 },
  perGroup: { limit: 20, windowMs: 60_000 },
};

/**
 * The bot-wide lane a send counts against: Telegram's bulk limit, or, for a send with
 * `allow_paid_broadcast`, the paid one (the chat and group limits hold for both).
 */
export type SendLane = 'bulk' | 'paid';

/** Time as the throttle sees it; tests pass a fake one. */
export interface ThrottleClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const systemClock: ThrottleClock = {
  now: () => performance.now(),
  // Unref'd: a send still waiting for its slot (up to a minute in a group) must not keep a stopping
  // gateway alive; what the delivery worker did not send stays in its queue.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

/** A bot token as the throttle knows it: a rotated token starts with fresh limits, as at Telegram. */
export interface ThrottledBot {
  readonly botId: string;
  /** Anything that changes when the token does (the registry's token version, a fingerprint). */
  readonly tokenVersion: string | number;
}

/** What became of a throttled call; `attempts` counts every call made, 429 answers included. */
export type ThrottledOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

export interface TelegramThrottleOptions {
  /** Overrides single rules (tests use small numbers). */
  readonly limits?: Partial<TelegramSendLimits>;
  readonly clock?: ThrottleClock;
  /** 429 answers honoured for one call before its last 429 is returned as the outcome (default 8). */
  readonly max429Retries?: number;
  /** A `retry_after` above this many seconds is not waited for: the 429 is returned (default 300). */
  readonly maxRetryAfterSeconds?: number;
  readonly logger?: LoggerService;
}

interface Job {
  readonly call: () => Promise<unknown>;
  readonly beforeCall: (() => Promise<void>) | undefined;
  readonly lane: SendLane;
  readonly resolve: (outcome: ThrottledOutcome<unknown>) => void;
}

interface ChatLane {
  readonly chatId: number;
  readonly bucket: TokenBucket;
  readonly groupBucket: TokenBucket | undefined;
  /** The same rules counted at the moment each call leaves (after its `beforeCall`): see `run`. */
  readonly callBuckets: readonly TokenBucket[];
  pausedUntil: number;
  /** FIFO: the head is being sent (or waiting for its slot), so one chat's messages keep their order. */
  readonly queue: Job[];
}

interface BotLane {
  readonly bucket: TokenBucket;
  /** The paid lane's bucket, made at the bot's first paid send. */
  paidBucket: TokenBucket | undefined;
  /** The bot's lanes counted at the moment each call leaves: see `run`. */
  readonly callBucket: TokenBucket;
  paidCallBucket: TokenBucket | undefined;
  pausedUntil: number;
  /** The last chat Telegram limited, and until when. */
  lastLimited: { readonly chatId: number; readonly until: number } | undefined;
  readonly chats: Map<number, ChatLane>;
}

const LANES_BEFORE_CLEANUP = 2_000;

/**
 * Keeps a gateway's sends within Telegram's limits, one set of token buckets per bot token: a send
 * waits for its slot (in its chat's queue, so order within a chat holds) instead of being refused.
 *
 * A 429 says how long to wait (`retry_after`) but not which limit was hit. The throttle pauses the
 * chat and retries the same call; when a second chat of the same bot is limited while the first is
 * still paused, the bot as a whole is over its limit, and every chat of the bot pauses.
 */
export class TelegramThrottle {
  private readonly limits: TelegramSendLimits;
  private readonly clock: ThrottleClock;
  private readonly max429Retries: number;
  private readonly maxRetryAfterMs: number;
  private readonly bots = new Map<string, BotLane>();
  private lanes = 0;

  constructor(private readonly options: TelegramThrottleOptions = {}) {
    this.limits = { ...TELEGRAM_SEND_LIMITS, ...options.limits };
    this.clock = options.clock ?? systemClock;
    this.max429Retries = options.max429Retries ?? 8;
    this.maxRetryAfterMs = (options.maxRetryAfterSeconds ?? 300) * 1_000;
    // Fail at construction, not at the first send.
    for (const rule of Object.values(this.limits)) new TokenBucket(rule, 0);
  }

  /**
   * Runs `call` (one Bot API request to `chatId`) when the limits allow, after every earlier send to
   * that chat; on 429 waits `retry_after` and calls again. Never rejects: errors come back in the outcome.
   */
  send<T>(bot: ThrottledBot, chatId: number, call: () => Promise<T>, lane: SendLane = 'bulk', beforeCall?: () => Promise<void>): Promise<ThrottledOutcome<T>> {
    const botLane = this.botLane(bot);
    const chat = this.chatLane(botLane, chatId);
    return new Promise<ThrottledOutcome<T>>((resolve) => {
      chat.queue.push({ call, beforeCall, lane, resolve: resolve as Job['resolve'] });
      if (chat.queue.length === 1) void this.drain(botLane, chat);
    });
  }

  /** Sends waiting or in flight, over all bots and chats. */
  get pending(): number {
    let count = 0;
    for (const bot of this.bots.values()) for (const chat of bot.chats.values()) count += chat.queue.length;
    return count;
  }

  private async drain(bot: BotLane, chat: ChatLane): Promise<void> {
    while (chat.queue.length > 0) {
      const job = chat.queue[0];
      const outcome = await this.run(bot, chat, job);
      chat.queue.shift();
      job.resolve(outcome);
    }
    if (this.lanes > LANES_BEFORE_CLEANUP) this.forgetIdleLanes();
  }

  /**
   * Takes the call's slot, runs its `beforeCall` (the delivery worker's mark, which can take a while and
   * lets several calls go at once when it is shared), then waits until the same limits, counted at the
   * moments calls actually leave, allow it too: slots taken evenly but released together after a slow
   * `beforeCall` would otherwise reach Telegram in a burst over its limits.
   */
  private async run(bot: BotLane, chat: ChatLane, { call, beforeCall, lane }: Job): Promise<ThrottledOutcome<unknown>> {
    let attempts = 0;
    for (;;) {
      try {
        await this.acquire(bot, chat, lane);
        if (beforeCall) {
          await beforeCall();
          await this.acquireCall(bot, chat, lane);
        }
      } catch (error) {
        return { ok: false, error, attempts };
      }
      attempts++;
      try {
        return { ok: true, value: await call(), attempts };
      } catch (error) {
        const retryAfterMs = retryAfterOf(error);
        if (retryAfterMs === undefined || attempts > this.max429Retries || retryAfterMs > this.maxRetryAfterMs) {
          return { ok: false, error, attempts };
        }
        this.pause(bot, chat, retryAfterMs);
      }
    }
  }

  /** Waits until the chat, its group rule and the bot's lane each have a token, then takes them together. */
  private async acquire(bot: BotLane, chat: ChatLane, lane: SendLane): Promise<void> {
    if (lane === 'paid') bot.paidBucket ??= new TokenBucket(this.limits.perBotPaid, this.clock.now());
    const botBucket = lane === 'paid' ? bot.paidBucket! : bot.bucket;
    for (;;) {
      const now = this.clock.now();
      const waitMs = Math.max(
        bot.pausedUntil - now,
        chat.pausedUntil - now,
        chat.bucket.waitMs(now),
        chat.groupBucket?.waitMs(now) ?? 0,
        botBucket.waitMs(now),
      );
      if (waitMs <= 0) {
        chat.bucket.take(now);
        chat.groupBucket?.take(now);
        botBucket.take(now);
        return;
      }
      await this.clock.sleep(Math.ceil(waitMs));
    }
  }

  /** The call-time buckets' tokens (see `run`); pauses were waited for by `acquire`. */
  private async acquireCall(bot: BotLane, chat: ChatLane, lane: SendLane): Promise<void> {
    if (lane === 'paid') bot.paidCallBucket ??= new TokenBucket(this.limits.perBotPaid, this.clock.now());
    const buckets = [...chat.callBuckets, lane === 'paid' ? bot.paidCallBucket! : bot.callBucket];
    for (;;) {
      const now = this.clock.now();
      const waitMs = Math.max(...buckets.map((bucket) => bucket.waitMs(now)));
      if (waitMs <= 0) {
        for (const bucket of buckets) bucket.take(now);
        return;
      }
      await this.clock.sleep(Math.ceil(waitMs));
    }
  }

  private pause(bot: BotLane, chat: ChatLane, retryAfterMs: number): void {
    const now = this.clock.now();
    const until = now + retryAfterMs;
    chat.pausedUntil = Math.max(chat.pausedUntil, until);
    const previous = bot.lastLimited;
    const botWide = previous !== undefined && previous.chatId !== chat.chatId && previous.until > now;
    if (botWide) bot.pausedUntil = Math.max(bot.pausedUntil, until);
    bot.lastLimited = { chatId: chat.chatId, until };
    this.options.logger?.warn?.(
      `Telegram asked to wait ${retryAfterMs / 1000} s before sending to chat ${chat.chatId}${botWide ? '; pausing every chat of the bot' : ''}`,
      'TelegramThrottle',
    );
  }

  private botLane(bot: ThrottledBot): BotLane {
    const key = `${bot.botId}#${bot.tokenVersion}`;
    let lane = this.bots.get(key);
    if (!lane) {
      const now = this.clock.now();
      lane = {
        bucket: new TokenBucket(this.limits.perBot, now),
        paidBucket: undefined,
        callBucket: new TokenBucket(this.limits.perBot, now),
        paidCallBucket: undefined,
        pausedUntil: 0,
        lastLimited: undefined,
        chats: new Map(),
      };
      this.bots.set(key, lane);
    }
    return lane;
  }

  private chatLane(bot: BotLane, chatId: number): ChatLane {
    let lane = bot.chats.get(chatId);
    if (!lane) {
      const now = this.clock.now();
      lane = {
        chatId,
        bucket: new TokenBucket(this.limits.perChat, now),
        groupBucket: chatId < 0 ? new TokenBucket(this.limits.perGroup, now) : undefined,
        callBuckets: [new TokenBucket(this.limits.perChat, now), ...(chatId < 0 ? [new TokenBucket(this.limits.perGroup, now)] : [])],
        pausedUntil: 0,
        queue: [],
      };
      bot.chats.set(chatId, lane);
      this.lanes++;
    }
    return lane;
  }

  /** Drops lanes with nothing queued whose buckets are full again: they would start out the same. */
  private forgetIdleLanes(): void {
    const now = this.clock.now();
    for (const [key, bot] of this.bots) {
      for (const [chatId, chat] of bot.chats) {
        const idle =
          chat.queue.length === 0 &&
          chat.pausedUntil <= now &&
          chat.bucket.isFull(now) &&
          (chat.groupBucket?.isFull(now) ?? true) &&
          chat.callBuckets.every((bucket) => bucket.isFull(now));
        if (idle) {
          bot.chats.delete(chatId);
          this.lanes--;
        }
      }
      const full = [bot.bucket, bot.paidBucket, bot.callBucket, bot.paidCallBucket].every((bucket) => bucket?.isFull(now) ?? true);
      if (bot.chats.size === 0 && bot.pausedUntil <= now && full) this.bots.delete(key);
    }
  }
}

/** `retry_after` of a 429 answer, in milliseconds; `undefined` for anything else. */
function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof GrammyError) || error.error_code !== 429) return undefined;
  const seconds = error.parameters?.retry_after;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1_000 : undefined;
}
